"""The publishing knobs (SPEC §4's defaults, in config/settings.py): the queue's zone, the
slot rules, attempts and back-off, the lease and the dispatch batch."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from publishing.slots import SlotRules


def publishing_tz() -> ZoneInfo:
    """The zone whose whole hours are the posting slots (PUBLISHING_TIME_ZONE, else TIME_ZONE)."""
    return ZoneInfo(getattr(settings, "PUBLISHING_TIME_ZONE", None) or settings.TIME_ZONE)


def slot_rules() -> SlotRules:
    return SlotRules(
        offset_hours=int(getattr(settings, "PUBLISHING_POST_TIME_OFFSET_HOURS", 1)),
        spacing_hours=int(getattr(settings, "PUBLISHING_SCHEDULE_SPACING_HOURS", 1)),
        tz=publishing_tz(),
    )


def max_attempts() -> int:
    return int(getattr(settings, "PUBLISHING_MAX_ATTEMPTS", 3))


def backoff_after(attempt: int) -> timedelta:
    """Wait before the next try after failed attempt ``attempt`` (1, 2, …): base · 2^(attempt-1)."""
    base = float(getattr(settings, "PUBLISHING_BACKOFF_SECONDS", 60))
    return timedelta(seconds=base * 2 ** (attempt - 1))


def lease_duration() -> timedelta:
    return timedelta(seconds=float(getattr(settings, "PUBLISHING_LEASE_SECONDS", 900)))


# A batch still uploading after this long (or whose uploads are known to take this long per post) is
# announced as "processing" (publishing.posts.claimed, for dashboards); quicker ones only by their results.
VISIBLE_PROCESSING_SECONDS = 0.25


def dispatch_batch_size() -> int:
    return int(getattr(settings, "PUBLISHING_DISPATCH_BATCH", 500))
