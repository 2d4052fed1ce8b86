"""The rotations dashboard (SPEC §6): /dash/rotations/ — run the scheduler with a live progress
bar, review the latest run as an employee × day grid, approve per day, per employee or all."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.http import JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from config.pages import dashboard_context
from realtime.broadcast import role_groups_for
from realtime.groups import role_group
from realtime.selectors import page_positions
from rotations import selectors

VIEW = "rotations.view_pendingschedule"


def live_groups(user) -> list[str]:
    """The user's role groups that the broadcast rules send rotations events to."""
    mine = {role_group(name) for name in user.groups.values_list("name", flat=True)}
    return sorted(mine & set(role_groups_for("rotations.")))


def _data(request) -> dict:
    return {
        **selectors.dashboard(now=timezone.now()),
        "can_run": request.user.has_perm("rotations.run_auto_schedule"),
        "can_approve": request.user.has_perm("rotations.approve_schedule"),
        "now": timezone.now().isoformat(),
    }


@login_required
@permission_required(VIEW, raise_exception=True)
def dashboard(request):
    groups = live_groups(request.user)
    positions = page_positions(groups)  # before the data: the page resumes from here
    get_token(request)  # the page's API calls (session auth) send the CSRF cookie back
    initial = {**_data(request), "groups": groups}
    context = dashboard_context(request, initial=initial, live_positions=positions)
    return render(request, "rotations/dashboard.html", context)


@never_cache
@login_required
@permission_required(VIEW, raise_exception=True)
def dashboard_data(request):
    """The same data as JSON: the page refetches it when a run or a proposal changes."""
    return JsonResponse(_data(request))
