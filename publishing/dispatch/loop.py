"""The dispatch loop: claim, upload in parallel, record, announce; due posts of accounts
not authenticated are held first."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection, transaction

from publishing import events
from publishing.dispatch.claim import claim_due_posts, default_worker_name
from publishing.dispatch.results import BatchResults, Written, checked_permalink, crash_message, record_batch
from publishing.knobs import VISIBLE_PROCESSING_SECONDS, dispatch_batch_size
from publishing.limits import Content, content_errors
from publishing.models import PlatformAccount, PostStatus, ScheduledPost
from publishing.uploaders import Uploader, UploadError, get_uploader

logger = logging.getLogger(__name__)


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
                events.publish(events.POSTS_CLAIMED, events.bounded({"post_ids": post_ids}, worker=worker))
        except Exception:  # the claim stands; dashboards catch up from the results' event
            logger.warning("could not announce claimed posts %s", post_ids[:10], exc_info=True)
        finally:
            connection.close()  # this thread's own connection

    def settle(self) -> None:
        self._timer.cancel()
        self._timer.join()


def dispatch_due_posts(
    *,
    clock: Callable[[], datetime],
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
    Stops when nothing is due, or after ``time_budget_seconds``. ``clock`` gives each step's
    moment (the task passes ``timezone.now``).
    """
    worker = worker or default_worker_name()
    batch_size = max(1, batch_size or dispatch_batch_size())
    deadline = time.monotonic() + time_budget_seconds if time_budget_seconds else None
    hold_unauthenticated_posts(now=clock())
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
        written = record_batch(
            results, token=token, now=clock(), renew_ids=rest, announce=announce, carried=carried,
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
            token, claimed = claim_due_posts(now=clock(), limit=claim_size, worker=worker, announce=announce)
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
                    external_id, url = result.external_id[:255], checked_permalink(result.url, post.pk)
                except UploadError as exc:
                    results.errors.append((post, str(exc)[:2000] or exc.__class__.__name__))
                    if exc.final:
                        results.final.add(post.pk)
                except Exception as exc:  # an uploader bug must fail the post, not the worker
                    logger.exception("uploader failed on post %s", post.pk)
                    results.errors.append((post, crash_message(exc)))
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
            events.publish(events.POSTS_DISPATCHED, events.bounded(carried.payload()))
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
            events.publish(events.POSTS_HELD, events.bounded({"post_ids": ids}, reason=reason))
            held += ids
    return len(held)
