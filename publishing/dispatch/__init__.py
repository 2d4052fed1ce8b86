"""The dispatcher (SPEC §4): due posts are claimed in batches under a lease, uploaded in
parallel, their outcomes written back in one statement per kind, and posts of a dead worker
reclaimed after their lease. ``sql`` holds the raw statements; ``claim``, ``results``, ``loop``
and ``reaper`` the steps."""

from __future__ import annotations

from publishing.dispatch.claim import ClaimedPost, claim_due_posts, default_worker_name
from publishing.dispatch.loop import DispatchReport, dispatch_due_posts, hold_unauthenticated_posts
from publishing.dispatch.reaper import reclaim_stale_posts
from publishing.dispatch.results import BatchResults, Outcome, Written, record_outcomes, upload_request

__all__ = [
    "BatchResults",
    "ClaimedPost",
    "DispatchReport",
    "Outcome",
    "Written",
    "claim_due_posts",
    "default_worker_name",
    "dispatch_due_posts",
    "hold_unauthenticated_posts",
    "reclaim_stale_posts",
    "record_outcomes",
    "upload_request",
]
