"""Every write of the publishing queue: one function per use case, keyword-only arguments.

Services know nothing of HTTP or permissions; they raise ``config.errors``
(InvalidInput → 400, Conflict → 409) and emit ``publishing.*`` events inside
their transaction (sent after commit).
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from types import MappingProxyType
from typing import NamedTuple
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

import psycopg
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Subquery
from django.utils import timezone

from config.errors import Conflict, InvalidInput
from config.secrets import UnreadableSecret, decrypt_json
from publishing import events, selectors, sources
from publishing.generators import (
    DEFAULT_PROMPT,
    Generator,
    Metadata,
    get_generator,
    render_prompt,
    unknown_variables,
)
from publishing.limits import Content, HashtagError, content_errors, merged_errors, normalize_hashtags
from publishing.models import AITemplate, DispatchLease, Platform, PlatformAccount, PostStatus, ScheduledPost, Video
from publishing.slots import SlotRules, next_free_slot, spread_slots
from publishing.uploaders import Uploader, UploadError, UploadRequest, UploadResult, get_uploader, safe_permalink

logger = logging.getLogger(__name__)


# --- knobs (settings may override; SPEC §4's defaults) -------------------------------


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


# --- videos ----------------------------------------------------------------------------


def content_of(video: Video) -> Content:
    return Content(title=video.title, caption=video.caption, hashtags=tuple(video.hashtags))


def check_content(*, video: Video, platforms: Iterable[str]) -> None:
    """Raises InvalidInput naming each field and limit ``video`` breaks on any of ``platforms``."""
    platforms = list(platforms)
    errors = merged_errors(platforms, content_of(video))
    if errors:
        raise InvalidInput(f"The video does not fit the content limits of {', '.join(platforms)}.", errors=errors)


def _hashtags(value) -> list[str]:
    try:
        return normalize_hashtags(value)
    except HashtagError as exc:
        raise InvalidInput("Invalid hashtags.", errors={"hashtags": [str(exc)]}) from exc


def _filename_of(source: str) -> str:
    path = urlparse(source).path if sources.is_url(source) else source
    return Path(path).name[:255]


def checked_source(source: str) -> str:
    """The source to store (a local file as its real path), or InvalidInput naming the rule it
    breaks (SPEC §4: confined to the media roots and the allowed hosts; see publishing/sources.py)."""
    source = (source or "").strip()
    if not source:
        raise InvalidInput("A video needs a source.", errors={"source": ["This field may not be blank."]})
    return sources.check_source(source)


@transaction.atomic
def create_video(
    *,
    source: str,
    original_filename: str = "",
    title: str = "",
    caption: str = "",
    hashtags: Iterable[str] | str = (),
    game_context: str = "",
    user=None,
) -> Video:
    """Registers a video (a file path or URL, each at most once; the source must keep to the rules)."""
    given = (source or "").strip()
    source = checked_source(given)
    video = Video(
        source=source,
        original_filename=(original_filename or _filename_of(given)).strip(),
        title=title.strip(),
        caption=caption.strip(),
        hashtags=_hashtags(hashtags),
        game_context=game_context.strip(),
        created_by=user if user is not None and user.is_authenticated else None,
    )
    try:
        with transaction.atomic():
            video.save()
    except IntegrityError as exc:
        raise InvalidInput(
            "This video is already registered.", errors={"source": ["A video with this source already exists."]}
        ) from exc
    return video


@transaction.atomic
def update_video(*, video: Video, **changes) -> Video:
    """Edits a video; its words must still fit every platform it is waiting to go out on."""
    video = Video.objects.select_for_update().get(pk=video.pk)
    allowed = {"source", "original_filename", "title", "caption", "hashtags", "game_context"}
    unknown = set(changes) - allowed
    if unknown:
        raise InvalidInput("Unknown fields.", errors={name: ["Unknown field."] for name in sorted(unknown)})
    if "hashtags" in changes:
        changes["hashtags"] = _hashtags(changes["hashtags"])
    if "source" in changes:
        changes["source"] = checked_source(changes["source"])
    for name, value in changes.items():
        setattr(video, name, value.strip() if isinstance(value, str) else value)
    if "source" in changes:
        if video.posts.filter(status=PostStatus.PROCESSING).exists():
            raise Conflict("The video is being posted right now; change its source afterwards.")
        if Video.objects.filter(source=video.source).exclude(pk=video.pk).exists():
            raise InvalidInput("Duplicate source.", errors={"source": ["A video with this source already exists."]})
    # Every post that may still go out: waiting, held, or failed (a retry would publish it).
    may_go_out = (PostStatus.PENDING, PostStatus.HELD, PostStatus.FAILED)
    waiting_on = sorted(set(video.posts.filter(status__in=may_go_out).values_list("platform", flat=True)))
    if waiting_on:
        check_content(video=video, platforms=waiting_on)
    video.save()
    return video


@transaction.atomic
def delete_video(*, video: Video) -> None:
    """Deletes a video that has nothing scheduled, posting or posted (cancelled and failed posts go with it)."""
    live = video.posts.exclude(status__in=(PostStatus.CANCELLED, PostStatus.FAILED))
    if live.exists():
        raise Conflict("The video has posts that are scheduled, posting or posted; cancel them first.")
    video.posts.all().delete()
    video.delete()


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
    events.emit_video_scheduled(video, posts)
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
        events.emit_video_scheduled(video, posts)
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
    events.emit_post(events.POST_RESCHEDULED, post)
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
    events.emit_post(events.POST_CANCELLED, post)
    return post


def _kick_dispatcher() -> None:
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
    events.emit_post(events.POST_FORCED, post)
    _kick_dispatcher()
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
    events.emit_post(events.POST_RETRIED, post)
    _kick_dispatcher()
    return post


# --- the dispatcher --------------------------------------------------------------------


def default_worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


class ClaimedPost(NamedTuple):
    """A post as its worker holds it: the upload to make (built by the claim itself) and the lease.

    A tuple, not a model instance: the dispatcher's hot path creates one per post.
    """

    pk: int
    attempts: int  # this attempt's number (1, 2, …)
    request: UploadRequest
    lease_expires_at: datetime
    claimed_by: str

    @property
    def platform(self) -> str:
        return self.request.platform


_POST = ScheduledPost._meta.db_table
_VIDEO = Video._meta.db_table
_ACCOUNT = PlatformAccount._meta.db_table
_LEASE = DispatchLease._meta.db_table

# One statement and one round trip: claim (SKIP LOCKED, lease, attempt) and return what the
# uploads need, video and account joined. ``id = ANY(ARRAY(subquery))`` runs the locking
# subquery exactly once (an ``IN (subquery)`` semi-join may be planned to re-run it, and here
# hashes a scan of the whole table) and updates the claimed rows through the primary key. The
# LATERAL … OFFSET 0 keeps to one primary-key lookup per claimed video, not a hash of them all.
# The batch's DispatchLease row (for the reaper) is written by the same statement.
_CLAIM_SQL = f"""
WITH claimed AS (
    UPDATE {_POST} SET status = 'processing', attempts = attempts + 1, lease_token = %(token)s,
           lease_expires_at = %(until)s, claimed_by = %(worker)s, updated_at = %(now)s
    WHERE id = ANY(ARRAY(
        SELECT id FROM {_POST}
        WHERE is_queued AND next_attempt_at <= %(now)s
          AND account_id IN (SELECT id FROM {_ACCOUNT} WHERE authenticated)
        ORDER BY next_attempt_at, id
        LIMIT %(limit)s
        FOR UPDATE SKIP LOCKED
    ))
    RETURNING id, platform, attempts, idempotency_key, next_attempt_at, video_id, account_id
), lease AS (
    INSERT INTO {_LEASE} (token, worker, expires_at, post_ids, created_at)
    SELECT %(token)s, %(worker)s, %(until)s, jsonb_agg(id), %(now)s FROM claimed HAVING count(*) > 0
)
SELECT c.id, c.platform, c.attempts, c.idempotency_key::text, v.source, v.original_filename, v.title,
       v.caption, v.hashtags::text, a.handle, a.credentials::text
FROM claimed c
CROSS JOIN LATERAL (SELECT * FROM {_VIDEO} WHERE id = c.video_id OFFSET 0) v
JOIN {_ACCOUNT} a ON a.id = c.account_id
ORDER BY c.next_attempt_at, c.id
"""  # noqa: S608 - table names come from the models' meta; every value is a parameter

_RELEASE = "lease_expires_at = NULL, lease_token = NULL, claimed_by = '', updated_at = %(now)s"
# Whether the lease still holds the row. The token and status are compared with columns of
# ``v`` rather than constants: compared with constants, the table's statistics (almost no
# row is processing or has this token) make the planner expect one row and join the batch
# row by row against every result (quadratic). ``id = ANY(ids)`` gives it the right count.
_HELD = "t.id = ANY(%(ids)b::bigint[]) AND t.id = v.id AND t.lease_token = v.token AND t.status = v.held"
_BATCH_COLUMNS = "%(token)s::uuid AS token, 'processing'::varchar AS held"

# The results of a batch's successful uploads in one statement; it returns only the posts it
# could NOT write (their lease was reclaimed meanwhile), which is normally none.
_COMPLETED_SQL = f"""
WITH released AS (
    DELETE FROM {_LEASE} WHERE token = %(token)s AND %(release)s
), v AS (
    SELECT *, {_BATCH_COLUMNS}
    FROM unnest(%(ids)b::bigint[], %(external_ids)b::varchar[], %(urls)b::varchar[]) AS v(id, external_id, external_url)
), written AS (
    UPDATE {_POST} AS t SET status = 'completed', posted_at = %(now)s, last_error = '',
           external_id = v.external_id, external_url = v.external_url, {_RELEASE}
    FROM v WHERE {_HELD}
    RETURNING t.id
)
SELECT v.id FROM v WHERE NOT EXISTS (SELECT 1 FROM written w WHERE w.id = v.id)
"""  # noqa: S608

# Failed uploads (rare): back to pending after the backoff, or failed; returns the posts written.
_FAILED_SQL = f"""
WITH released AS (
    DELETE FROM {_LEASE} WHERE token = %(token)s AND %(release)s
), v AS (
    SELECT *, {_BATCH_COLUMNS}
    FROM unnest(%(ids)b::bigint[], %(statuses)b::varchar[], %(errors)b::text[], %(next_attempts)b::timestamptz[])
         AS v(id, status, last_error, next_attempt_at)
)
UPDATE {_POST} AS t SET status = v.status, last_error = v.last_error,
       next_attempt_at = COALESCE(v.next_attempt_at, t.next_attempt_at), {_RELEASE}
FROM v WHERE {_HELD}
RETURNING t.id
"""  # noqa: S608

_RENEW_SQL = f"""
WITH renewed AS (
    UPDATE {_LEASE} SET expires_at = %(until)s WHERE token = %(token)s
)
UPDATE {_POST} SET lease_expires_at = %(until)s, updated_at = %(now)s
WHERE id = ANY(%(ids)s::bigint[]) AND lease_token = %(token)s AND status = 'processing'
"""  # noqa: S608

# A lease whose posts have all been written (or reclaimed) is of no more use to the reaper.
_RELEASE_IF_DONE_SQL = f"""
DELETE FROM {_LEASE} AS l WHERE l.token = %s AND NOT EXISTS (
    SELECT 1 FROM {_POST} p
    WHERE p.id IN (SELECT jsonb_array_elements_text(l.post_ids)::bigint)
      AND p.lease_token = l.token AND p.status = 'processing'
)
"""  # noqa: S608


@contextmanager
def _bound_cursor():
    """A PostgreSQL cursor with server-side parameters for the dispatcher's statements.

    Django's psycopg cursors bind client-side: each id, external id and URL of a batch would be
    quoted into the SQL text in Python. Here the arrays go as binary parameters (``%b``: no
    quoting on either side) and psycopg prepares the statements after a few runs (no
    re-planning). Same connection and transaction as the ORM; errors are translated like Django's.
    """
    connection.ensure_connection()
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        yield cursor


def _credentials(stored: str, handle: str) -> dict:
    try:
        return decrypt_json(stored) or {}
    except UnreadableSecret:
        # The upload goes ahead without them and fails at the platform, visibly, per post.
        logger.error("the credentials of account %s cannot be decrypted (FIELD_ENCRYPTION_KEYS?)", handle)
        return {}


def _claimed_posts(rows, *, lease_until: datetime, worker: str) -> list[ClaimedPost]:
    """Claim rows → ClaimedPosts. Hashtags and credentials are decoded once per distinct value;
    the posts of one account share one read-only credentials mapping."""
    decoded: dict[str, object] = {}
    claimed = []
    for pk, platform, attempts, key, source, filename, title, caption, tags, handle, secrets_ in rows:
        hashtags = decoded.get(tags)
        if hashtags is None:
            hashtags = decoded[tags] = tuple(json.loads(tags) or ())
        credentials = decoded.get(secrets_)
        if credentials is None:
            credentials = decoded[secrets_] = MappingProxyType(_credentials(secrets_, handle))
        request = UploadRequest(pk, platform, key, source, filename, title, caption, hashtags, handle, credentials)
        claimed.append(ClaimedPost(pk, attempts, request, lease_until, worker))
    return claimed


def _claim_rows_orm(*, token: uuid.UUID, now: datetime, lease_until: datetime, limit: int, worker: str) -> list:
    """The claim for databases other than PostgreSQL: the same rows and lease row as ``_CLAIM_SQL``,
    in three statements (claim, read, lease)."""
    due = (
        ScheduledPost.objects.select_for_update(skip_locked=True)
        .filter(is_queued=True, next_attempt_at__lte=now, account__authenticated=True)
        .order_by("next_attempt_at", "id")
        .values("pk")[:limit]
    )
    count = ScheduledPost.objects.filter(pk__in=Subquery(due)).update(
        status=PostStatus.PROCESSING, attempts=F("attempts") + 1, lease_expires_at=lease_until, lease_token=token,
        claimed_by=worker, updated_at=now,
    )  # fmt: skip
    if not count:
        return []
    held = ScheduledPost.objects.filter(lease_token=token, status=PostStatus.PROCESSING)
    fields = ("pk", "platform", "attempts", "idempotency_key", "video__source", "video__original_filename",
              "video__title", "video__caption", "video__hashtags", "account__handle",
              "account__credentials")  # fmt: skip
    rows = list(held.order_by("next_attempt_at", "id").values_list(*fields))
    DispatchLease.objects.create(
        token=token, worker=worker, expires_at=lease_until, post_ids=[row[0] for row in rows], created_at=now
    )
    return [(*row[:3], str(row[3]), *row[4:8], json.dumps(row[8]), row[9], json.dumps(row[10])) for row in rows]


def claim_due_posts(
    *, now: datetime, limit: int, worker: str, announce: bool = True
) -> tuple[uuid.UUID, list[ClaimedPost]]:
    """Claims up to ``limit`` due posts for ``worker`` in one short transaction.

    ``UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED LIMIT n)``: rows
    another worker is claiming are skipped, so concurrent dispatchers split the
    due posts between them and never take the same one. Each claimed post turns
    ``processing`` under a lease (``lease_token``, ``lease_expires_at``) and
    counts an attempt. On PostgreSQL this is one statement (its own transaction
    unless ``announce`` emits ``publishing.posts.claimed`` with it). Returns the
    lease token and the claimed posts, in due order.
    """
    token = uuid.uuid4()
    worker = worker[:200]
    lease_until = now + lease_duration()
    with transaction.atomic() if announce else nullcontext():
        if connection.vendor == "postgresql":
            with _bound_cursor() as cursor:
                params = {"token": token, "until": lease_until, "worker": worker, "now": now, "limit": limit}
                cursor.execute(_CLAIM_SQL, params)
                rows = cursor.fetchall()
        else:
            rows = _claim_rows_orm(token=token, now=now, lease_until=lease_until, limit=limit, worker=worker)
        claimed = _claimed_posts(rows, lease_until=lease_until, worker=worker)
        if claimed and announce:
            events.emit_batch(events.POSTS_CLAIMED, {"post_ids": [p.pk for p in claimed]}, worker=worker)
    return token, claimed


@dataclass
class Outcome:
    post: ClaimedPost
    result: UploadResult | None = None
    error: str = ""
    final: bool = False  # the error cannot go away by retrying: the post fails now


def _permalink(url: str, post_id: int) -> str:
    """The uploader's permalink if it is http(s); anything else (``javascript:``…) is dropped:
    the post was published, so it completes, without a link."""
    safe = safe_permalink(url)
    if url and not safe:
        logger.warning("post %s: the uploader's permalink is not an http(s) URL; not stored: %.200r", post_id, url)
    return safe


def _crash_message(exc: Exception) -> str:
    """What a crashed uploader leaves in ``last_error`` (read by every role): the kind of error,
    not its text, which may quote a host or a file; the worker log has the traceback."""
    return f"The uploader failed unexpectedly ({exc.__class__.__name__}); see the worker log."


@dataclass(slots=True)
class BatchResults:
    """The uploads' results of one lease, column by column (what the result statements take)."""

    completed_ids: list[int] = field(default_factory=list)
    external_ids: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    errors: list[tuple[ClaimedPost, str]] = field(default_factory=list)
    final: set[int] = field(default_factory=set)  # failed posts not to retry (see UploadError.final)

    def __len__(self) -> int:
        return len(self.completed_ids) + len(self.errors)

    def add(self, outcome: Outcome) -> None:
        if outcome.result is not None:
            self.completed_ids.append(outcome.post.pk)
            self.external_ids.append(outcome.result.external_id[:255])
            self.urls.append(_permalink(outcome.result.url, outcome.post.pk))
        else:
            self.errors.append((outcome.post, outcome.error))
            if outcome.final:
                self.final.add(outcome.post.pk)


@dataclass(slots=True)
class Written:
    """What a result write stored: the ``publishing.posts.dispatched`` payload's three lists."""

    completed: list[int] = field(default_factory=list)
    retrying: list[dict] = field(default_factory=list)
    failed: list[dict] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.completed) + len(self.retrying) + len(self.failed)

    def extend(self, other: Written) -> None:
        self.completed += other.completed
        self.retrying += other.retrying
        self.failed += other.failed

    def payload(self) -> dict:
        return {"completed": self.completed, "retrying": self.retrying, "failed": self.failed}


def _write_results(results: BatchResults, *, token: uuid.UUID, now: datetime, release: bool) -> Written:
    """Writes the results of the posts ``token`` still holds, releasing their lease.

    Success → ``completed``; an error → back to ``pending`` after the backoff, or
    ``failed`` with the error once the attempts are used up. A post whose lease
    was reclaimed meanwhile is left to whoever holds it now (and logged).
    ``release``: these are the batch's last results, so its DispatchLease goes too.
    On PostgreSQL one statement for the successes and one for the failures
    (``UPDATE … FROM unnest(arrays)``); elsewhere one UPDATE per post.
    """
    written = Written()
    failed_rows = []  # (id, status, last_error, next_attempt_at)
    for post, error in results.errors:
        error = error[:2000]
        if post.attempts >= max_attempts() or post.pk in results.final:
            failed_rows.append((post.pk, PostStatus.FAILED.value, error, None))
        else:
            failed_rows.append((post.pk, PostStatus.PENDING.value, error, now + backoff_after(post.attempts)))
    lost: set[int] = set()
    if connection.vendor == "postgresql":
        with _bound_cursor() as cursor:
            if results.completed_ids:
                cursor.execute(_COMPLETED_SQL, {
                    "token": token, "release": release, "now": now, "ids": results.completed_ids,
                    "external_ids": results.external_ids, "urls": results.urls,
                })  # fmt: skip
                lost.update(row[0] for row in cursor.fetchall())
                release = False  # done by the statement above
            if failed_rows:
                ids, statuses, errors, next_attempts = map(list, zip(*failed_rows, strict=True))
                cursor.execute(_FAILED_SQL, {
                    "token": token, "release": release, "now": now, "ids": ids, "statuses": statuses,
                    "errors": errors, "next_attempts": next_attempts,
                })  # fmt: skip
                held = {row[0] for row in cursor.fetchall()}
                lost.update(row[0] for row in failed_rows if row[0] not in held)
    else:
        lost = _write_results_orm(results, failed_rows, token=token, now=now)
        if release:
            DispatchLease.objects.filter(token=token).delete()
    written.completed = [pk for pk in results.completed_ids if pk not in lost] if lost else results.completed_ids
    for pk, status, error, next_attempt_at in failed_rows:
        if pk in lost:
            continue
        if status == PostStatus.FAILED:
            written.failed.append({"id": pk, "last_error": error[:300]})
        else:
            written.retrying.append({"id": pk, "next_attempt_at": next_attempt_at, "last_error": error[:300]})
    for pk in sorted(lost):
        logger.warning("post %s was reclaimed while its upload ran (lease %s)", pk, token)
    return written


def _write_results_orm(results: BatchResults, failed_rows: list, *, token: uuid.UUID, now: datetime) -> set[int]:
    held = ScheduledPost.objects.filter(lease_token=token, status=PostStatus.PROCESSING)
    ids = [*results.completed_ids, *(row[0] for row in failed_rows)]
    owned = set(held.filter(pk__in=ids).values_list("pk", flat=True))
    release = {"lease_expires_at": None, "lease_token": None, "claimed_by": "", "updated_at": now}
    for pk, external_id, url in zip(results.completed_ids, results.external_ids, results.urls, strict=True):
        if pk in owned:
            held.filter(pk=pk).update(status=PostStatus.COMPLETED, posted_at=now, last_error="",
                                      external_id=external_id, external_url=url, **release)  # fmt: skip
    for pk, status, error, next_attempt_at in failed_rows:
        if pk in owned:
            extra = {"next_attempt_at": next_attempt_at} if next_attempt_at else {}
            held.filter(pk=pk).update(status=status, last_error=error, **extra, **release)
    return set(ids) - owned


def _renew_leases(ids: Sequence[int], *, token: uuid.UUID, now: datetime) -> None:
    if not ids:
        return
    until = now + lease_duration()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_RENEW_SQL, {"until": until, "token": token, "now": now, "ids": list(ids)})
    else:
        DispatchLease.objects.filter(token=token).update(expires_at=until)
        ScheduledPost.objects.filter(lease_token=token, status=PostStatus.PROCESSING, pk__in=ids).update(
            lease_expires_at=until, updated_at=now
        )


def _release_lease_if_done(token: uuid.UUID) -> None:
    """Drops the batch's DispatchLease once none of its posts is still processing under it."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_RELEASE_IF_DONE_SQL, [token])
        return
    lease = DispatchLease.objects.filter(token=token).first()
    if (
        lease
        and not ScheduledPost.objects.filter(
            pk__in=lease.post_ids, lease_token=token, status=PostStatus.PROCESSING
        ).exists()
    ):
        lease.delete()


def _record(
    results: BatchResults, *, token: uuid.UUID, now: datetime, renew_ids: Sequence[int], announce: bool,
    carried: Written | None, release: bool | None,
) -> Written:  # fmt: skip
    """Writes ``results`` (and renews ``renew_ids``' lease); with ``announce``, one
    ``publishing.posts.dispatched`` event in the same transaction tells these results and the
    ``carried`` ones. ``release``: True when these are the batch's last results (its
    DispatchLease goes with them), None when unknown (it goes if no post still holds it).
    A single write with nothing to announce runs in autocommit (one round trip)."""
    several = announce or renew_ids or (results.completed_ids and results.errors) or release is None
    with transaction.atomic() if several else nullcontext():
        if len(results):
            written = _write_results(results, token=token, now=now, release=bool(release))
        else:
            written = Written()
            if release:
                DispatchLease.objects.filter(token=token).delete()
        if release is None:
            _release_lease_if_done(token)
        if announce:
            if carried:
                carried.extend(written)
                told = carried
            else:
                told = written
            if told:
                events.emit_batch(events.POSTS_DISPATCHED, told.payload())
        _renew_leases(renew_ids, token=token, now=now)
    return written


def record_outcomes(
    *,
    token: uuid.UUID,
    outcomes: Sequence[Outcome],
    now: datetime,
    renew_ids: Sequence[int] = (),
    announce: bool = True,
) -> list[int]:
    """Writes the uploads' results in one short transaction, for the posts this lease still holds.

    Success → ``completed``; an error → back to ``pending`` after the backoff, or
    ``failed`` with the error once the attempts are used up; a post whose lease
    was reclaimed meanwhile is left alone. ``renew_ids`` (posts not uploaded yet)
    get a fresh lease; ``announce`` emits ``publishing.posts.dispatched``.
    Returns the ids of the posts written.
    """
    results = BatchResults()
    for outcome in outcomes:
        results.add(outcome)
    written = _record(results, token=token, now=now, renew_ids=renew_ids, announce=announce, carried=None, release=None)
    return [*written.completed, *(r["id"] for r in written.retrying), *(f["id"] for f in written.failed)]


def upload_request(post: ClaimedPost) -> UploadRequest:
    return post.request


@dataclass
class DispatchReport:
    claimed: int = 0
    completed: int = 0
    retrying: int = 0
    failed: int = 0
    post_ids: list[int] = field(default_factory=list)

    def count(self, written: Written) -> None:
        self.completed += len(written.completed)
        self.retrying += len(written.retrying)
        self.failed += len(written.failed)
        self.post_ids += written.completed
        self.post_ids += (r["id"] for r in written.retrying)
        self.post_ids += (f["id"] for f in written.failed)


class _LateClaimAnnouncement:
    """Announces a claimed batch (``publishing.posts.claimed``) only if its uploads still run
    after ``delay`` seconds, so quick batches cost no event before their results' one.

    A timer thread sends it in its own short transaction (its own connection; the claim has
    committed). ``settle()``, called before the batch's results are written, cancels it or
    waits for it to finish, so "claimed" never follows "dispatched".
    """

    def __init__(self, post_ids: list[int], worker: str, delay: float):
        self._timer = threading.Timer(delay, self._announce, args=(post_ids, worker))
        self._timer.daemon = True
        self._timer.start()

    @staticmethod
    def _announce(post_ids: list[int], worker: str) -> None:
        try:
            with transaction.atomic():
                events.emit_batch(events.POSTS_CLAIMED, {"post_ids": post_ids}, worker=worker)
        except Exception:  # the claim stands; dashboards catch up from the results' event
            logger.warning("could not announce claimed posts %s", post_ids[:10], exc_info=True)
        finally:
            connection.close()  # this thread's own connection

    def settle(self) -> None:
        self._timer.cancel()
        self._timer.join()


def dispatch_due_posts(
    *,
    worker: str | None = None,
    batch_size: int | None = None,
    uploader_for: Callable[[str], Uploader] = get_uploader,
    time_budget_seconds: float | None = None,
    flush_seconds: float = 1.0,
) -> DispatchReport:
    """Publishes every due post exactly once, however many dispatchers run at once.

    Loop: claim a batch (one short statement, SKIP LOCKED, lease), upload each post
    outside any transaction with its idempotency key, and record the results
    (one statement for the batch's successes). The claim grows from 1 (×8 a batch)
    up to ``batch_size`` while uploads are quick and shrinks to what fits in
    ``flush_seconds`` when they are slow, so a worker never sits on posts that an
    idle worker could be uploading. Results are written per batch, or every
    ``flush_seconds`` (renewing the lease of the rest) when uploads are slow.
    ``publishing.posts.dispatched`` goes out at most every ``flush_seconds`` carrying
    everything since, and when the queue is drained or the run ends (each result
    write still commits at once; only its announcement may wait, as the SPEC's
    coalesced hot set projection does). ``publishing.posts.claimed`` goes out with
    the claim when uploads are known to be slow, else only for a batch whose uploads
    are still running after VISIBLE_PROCESSING_SECONDS: a quick run costs one event.
    Stops when nothing is due, or after ``time_budget_seconds``.
    """
    worker = worker or default_worker_name()
    batch_size = max(1, batch_size or dispatch_batch_size())
    deadline = time.monotonic() + time_budget_seconds if time_budget_seconds else None
    hold_unauthenticated_posts(now=timezone.now())
    report = DispatchReport()
    uploaders: dict[str, Uploader] = {}
    claim_size, per_post = 1, None
    carried = Written()
    last_event = time.monotonic()  # results are told at most every flush_seconds, and at the end
    monotonic = time.monotonic

    late: _LateClaimAnnouncement | None = None

    def record(token, results, rest, drained=False):
        nonlocal carried, last_event, late
        if late is not None:
            late.settle()
            late = None
        announce = drained or monotonic() - last_event >= flush_seconds
        written = _record(
            results, token=token, now=timezone.now(), renew_ids=rest, announce=announce, carried=carried,
            release=not rest,
        )  # fmt: skip
        if announce:
            carried, last_event = Written(), monotonic()
        else:
            carried.extend(written)
        report.count(written)

    try:
        while deadline is None or monotonic() < deadline:
            # Known slow uploads: announce the claim with it; otherwise only if it turns out slow.
            announce = per_post is not None and per_post >= VISIBLE_PROCESSING_SECONDS
            token, claimed = claim_due_posts(now=timezone.now(), limit=claim_size, worker=worker, announce=announce)
            if not claimed:
                break
            if announce:  # the claim's event counts as the last announcement
                last_event = monotonic()
            elif per_post is None or per_post * len(claimed) >= VISIBLE_PROCESSING_SECONDS / 4:
                # No timer thread for batches that the last one's pace says end long before it would fire.
                late = _LateClaimAnnouncement([p.pk for p in claimed], worker, VISIBLE_PROCESSING_SECONDS)
            # Fewer than asked: the queue is drained, so this batch's write tells everything not told yet.
            drained = len(claimed) < claim_size
            report.claimed += len(claimed)
            results = BatchResults()
            completed_ids, external_ids, urls = results.completed_ids, results.external_ids, results.urls
            started = last_flush = monotonic()
            last = len(claimed) - 1
            for index, post in enumerate(claimed):
                request = post.request
                over = content_errors(request.platform, Content(request.title, request.caption, request.hashtags))
                if over:  # edited round the checks (admin, database): never published over a limit
                    results.errors.append((post, "Not published: " + " ".join(m for ms in over.values() for m in ms)))
                    results.final.add(post.pk)
                    if index == last:
                        record(token, results, [], drained)
                        results = BatchResults()
                        completed_ids, external_ids, urls = results.completed_ids, results.external_ids, results.urls
                    continue
                try:
                    uploader = uploaders.get(request.platform)
                    if uploader is None:
                        uploader = uploaders[request.platform] = uploader_for(request.platform)
                    result = uploader.upload(request)
                    external_id, url = result.external_id[:255], _permalink(result.url, post.pk)
                except UploadError as exc:
                    results.errors.append((post, str(exc)[:2000] or exc.__class__.__name__))
                    if exc.final:
                        results.final.add(post.pk)
                except Exception as exc:  # an uploader bug must fail the post, not the worker
                    logger.exception("uploader failed on post %s", post.pk)
                    results.errors.append((post, _crash_message(exc)))
                else:
                    completed_ids.append(post.pk)
                    external_ids.append(external_id)
                    urls.append(url)
                if index == last or monotonic() - last_flush >= flush_seconds:
                    if index == last:
                        record(token, results, [], drained)
                    else:
                        record(token, results, [p.pk for p in claimed[index + 1 :]])
                    results = BatchResults()
                    completed_ids, external_ids, urls = results.completed_ids, results.external_ids, results.urls
                    last_flush = monotonic()
            per_post = (monotonic() - started) / len(claimed)
            fits = int(flush_seconds / per_post) if per_post > 0 else batch_size
            claim_size = max(1, min(batch_size, claim_size * 8, fits))
    finally:
        if late is not None:
            late.settle()
    if carried:
        with transaction.atomic():
            events.emit_batch(events.POSTS_DISPATCHED, carried.payload())
    return report


def hold_unauthenticated_posts(*, now: datetime) -> int:
    """Due posts whose account is not authenticated are not published: they become ``held``,
    with the reason, until the account is authenticated again (``update_account``). One small
    query when every account is authenticated. Returns how many were held."""
    accounts = list(PlatformAccount.objects.filter(authenticated=False))
    held: list[int] = []
    for account in accounts:
        with transaction.atomic():
            due = ScheduledPost.objects.select_for_update(skip_locked=True).filter(
                account=account, is_queued=True, next_attempt_at__lte=now
            )
            ids = list(due.values_list("pk", flat=True))
            if not ids:
                continue
            reason = (
                f"Held: the {account.get_platform_display()} account @{account.handle} is not authenticated; "
                "the post goes out once it is."
            )
            ScheduledPost.objects.filter(pk__in=ids).update(status=PostStatus.HELD, last_error=reason, updated_at=now)
            events.emit_batch(events.POSTS_HELD, {"post_ids": ids}, reason=reason)
            held += ids
    return len(held)


@transaction.atomic
def update_account(*, account: PlatformAccount, changes: dict) -> PlatformAccount:
    """Edits a platform account. Authenticated again: its held posts go back to the queue, due now."""
    account = PlatformAccount.objects.select_for_update().get(pk=account.pk)
    was_authenticated = account.authenticated
    for name, value in changes.items():
        setattr(account, name, value)
    account.save()
    if account.authenticated and not was_authenticated:
        now = timezone.now()
        held = ScheduledPost.objects.select_for_update().filter(account=account, status=PostStatus.HELD)
        ids = list(held.values_list("pk", flat=True))
        if ids:
            ScheduledPost.objects.filter(pk__in=ids).update(
                status=PostStatus.PENDING, last_error="", next_attempt_at=now, updated_at=now
            )
            events.emit_batch(events.POSTS_RELEASED, {"post_ids": ids})
            _kick_dispatcher()
    return account


def reclaim_stale_posts(*, now: datetime, limit: int = 1000) -> int:
    """Posts left ``processing`` past their lease (their worker died) go back to the queue.

    Expired batches are found through their DispatchLease. Their posts still held
    under it become due at once — the idempotency key keeps a post whose upload did
    go through from being published twice — or ``failed`` when the lost attempt
    was the last one; the lease row goes. Returns how many posts were reclaimed.
    """
    with transaction.atomic():
        # SKIP LOCKED: two reapers take different leases. The posts are locked plainly: one
        # whose holder is writing its result right now is waited for, then left out.
        leases = (
            DispatchLease.objects.select_for_update(skip_locked=True)
            .filter(expires_at__lt=now)
            .order_by("expires_at", "token")
        )
        token_of = {}  # post id → the expired lease that claimed it
        done: list[uuid.UUID] = []
        for lease in leases[:limit]:
            if len(token_of) >= limit:
                break
            token_of.update(dict.fromkeys(lease.post_ids, lease.token))
            done.append(lease.token)
        candidates = ScheduledPost.objects.select_for_update().filter(pk__in=token_of, status=PostStatus.PROCESSING)
        # Still held under that lease (not written, nor claimed again since).
        stale = [post for post in candidates.order_by("id") if post.lease_token == token_of[post.pk]]
        for post in stale:
            expired = post.lease_expires_at or now
            lost = f"Lease of {post.claimed_by or 'a worker'} expired at {expired:%Y-%m-%d %H:%M:%S} UTC"
            if post.attempts >= max_attempts():
                post.status, post.last_error = PostStatus.FAILED, f"{lost} during the last attempt."
            else:
                post.status, post.last_error, post.next_attempt_at = PostStatus.PENDING, f"{lost}; reclaimed.", now
            post.lease_expires_at, post.lease_token, post.claimed_by, post.updated_at = None, None, "", now
        if stale:
            ScheduledPost.objects.bulk_update(
                stale,
                ["status", "last_error", "next_attempt_at", "lease_expires_at", "lease_token", "claimed_by",
                 "updated_at"],
            )  # fmt: skip
            events.emit_batch(events.POSTS_RECLAIMED, events.batch_payload(stale))
        DispatchLease.objects.filter(token__in=done).delete()
    return len(stale)


# --- AI templates and generation -----------------------------------------------------


@transaction.atomic
def activate_template(*, template: AITemplate) -> AITemplate:
    """Makes ``template`` the one active template (the others are deactivated in the same transaction).

    Locking every template first makes concurrent activations take turns; the
    partial unique index ``publishing_one_active_template`` guards the invariant.
    """
    list(AITemplate.objects.select_for_update().order_by("pk").values_list("pk", flat=True))
    template = AITemplate.objects.get(pk=template.pk)
    AITemplate.objects.filter(is_active=True).exclude(pk=template.pk).update(is_active=False, updated_at=timezone.now())
    if not template.is_active:
        template.is_active = True
        template.save(update_fields=["is_active", "updated_at"])
    events.emit(events.TEMPLATE_ACTIVATED, {"template_id": template.pk, "name": template.name})
    return template


def generate_metadata(
    *, filename: str, game_context: str, prompt_text: str | None = None, generator: Generator | None = None
) -> Metadata:
    """Title, caption and hashtags for a clip, from ``prompt_text`` or the active template (else the built-in).

    Raises a GenerationError (InvalidReply, GenerationUnavailable) rather than
    returning anything partial. Talks to the network: call it outside transactions.
    """
    if prompt_text is None:
        template = selectors.active_template()
        prompt_text = template.prompt_text if template else DEFAULT_PROMPT
    unknown = unknown_variables(prompt_text)
    if unknown:  # a template saved before the check: refuse rather than send blanks to the model
        raise InvalidInput(
            "The prompt names variables that cannot be filled.",
            errors={"prompt": [f"Unknown: {', '.join(unknown)}; use {{filename}} and {{game_context}}."]},
        )
    prompt = render_prompt(prompt_text, filename=filename, game_context=game_context)
    return (generator or get_generator()).generate(prompt=prompt, filename=filename, game_context=game_context)


@dataclass
class RegisteredClip:
    video: Video
    posts: list[ScheduledPost]


def register_clip(
    *, path: str | os.PathLike, now: datetime, game_context: str = "", generator: Generator | None = None
) -> RegisteredClip | None:
    """The clip watcher's step for one finished file: register it, give it metadata, schedule it.

    Scheduled on every authenticated platform at the next slot free on all of
    them (so successive clips are spaced). None when the file is already
    registered. Metadata is generated before anything is written: a generation
    error leaves no video and no post behind. A file that breaks the source rules (a link
    leading out of the media roots) raises SourceRefused before anything else.
    """
    source = sources.check_local(os.path.abspath(path))  # the watcher may be given a relative folder
    if Video.objects.filter(source=source).exists():
        return None
    filename = Path(path).name
    metadata = generate_metadata(filename=filename, game_context=game_context or "gaming", generator=generator)
    with transaction.atomic():
        video = create_video(
            source=source,
            original_filename=filename,
            title=metadata.title,
            caption=metadata.caption,
            hashtags=metadata.hashtags,
            game_context=game_context,
        )
        events.emit(events.VIDEO_REGISTERED, {"video_id": video.pk, "title": video.title, "source": video.source})
        platforms = sorted(selectors.authenticated_platforms())
        posts = schedule_video(video=video, platforms=platforms, now=now) if platforms else []
    return RegisteredClip(video=video, posts=posts)
