"""Recording upload outcomes: completed, retrying with back-off, or failed, written in one
statement per kind for the posts this batch still holds."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection, transaction

from publishing import events
from publishing.dispatch.claim import ClaimedPost, release_lease_if_done, renew_leases
from publishing.dispatch.sql import COMPLETED_SQL, FAILED_SQL, bound_cursor
from publishing.knobs import backoff_after, max_attempts
from publishing.models import DispatchLease, PostStatus, ScheduledPost
from publishing.uploaders import UploadRequest, UploadResult, safe_permalink

logger = logging.getLogger(__name__)


@dataclass
class Outcome:
    post: ClaimedPost
    result: UploadResult | None = None
    error: str = ""
    final: bool = False  # the error cannot go away by retrying: the post fails now


def checked_permalink(url: str, post_id: int) -> str:
    """The uploader's permalink if it is http(s); anything else (``javascript:``…) is dropped:
    the post was published, so it completes, without a link."""
    safe = safe_permalink(url)
    if url and not safe:
        logger.warning("post %s: the uploader's permalink is not an http(s) URL; not stored: %.200r", post_id, url)
    return safe


def crash_message(exc: Exception) -> str:
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
            self.urls.append(checked_permalink(outcome.result.url, outcome.post.pk))
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
        with bound_cursor() as cursor:
            if results.completed_ids:
                cursor.execute(COMPLETED_SQL, {
                    "token": token, "release": release, "now": now, "ids": results.completed_ids,
                    "external_ids": results.external_ids, "urls": results.urls,
                })  # fmt: skip
                lost.update(row[0] for row in cursor.fetchall())
                release = False  # done by the statement above
            if failed_rows:
                ids, statuses, errors, next_attempts = map(list, zip(*failed_rows, strict=True))
                cursor.execute(FAILED_SQL, {
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


def record_batch(
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
            release_lease_if_done(token)
        if announce:
            if carried:
                carried.extend(written)
                told = carried
            else:
                told = written
            if told:
                events.publish(events.POSTS_DISPATCHED, events.bounded(told.payload()))
        renew_leases(renew_ids, token=token, now=now)
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
    written = record_batch(
        results, token=token, now=now, renew_ids=renew_ids, announce=announce, carried=None, release=None
    )
    return [*written.completed, *(r["id"] for r in written.retrying), *(f["id"] for f in written.failed)]


def upload_request(post: ClaimedPost) -> UploadRequest:
    return post.request
