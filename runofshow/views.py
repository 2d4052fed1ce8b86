"""The run-of-show dashboard page (SPEC §6): /dash/runofshow/{session_id}/."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from config.pages import dashboard_context
from realtime import groups
from realtime.selectors import page_positions
from runofshow import selectors
from runofshow.api.serializers import SegmentSerializer, ShowStateSerializer, StageMessageSerializer
from runofshow.columns import ALLOWED_COLUMNS
from runofshow.models import ShowSession
from runofshow.permissions import MANAGE_SHOW_CALL, VIEW_SHOW_CALL

COLUMN_LABELS = {
    "order": "#",
    "name": "Segment",
    "start_time": "Start",
    "end_time": "End",
    "duration": "Min",
    "type": "Type",
    "status": "Status",
    "notes": "Notes",
    "cues_count": "Cues",
    "created_by": "Created by",
    "updated_at": "Updated",
}


@login_required
def session_dashboard(request, session_id: int):
    """The rundown with the user's columns, the live segment highlighted for every viewer, the
    show's timing, and (for show callers) the activate / complete buttons. Data is rendered in
    the page so it shows at once; the page then follows the session's events over /ws/."""
    if not request.user.has_perm(VIEW_SHOW_CALL):
        raise PermissionDenied
    session = get_object_or_404(ShowSession, pk=session_id)
    # Before the data: the page resumes its socket from here.
    positions = page_positions([groups.object_group(groups.RUNOFSHOW_SESSION, session.pk)])
    with timezone.override(session.timezone):  # the API's shapes, in the show's zone like the API
        initial = _dashboard_data(request, session)
    context = dashboard_context(request, session=session, initial=initial, live_positions=positions)
    return render(request, "runofshow/dashboard.html", context)


def _dashboard_data(request, session: ShowSession) -> dict:
    columns, is_default = selectors.visible_columns(user=request.user, session_id=session.pk)
    return {
        "session": {
            "id": session.pk,
            "name": session.name,
            "timezone": session.timezone,
            "date": session.date.isoformat(),
        },
        "can_call": request.user.has_perm(MANAGE_SHOW_CALL),
        "columns": columns,
        "columns_default": is_default,
        "allowed_columns": [{"name": name, "label": COLUMN_LABELS[name]} for name in ALLOWED_COLUMNS],
        "segments": SegmentSerializer(selectors.rundown(session.pk), many=True).data,
        "state": ShowStateSerializer(selectors.show_state(session, now=timezone.now())).data,
        "message": StageMessageSerializer(selectors.stage_message(session.pk)).data,
        "warning_seconds": selectors.STAGE_WARNING_SECONDS,
        "danger_seconds": selectors.STAGE_DANGER_SECONDS,
    }


def _open_link_or_none(token: str):
    return selectors.open_viewer_link(token, now=timezone.now())


@never_cache
def stage_page(request, token: str):
    """The stage timer (SPEC §2): full screen, read-only, no account — the link's token is the key.
    A revoked or expired link answers 404 with a page that says so."""
    link = _open_link_or_none(token)
    if link is None:
        return render(request, "runofshow/stage_closed.html", status=404)
    positions = page_positions([groups.object_group(groups.RUNOFSHOW_SESSION, link.session_id)])
    context = {
        "session": link.session,
        "initial": selectors.stage_body(link, now=timezone.now()),
        "live_positions": positions,
        "group": groups.object_group(groups.RUNOFSHOW_SESSION, link.session_id),
        "socket_token": token,
    }
    return render(request, "runofshow/stage.html", context)


@never_cache
def stage_state(request, token: str):
    """What the stage timer shows, refetched on every event of its show; 404 once the link is closed."""
    link = _open_link_or_none(token)
    if link is None:
        return JsonResponse({"detail": "This link is revoked or expired.", "errors": {}}, status=404)
    return JsonResponse(selectors.stage_body(link, now=timezone.now()))
