"""The ``publishing.*`` events and their payloads.

They go through ``realtime.broadcast.publish`` inside the service's transaction
(sent after commit) to the role groups the broadcast rules name (by default
social_manager and producer). The dispatcher emits one compact event per batch
of results rather than one per post: every event takes each target group's
cursor row lock until commit and costs a channel-layer send per group, so
per-post events would line the workers up behind each other (measured in
bench/publishing_dispatch.py). It announces a claimed batch
(``publishing.posts.claimed``) only when uploads are slow enough for
"processing" to be seen; quick batches go straight to ``publishing.posts.dispatched``.

Batch events are bounded: each list names at most EVENT_LIST_LIMIT posts, and
``counts`` says how many there were in all (``truncated`` when some are left out).
A worker draining thousands of posts would otherwise write every id into each
role group's log row and push it to every open dashboard, which refetches anyway.
"""

from __future__ import annotations

from collections.abc import Iterable

from publishing.uploaders import safe_permalink
from realtime import broadcast

VIDEO_REGISTERED = "publishing.video.registered"
VIDEO_SCHEDULED = "publishing.video.scheduled"
POST_RESCHEDULED = "publishing.post.rescheduled"
POST_CANCELLED = "publishing.post.cancelled"
POST_FORCED = "publishing.post.forced"
POST_RETRIED = "publishing.post.retried"
POSTS_CLAIMED = "publishing.posts.claimed"
POSTS_DISPATCHED = "publishing.posts.dispatched"
POSTS_RECLAIMED = "publishing.posts.reclaimed"
POSTS_HELD = "publishing.posts.held"
POSTS_RELEASED = "publishing.posts.released"
TEMPLATE_ACTIVATED = "publishing.template.activated"


def post_payload(post) -> dict:
    return {
        "id": post.pk,
        "video_id": post.video_id,
        "platform": post.platform,
        "status": post.status,
        "scheduled_time": post.scheduled_time,
        "attempts": post.attempts,
        "next_attempt_at": post.next_attempt_at,
        "external_url": safe_permalink(post.external_url),
        "last_error": post.last_error,
    }


EVENT_LIST_LIMIT = 200


def bounded(lists: dict[str, list], **fields) -> dict:
    """A batch event's payload: ``lists`` cut to EVENT_LIST_LIMIT items each, their full
    ``counts``, ``truncated`` when anything was cut, and ``fields`` as they are."""
    counts = {name: len(items) for name, items in lists.items()}
    return {
        **fields,
        **{name: list(items[:EVENT_LIST_LIMIT]) for name, items in lists.items()},
        "counts": counts,
        "truncated": any(count > EVENT_LIST_LIMIT for count in counts.values()),
    }


def batch_payload(posts: Iterable) -> dict:
    """A dispatcher batch, compact (clients refetch details): ids by outcome, with the errors."""
    payload: dict[str, list] = {"completed": [], "retrying": [], "failed": []}
    for post in posts:
        if post.status == "completed":
            payload["completed"].append(post.pk)
        elif post.status == "failed":
            payload["failed"].append({"id": post.pk, "last_error": post.last_error[:300]})
        else:
            payload["retrying"].append(
                {"id": post.pk, "next_attempt_at": post.next_attempt_at, "last_error": post.last_error[:300]}
            )
    return payload


def post_event_payload(post) -> dict:
    return {"post": post_payload(post)}


def video_scheduled_payload(video, posts: Iterable) -> dict:
    posts = list(posts)
    times = sorted({post.scheduled_time for post in posts})
    return {
        "video_id": video.pk,
        "title": video.title,
        "scheduled_time": times[0] if len(times) == 1 else None,
        "scheduled_times": {post.platform: post.scheduled_time for post in posts},
        "platforms": [post.platform for post in posts],
        "post_ids": [post.pk for post in posts],
    }


def publish(event_type: str, payload: dict) -> None:
    """Logs the event for the rule roles (no object group: the queue is one); sent after commit."""
    broadcast.publish(event_type, payload)
