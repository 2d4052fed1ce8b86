"""The hot set dashboard page (SPEC §6): /dash/hotset/{session_id}/."""

from __future__ import annotations

from datetime import UTC

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET
from rest_framework.exceptions import ValidationError

from config.errors import Conflict
from config.pages import dashboard_context
from hotset import selectors
from hotset.api.serializers import HotSetSessionSerializer, HotSetSettingsSerializer
from hotset.models import HotSetSession, ProductionDay
from hotset.permissions import RUN_HOT_SET
from realtime import groups
from realtime.selectors import page_positions

# The pre-call checklist the 1st AD ticks before confirming crew call and first shot.
PRE_CALL_CHECKLIST = [
    "Call sheet sent and confirmed",
    "Location / stage open, parking and base camp set",
    "Safety briefing prepared",
    "Cast pickups and hair & make-up on time",
    "Camera, grip and electric prepped for the first setup",
    "Sound and video village ready",
]


def _projection_or_problem(session: HotSetSession) -> tuple[dict, str]:
    """The projection, or — when a stored time is out of range (selectors answer 409) — an empty
    one the page can draw, with the message that says what to correct."""
    try:
        return selectors.projection(session.pk, now=timezone.now()), ""
    except Conflict as exc:
        problems = [message for messages in exc.errors.values() for message in messages]
        day = session.production_day
        empty = {
            "session_id": session.pk,
            "status": session.status,
            "timezone": day.project.timezone,
            "at": None,
            "general_call_time": None,
            "cumulative_variance_minutes": 0,
            "realtime_deviation_minutes": 0,
            "schedule_position": None,
            "current_item_id": None,
            "expected_item_id": None,
            "next_item_id": None,
            "planned_wrap": None,
            "schedule_planned_end": None,
            "projected_wrap": None,
            "wrap_variance_minutes": 0,
            "remaining_minutes": 0,
            "extended_wrap": None,
            "labour": None,
            "items": [],
        }
        return empty, " ".join([exc.detail, *problems])


@login_required
def session_dashboard(request, session_id: int):
    """Live view of a shoot day: tabs (current & upcoming, full day, completed), the dual
    variance card, the pre-call countdown with its checklist and confirm buttons. Data is
    rendered into the page; the page then follows the session's events over /ws/."""
    if not request.user.has_perm("hotset.view_hotsetsession"):
        raise PermissionDenied
    session = get_object_or_404(
        HotSetSession.objects.select_related(
            "production_day__project", "crew_call_confirmed_by", "first_shot_confirmed_by"
        ),
        pk=session_id,
    )
    get_token(request)  # the page's API calls (session auth) send the CSRF cookie back
    settings = selectors.settings_for(session.production_day.project)
    # The settings (labour rules, triggers) only for those who may read them over REST; the
    # default tab is the page's own behaviour, for every viewer.
    can_view_settings = request.user.has_perm("hotset.view_hotsetsettings")
    can_view_suggestions = request.user.has_perm("hotset.view_suggestion")
    # Read before the data: the page resumes its groups from here (realtime.js).
    positions = page_positions(
        [
            groups.object_group(groups.HOTSET_SESSION, session.pk),
            *([groups.object_group(groups.HOTSET_SESSION_SETTINGS, session.pk)] if can_view_settings else []),
            *([groups.object_group(groups.HOTSET_SESSION_SUGGESTIONS, session.pk)] if can_view_suggestions else []),
        ]
    )
    projection, problem = _projection_or_problem(session)
    try:
        session_data = HotSetSessionSerializer(session).data
    except ValidationError:
        # A stored time at the calendar's very end overflows in the project's zone: UTC shows it.
        session_data = HotSetSessionSerializer(session, context={"tz": UTC}).data
    initial = {
        "session": session_data,
        "projection": projection,
        "problem": problem,
        # Keys the browser's offline queue: actions queued by one user on a shared phone are
        # never sent under the next user's login.
        "user_id": request.user.pk,
        "can_run": request.user.has_perm(RUN_HOT_SET),
        "default_view": settings.default_schedule_view,
        "can_view_settings": can_view_settings,
        **({"settings": HotSetSettingsSerializer(settings).data} if can_view_settings else {}),
        "can_change_settings": request.user.has_perm("hotset.change_hotsetsettings"),
        "checklist": PRE_CALL_CHECKLIST,
        "can_view_suggestions": can_view_suggestions,
        # Where a scene can move to: the project's later days that are not wrapped.
        "later_days": [
            {"id": d.pk, "label": f"Day {d.day_number} · {d.date.isoformat()}"}
            for d in ProductionDay.objects.filter(
                project_id=session.production_day.project_id, date__gt=session.production_day.date
            )
            .exclude(hotset_session__status=HotSetSession.Status.WRAPPED)
            .order_by("date")[:20]
        ],
    }
    context = dashboard_context(request, session=session, initial=initial, problem=problem, live_positions=positions)
    return render(request, "hotset/dashboard.html", context)


# Bump to drop what phones kept of an older page layout.
SERVICE_WORKER_CACHE = "setdesk-hotset-v1"


@require_GET
def service_worker(request):
    """The dashboard's service worker (templates/hotset/sw.js), served from /dash/hotset/ so its
    scope covers the dashboards. No data in it, so no login: it must load for the page that
    registers it. Never cached by the browser's HTTP cache, so an update reaches phones."""
    response = render(
        request, "hotset/sw.js", {"cache_name": SERVICE_WORKER_CACHE}, content_type="text/javascript; charset=utf-8"
    )
    response["Cache-Control"] = "no-cache"
    return response
