"""Every write of the hot set: one function per use case, keyword-only, atomic.

Services know nothing of HTTP or permissions (the API and the admin check those);
they enforce the order rules with ``Conflict`` (409) and bad input with
``InvalidInput`` (400), and publish ``hotset.*`` events inside their transaction
(sent after commit). Every change to a session's schedule ends with
``request_projection_update``, which coalesces ``hotset.projection.updated`` to at
most one per session per ``PROJECTION_COALESCE``.

A package by concern (helpers, projects, sessions, items, auto_start, projection, catch_up);
this module re-exports every name, so ``services.start_item(...)`` keeps working.
"""

from config.errors import Conflict, InvalidInput
from hotset.services.auto_start import (
    auto_start_sessions,
)
from hotset.services.catch_up import (
    SuggestionStatus,
    apply_suggestion,
    dismiss_suggestion,
    regenerate_open_suggestions,
    regenerate_suggestions,
)
from hotset.services.helpers import (
    CREW_ROLE,
    DAY_EDITABLE_FIELDS,
    ITEM_EDITABLE_FIELDS,
    NOTIFIED_ROLES,
    PROJECT_EDITABLE_FIELDS,
    PROJECTION_COALESCE,
    PROJECTION_STALE_AFTER,
    SETTINGS_FIELDS,
    ItemStatus,
    Status,
    logger,
)
from hotset.services.items import (
    add_item,
    complete_item,
    delete_item,
    reorder_items,
    skip_item,
    start_item,
    update_item,
)
from hotset.services.projection import (
    request_projection_update,
    send_scheduled_projection,
)
from hotset.services.projects import (
    create_production_day,
    create_project,
    delete_production_day,
    delete_project,
    rotate_project_calendar_token,
    update_production_day,
    update_project,
    update_settings,
)
from hotset.services.sessions import (
    confirm_crew_call,
    confirm_first_shot,
    create_session,
    delete_session,
    start_session,
    wrap_session,
)

__all__ = [
    "Conflict",
    "InvalidInput",
    "CREW_ROLE",
    "DAY_EDITABLE_FIELDS",
    "ITEM_EDITABLE_FIELDS",
    "ItemStatus",
    "NOTIFIED_ROLES",
    "PROJECTION_COALESCE",
    "PROJECTION_STALE_AFTER",
    "PROJECT_EDITABLE_FIELDS",
    "SETTINGS_FIELDS",
    "Status",
    "logger",
    "create_production_day",
    "create_project",
    "delete_production_day",
    "delete_project",
    "rotate_project_calendar_token",
    "update_production_day",
    "update_project",
    "update_settings",
    "confirm_crew_call",
    "confirm_first_shot",
    "create_session",
    "delete_session",
    "start_session",
    "wrap_session",
    "add_item",
    "complete_item",
    "delete_item",
    "reorder_items",
    "skip_item",
    "start_item",
    "update_item",
    "auto_start_sessions",
    "request_projection_update",
    "send_scheduled_projection",
    "SuggestionStatus",
    "apply_suggestion",
    "dismiss_suggestion",
    "regenerate_open_suggestions",
    "regenerate_suggestions",
]
