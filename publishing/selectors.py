"""Reads of the publishing queue."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Q, QuerySet

from publishing.models import AITemplate, PlatformAccount, PostStatus, ScheduledPost, Video

# Posts that hold their slot: waiting, going out, or out.
SLOT_HOLDING = (PostStatus.PENDING, PostStatus.HELD, PostStatus.PROCESSING, PostStatus.COMPLETED)


def posts() -> QuerySet[ScheduledPost]:
    return ScheduledPost.objects.select_related("video", "account")


def videos() -> QuerySet[Video]:
    return Video.objects.prefetch_related("posts")


def taken_times(*, platforms: Iterable[str], since: datetime, exclude_video_ids: Iterable[int] = ()) -> list[datetime]:
    """Scheduled times of slot-holding posts on any of ``platforms`` from ``since`` on."""
    qs = ScheduledPost.objects.filter(platform__in=list(platforms), status__in=SLOT_HOLDING, scheduled_time__gte=since)
    exclude = list(exclude_video_ids)
    if exclude:
        qs = qs.exclude(video_id__in=exclude)
    return list(qs.values_list("scheduled_time", flat=True))


def authenticated_platforms() -> list[str]:
    return list(PlatformAccount.objects.filter(authenticated=True).values_list("platform", flat=True))


def upcoming_posts(*, now: datetime, hours: int) -> QuerySet[ScheduledPost]:
    """Posts still to go out (pending or posting) up to ``hours`` from now, overdue ones included."""
    return posts().filter(
        status__in=(PostStatus.PENDING, PostStatus.PROCESSING), scheduled_time__lte=now + timedelta(hours=hours)
    )


def day_bounds(now: datetime) -> tuple[datetime, datetime]:
    """Start and end of ``now``'s day in the project's time zone (settings.TIME_ZONE)."""
    local = now.astimezone(ZoneInfo(settings.TIME_ZONE))
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    # Aware datetime arithmetic is wall-clock within one tzinfo: this is the next midnight, DST or not.
    return start, start + timedelta(days=1)


def post_stats(*, now: datetime) -> dict[str, int]:
    """scheduled (pending or posting), posting today (of those, due today), completed today, failed."""
    start, end = day_bounds(now)
    live = Q(status__in=(PostStatus.PENDING, PostStatus.PROCESSING))
    return ScheduledPost.objects.aggregate(
        scheduled=Count("id", filter=live),
        posting_today=Count("id", filter=live & Q(scheduled_time__gte=start, scheduled_time__lt=end)),
        completed_today=Count("id", filter=Q(status=PostStatus.COMPLETED, posted_at__gte=start, posted_at__lt=end)),
        failed=Count("id", filter=Q(status=PostStatus.FAILED)),
    )


def active_template() -> AITemplate | None:
    return AITemplate.objects.filter(is_active=True).first()


QUEUE_STATUSES = (PostStatus.PENDING, PostStatus.HELD, PostStatus.PROCESSING, PostStatus.FAILED)


def export_posts(*, kind: str, since: datetime | None, until: datetime | None) -> QuerySet[ScheduledPost]:
    """``queue``: what is still to go out (by scheduled time); ``completed``: what went out (by the
    time it was posted); each within [since, until) when given."""
    if kind == "completed":
        qs, moment = posts().filter(status=PostStatus.COMPLETED), "posted_at"
    else:
        qs, moment = posts().filter(status__in=QUEUE_STATUSES), "scheduled_time"
    if since is not None:
        qs = qs.filter(**{f"{moment}__gte": since})
    if until is not None:
        qs = qs.filter(**{f"{moment}__lt": until})
    return qs.order_by(moment, "id")
