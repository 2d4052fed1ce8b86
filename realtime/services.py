"""Writes of the realtime app: pruning the event log."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction

from realtime.models import EventLog, GroupCursor

# SPEC §5: events are kept at least 24 h and at least the last 10,000 per group.
KEEP_FOR = timedelta(hours=24)
KEEP_LAST_PER_GROUP = 10_000


@transaction.atomic
def prune_event_log(*, now: datetime) -> int:
    """Deletes events that are both older than 24 h and not among their group's last 10,000."""
    cutoff = now - KEEP_FOR
    deleted = 0
    for cursor in GroupCursor.objects.all().only("group_name", "epoch", "seq").iterator():
        deleted += (
            EventLog.objects.filter(group_name=cursor.group_name, ts__lt=cutoff)
            .exclude(epoch=cursor.epoch, seq__gt=cursor.seq - KEEP_LAST_PER_GROUP)
            .delete()[0]
        )
    return deleted
