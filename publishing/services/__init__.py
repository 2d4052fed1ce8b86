"""Every write of the publishing queue: one function per use case, keyword-only arguments.

Services know nothing of HTTP or permissions; they raise ``config.errors``
(InvalidInput → 400, Conflict → 409) and emit ``publishing.*`` events inside
their transaction (sent after commit). By concern: ``videos``, ``scheduling`` (posts and
their actions), ``accounts``; the dispatcher is ``publishing.dispatch``, AI metadata
``publishing.metadata``, the knobs ``publishing.knobs`` — all re-exported here, so
``services.dispatch_due_posts(...)`` keeps working."""

from __future__ import annotations

from publishing.dispatch import (
    BatchResults,
    ClaimedPost,
    DispatchReport,
    Outcome,
    Written,
    claim_due_posts,
    default_worker_name,
    dispatch_due_posts,
    hold_unauthenticated_posts,
    reclaim_stale_posts,
    record_outcomes,
    upload_request,
)
from publishing.knobs import (
    VISIBLE_PROCESSING_SECONDS,
    backoff_after,
    dispatch_batch_size,
    lease_duration,
    max_attempts,
    publishing_tz,
    slot_rules,
)
from publishing.metadata import (
    GeneratorDown,
    RegisteredClip,
    activate_template,
    create_template,
    delete_template,
    generate_metadata,
    register_clip,
    update_template,
)
from publishing.services.accounts import ACCOUNT_FIELDS, create_account, delete_account, update_account
from publishing.services.scheduling import (
    cancel_post,
    force_post,
    next_slot,
    reschedule_post,
    retry_post,
    schedule_video,
    space_videos,
)
from publishing.services.videos import (
    check_content,
    checked_source,
    content_of,
    create_video,
    delete_video,
    update_video,
)
from publishing.uploaders import UploadResult

__all__ = [
    "BatchResults",
    "ClaimedPost",
    "DispatchReport",
    "Outcome",
    "RegisteredClip",
    "UploadResult",
    "VISIBLE_PROCESSING_SECONDS",
    "Written",
    "activate_template",
    "backoff_after",
    "cancel_post",
    "check_content",
    "checked_source",
    "claim_due_posts",
    "content_of",
    "create_video",
    "default_worker_name",
    "delete_video",
    "dispatch_batch_size",
    "dispatch_due_posts",
    "force_post",
    "generate_metadata",
    "hold_unauthenticated_posts",
    "lease_duration",
    "max_attempts",
    "next_slot",
    "publishing_tz",
    "reclaim_stale_posts",
    "record_outcomes",
    "register_clip",
    "reschedule_post",
    "retry_post",
    "schedule_video",
    "slot_rules",
    "space_videos",
    "update_account",
    "GeneratorDown",
    "create_template",
    "update_template",
    "delete_template",
    "create_account",
    "delete_account",
    "ACCOUNT_FIELDS",
    "update_video",
    "upload_request",
]
