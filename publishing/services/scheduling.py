"""Scheduling posts: one per platform at a slot, spacing several videos, and the post
actions (reschedule, cancel, force, retry)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction

from config.errors import Conflict, InvalidInput
from publishing import events, selectors
from publishing.knobs import publishing_tz, slot_rules
from publishing.limits import merged_errors
from publishing.models import Platform, PlatformAccount, PostStatus, ScheduledPost, Video
from publishing.services.videos import check_content, content_of
from publishing.slots import next_free_slot, spread_slots

# --- scheduling ------------------------------------------------------------------------


def _checked_platforms(platforms) -> list[str]:
    if isinstance(platforms, str) or not isinstance(platforms, Iterable):
        raise InvalidInput("platforms must be a list.", errors={"platforms": ["Expected a list of platforms."]})
    names = []
    for name in platforms:
        if name not in Platform.values:
            raise InvalidInput(
                "Unknown platform.",
                errors={"platforms": [f"{name!r} is not a platform ({', '.join(Platform.values)})."]},
            )
        if name not in names:
            names.append(name)
    if not names:
        raise InvalidInput("No platform given.", errors={"platforms": ["Give at least one platform."]})
    return names


def _lock_accounts(platforms: list[str]) -> dict[str, PlatformAccount]:
    """Locks the platforms' accounts (in a fixed order): schedulers of the same platforms take turns,
    so two of them never hand out the same slot. Every platform must be authenticated."""
    accounts = {a.platform: a for a in PlatformAccount.objects.select_for_update().filter(platform__in=platforms)}
    problems = []
    for name in platforms:
        account = accounts.get(name)
        if account is None:
            problems.append(f"There is no {name} account.")
        elif not account.authenticated:
            problems.append(f"The {name} account @{account.handle} is not authenticated.")
    if problems:
        raise InvalidInput("Posts need authenticated platform accounts.", errors={"platforms": problems})
    return accounts


def _check_future(scheduled_time: datetime, now: datetime) -> None:
    if scheduled_time <= now:
        raise InvalidInput(
            "The time is in the past.", errors={"scheduled_time": ["Must be in the future (use force to post now)."]}
        )


def next_slot(*, platforms: Sequence[str], now: datetime) -> datetime:
    """The next whole hour free on every one of ``platforms`` (SPEC §4 slots)."""
    rules = slot_rules()
    since = now - timedelta(hours=rules.spacing_hours)
    return next_free_slot(now=now, taken=selectors.taken_times(platforms=platforms, since=since), rules=rules)


@transaction.atomic
def schedule_video(
    *, video: Video, platforms, now: datetime, scheduled_time: datetime | None = None, user=None
) -> list[ScheduledPost]:
    """One post per platform at ``scheduled_time`` (default: the next slot free on all of them).

    Platforms must be authenticated and the video must fit their content limits;
    a video has at most one live (not cancelled) post per platform.
    """
    platforms = _checked_platforms(platforms)
    accounts = _lock_accounts(platforms)
    check_content(video=video, platforms=platforms)
    existing = list(video.posts.exclude(status=PostStatus.CANCELLED).filter(platform__in=platforms))
    if existing:
        taken = ", ".join(f"{p.platform} (post {p.pk}, {p.status})" for p in existing)
        raise Conflict(f"The video already has a post on {taken}.")
    if scheduled_time is None:
        scheduled_time = next_slot(platforms=platforms, now=now)
    else:
        _check_future(scheduled_time, now)
    posts = [
        ScheduledPost(
            video=video,
            account=accounts[name],
            platform=name,
            scheduled_time=scheduled_time,
            next_attempt_at=scheduled_time,
            created_by=user if user is not None and user.is_authenticated else None,
        )
        for name in platforms
    ]
    try:
        with transaction.atomic():
            ScheduledPost.objects.bulk_create(posts)
    except IntegrityError as exc:  # a concurrent request scheduled the same pair first
        raise Conflict("The video was just scheduled on one of these platforms.") from exc
    events.publish(events.VIDEO_SCHEDULED, events.video_scheduled_payload(video, posts))
    return posts


@transaction.atomic
def space_videos(*, videos: Sequence[Video], platforms, now: datetime, user=None) -> list[ScheduledPost]:
    """Spreads ``videos`` (in the given order) over successive free slots, one slot per video on every platform.

    A video's waiting (or failed) post on a platform moves to its slot; missing
    ones are created. Posts already posting or posted cannot be moved (409).
    """
    platforms = _checked_platforms(platforms)
    accounts = _lock_accounts(platforms)
    videos = list(dict.fromkeys(videos))
    if not videos:
        raise InvalidInput("No video given.", errors={"videos": ["Give at least one video."]})
    errors: dict[str, list[str]] = {}
    for video in videos:
        for name, messages in merged_errors(platforms, content_of(video)).items():
            errors.setdefault(name, []).extend(f"Video {video.pk}: {m}" for m in messages)
    if errors:
        raise InvalidInput("Some videos do not fit the content limits.", errors=errors)
    existing = {
        (p.video_id, p.platform): p
        for p in ScheduledPost.objects.select_for_update()
        .filter(video__in=videos, platform__in=platforms)
        .exclude(status=PostStatus.CANCELLED)
    }
    stuck = [p for p in existing.values() if p.status in (PostStatus.PROCESSING, PostStatus.COMPLETED)]
    if stuck:
        raise Conflict(
            "Some posts are posting or posted and cannot move: "
            + ", ".join(f"video {p.video_id} on {p.platform} ({p.status})" for p in stuck)
            + "."
        )
    rules = slot_rules()
    taken = selectors.taken_times(
        platforms=platforms, since=now - timedelta(hours=rules.spacing_hours), exclude_video_ids=[v.pk for v in videos]
    )
    slots = spread_slots(now=now, count=len(videos), taken=taken, rules=rules)
    result: list[ScheduledPost] = []
    for video, slot in zip(videos, slots, strict=True):
        posts = []
        for name in platforms:
            post = existing.get((video.pk, name))
            if post is None:
                post = ScheduledPost.objects.create(
                    video=video,
                    account=accounts[name],
                    platform=name,
                    scheduled_time=slot,
                    next_attempt_at=slot,
                    created_by=user if user is not None and user.is_authenticated else None,
                )
            else:
                post.scheduled_time = post.next_attempt_at = slot
                if post.status == PostStatus.FAILED:
                    post.status, post.attempts, post.last_error = PostStatus.PENDING, 0, ""
                post.save(update_fields=["scheduled_time", "next_attempt_at", "status", "attempts", "last_error",
                                         "updated_at"])  # fmt: skip
            posts.append(post)
        events.publish(events.VIDEO_SCHEDULED, events.video_scheduled_payload(video, posts))
        result.extend(posts)
    return result


def _locked(post: ScheduledPost) -> ScheduledPost:
    return ScheduledPost.objects.select_for_update().select_related("video", "account").get(pk=post.pk)


_STATE_HINT = {
    PostStatus.HELD: "is held: its account is not authenticated",
    PostStatus.PROCESSING: "is being posted right now",
    PostStatus.COMPLETED: "is already posted",
    PostStatus.CANCELLED: "is cancelled",
    PostStatus.FAILED: "has failed (retry it)",
    PostStatus.PENDING: "is still waiting",
}


def _conflict(post: ScheduledPost, action: str) -> Conflict:
    return Conflict(f"Cannot {action} post {post.pk}: it {_STATE_HINT[PostStatus(post.status)]}.")


@transaction.atomic
def reschedule_post(*, post: ScheduledPost, scheduled_time: datetime, now: datetime) -> ScheduledPost:
    """Moves a waiting post to another (future) time."""
    post = _locked(post)
    if post.status != PostStatus.PENDING:
        raise _conflict(post, "reschedule")
    _check_future(scheduled_time, now)
    _lock_accounts_for_spacing(post.platform)
    _check_spacing(post, scheduled_time)
    post.scheduled_time = post.next_attempt_at = scheduled_time
    post.save(update_fields=["scheduled_time", "next_attempt_at", "updated_at"])
    events.publish(events.POST_RESCHEDULED, events.post_event_payload(post))
    return post


def _lock_accounts_for_spacing(platform: str) -> None:
    """Schedulers and reschedulers of one platform take turns (the account row is their lock),
    so two moves never both see an hour as free."""
    list(PlatformAccount.objects.select_for_update().filter(platform=platform).values_list("pk", flat=True))


def _check_spacing(post: ScheduledPost, scheduled_time: datetime) -> None:
    """409 naming the live post of the same platform closer than the spacing to ``scheduled_time``."""
    spacing = timedelta(hours=slot_rules().spacing_hours)
    other = (
        ScheduledPost.objects.filter(
            platform=post.platform,
            status__in=selectors.SLOT_HOLDING,
            scheduled_time__gt=scheduled_time - spacing,
            scheduled_time__lt=scheduled_time + spacing,
        )
        .exclude(pk=post.pk)
        .select_related("video")
        .order_by("scheduled_time", "pk")
        .first()
    )
    if other is not None:
        when = other.scheduled_time.astimezone(publishing_tz()).strftime("%Y-%m-%d %H:%M")
        name = other.video.title or other.video.original_filename
        raise Conflict(
            f'Too close to post {other.pk} on {post.platform} ("{name}" at {when}): posts of one platform are '
            f"at least {slot_rules().spacing_hours} h apart.",
            errors={"scheduled_time": [f"Within {slot_rules().spacing_hours} h of post {other.pk}."]},
        )


@transaction.atomic
def cancel_post(*, post: ScheduledPost) -> ScheduledPost:
    """Cancels a waiting, held or failed post (one being posted or posted cannot be)."""
    post = _locked(post)
    if post.status not in (PostStatus.PENDING, PostStatus.FAILED, PostStatus.HELD):
        raise _conflict(post, "cancel")
    post.status = PostStatus.CANCELLED
    post.save(update_fields=["status", "updated_at"])
    events.publish(events.POST_CANCELLED, events.post_event_payload(post))
    return post


def kick_dispatcher() -> None:
    """Runs the dispatcher now instead of at its next minute (best effort: the tick will come anyway)."""
    from config.tasks import enqueue_on_commit
    from publishing import tasks

    enqueue_on_commit(tasks.dispatch_due_posts)  # never fails nor holds the request; the periodic run will post it


@transaction.atomic
def force_post(*, post: ScheduledPost, now: datetime) -> ScheduledPost:
    """Post now: the waiting post becomes due immediately and the dispatcher is started."""
    post = _locked(post)
    if post.status != PostStatus.PENDING:
        raise _conflict(post, "post now")
    check_content(video=post.video, platforms=[post.platform])
    post.scheduled_time = post.next_attempt_at = now
    post.save(update_fields=["scheduled_time", "next_attempt_at", "updated_at"])
    events.publish(events.POST_FORCED, events.post_event_payload(post))
    kick_dispatcher()
    return post


@transaction.atomic
def retry_post(*, post: ScheduledPost, now: datetime) -> ScheduledPost:
    """A failed post gets a fresh set of attempts, starting now (same idempotency key: never posted twice)."""
    post = _locked(post)
    if post.status != PostStatus.FAILED:
        raise _conflict(post, "retry")
    check_content(video=post.video, platforms=[post.platform])
    post.status, post.attempts, post.last_error, post.next_attempt_at = PostStatus.PENDING, 0, "", now
    post.save(update_fields=["status", "attempts", "last_error", "next_attempt_at", "updated_at"])
    events.publish(events.POST_RETRIED, events.post_event_payload(post))
    kick_dispatcher()
    return post
