"""The publishing knobs (SPEC §4's defaults, in config/settings.py): the queue's zone, the
slot rules, attempts and back-off, the lease and the dispatch batch."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from publishing.slots import SlotRules


def publishing_tz() -> ZoneInfo:
    """The zone whose whole hours are the posting slots (PUBLISHING_TIME_ZONE, else TIME_ZONE)."""
    return ZoneInfo(settings.PUBLISHING_TIME_ZONE or settings.TIME_ZONE)


def slot_rules() -> SlotRules:
    return SlotRules(
        offset_hours=int(settings.PUBLISHING_POST_TIME_OFFSET_HOURS),
        spacing_hours=int(settings.PUBLISHING_SCHEDULE_SPACING_HOURS),
        tz=publishing_tz(),
    )


def max_attempts() -> int:
    return int(settings.PUBLISHING_MAX_ATTEMPTS)


def backoff_after(attempt: int) -> timedelta:
    """Wait before the next try after failed attempt ``attempt`` (1, 2, …): base · 2^(attempt-1)."""
    base = float(settings.PUBLISHING_BACKOFF_SECONDS)
    return timedelta(seconds=base * 2 ** (attempt - 1))


def lease_duration() -> timedelta:
    return timedelta(seconds=float(settings.PUBLISHING_LEASE_SECONDS))


# A batch still uploading after this long (or whose uploads are known to take this long per post) is
# announced as "processing" (publishing.posts.claimed, for dashboards); quicker ones only by their results.
VISIBLE_PROCESSING_SECONDS = 0.25


def dispatch_batch_size() -> int:
    return int(settings.PUBLISHING_DISPATCH_BATCH)
