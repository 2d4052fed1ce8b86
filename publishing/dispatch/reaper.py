"""The reaper: posts left ``processing`` past their lease (their worker died) go back to the
queue, published at most once."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.db import transaction

from publishing import events
from publishing.knobs import max_attempts
from publishing.models import DispatchLease, PostStatus, ScheduledPost


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
            events.publish(events.POSTS_RECLAIMED, events.bounded(events.batch_payload(stale)))
        DispatchLease.objects.filter(token__in=done).delete()
    return len(stale)
