"""Claiming due posts: a batch under one lease token (SKIP LOCKED), with what the uploads
need, and the lease kept alive or released."""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import uuid
from collections.abc import Sequence
from contextlib import nullcontext
from datetime import datetime
from types import MappingProxyType
from typing import NamedTuple

from django.db import connection, transaction
from django.db.models import F, Subquery

from config.secrets import UnreadableSecret, decrypt_json
from publishing import events
from publishing.dispatch.sql import CLAIM_SQL, RELEASE_IF_DONE_SQL, RENEW_SQL, bound_cursor
from publishing.knobs import lease_duration
from publishing.models import DispatchLease, PostStatus, ScheduledPost
from publishing.uploaders import UploadRequest

logger = logging.getLogger(__name__)


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
    """The claim for databases other than PostgreSQL: the same rows and lease row as ``CLAIM_SQL``,
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
            with bound_cursor() as cursor:
                params = {"token": token, "until": lease_until, "worker": worker, "now": now, "limit": limit}
                cursor.execute(CLAIM_SQL, params)
                rows = cursor.fetchall()
        else:
            rows = _claim_rows_orm(token=token, now=now, lease_until=lease_until, limit=limit, worker=worker)
        claimed = _claimed_posts(rows, lease_until=lease_until, worker=worker)
        if claimed and announce:
            events.publish(events.POSTS_CLAIMED, events.bounded({"post_ids": [p.pk for p in claimed]}, worker=worker))
    return token, claimed


def renew_leases(ids: Sequence[int], *, token: uuid.UUID, now: datetime) -> None:
    if not ids:
        return
    until = now + lease_duration()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(RENEW_SQL, {"until": until, "token": token, "now": now, "ids": list(ids)})
    else:
        DispatchLease.objects.filter(token=token).update(expires_at=until)
        ScheduledPost.objects.filter(lease_token=token, status=PostStatus.PROCESSING, pk__in=ids).update(
            lease_expires_at=until, updated_at=now
        )


def release_lease_if_done(token: uuid.UUID) -> None:
    """Drops the batch's DispatchLease once none of its posts is still processing under it."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(RELEASE_IF_DONE_SQL, [token])
        return
    lease = DispatchLease.objects.filter(token=token).first()
    if (
        lease
        and not ScheduledPost.objects.filter(
            pk__in=lease.post_ids, lease_token=token, status=PostStatus.PROCESSING
        ).exists()
    ):
        lease.delete()
