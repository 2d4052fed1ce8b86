"""The publishing dashboards (SPEC §6): the queue (/dash/publishing/) and the AI templates page."""

from __future__ import annotations

import dataclasses

from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render
from django.utils import timezone

from config.pages import dashboard_context
from publishing import selectors, services
from publishing.api.serializers import AITemplateSerializer, PlatformAccountSerializer, PostSerializer
from publishing.generators import DEFAULT_PROMPT
from publishing.limits import LIMITS
from publishing.models import AITemplate, PlatformAccount, PostStatus
from realtime.broadcast import role_groups_for
from realtime.groups import role_group
from realtime.selectors import page_positions

VIEW = "publishing.view_scheduledpost"
MANAGE = "publishing.change_scheduledpost"
RECENTLY_POSTED = 20
QUEUE_PAGE = 50


def live_groups(user) -> list[str]:
    """The user's role groups that the broadcast rules send publishing events to."""
    mine = {role_group(name) for name in user.groups.values_list("name", flat=True)}
    return sorted(mine & set(role_groups_for("publishing.")))


def _common(request, groups: list[str]) -> dict:
    return {
        "now": timezone.now().isoformat(),
        "timezone": services.publishing_tz().key,  # the team's zone: whose whole hours the slots are
        "groups": groups,
    }


@login_required
@permission_required(VIEW, raise_exception=True)
def queue(request):
    """Stats, the queue with a per-post countdown, and (for social managers) the post actions."""
    groups = live_groups(request.user)
    positions = page_positions(groups)  # before the data: the page resumes from here
    waiting = selectors.posts().filter(status__in=selectors.QUEUE_STATUSES).order_by("scheduled_time", "id")
    posted = selectors.posts().filter(status=PostStatus.COMPLETED).order_by("-posted_at", "-id")[:RECENTLY_POSTED]
    initial = {
        **_common(request, groups),
        "can_manage": request.user.has_perm(MANAGE),
        "can_schedule": request.user.has_perm("publishing.add_scheduledpost"),
        "stats": selectors.post_stats(now=timezone.now()),
        # The first page of the queue (the page asks for more); the total says how many wait.
        "posts": PostSerializer([*waiting[:QUEUE_PAGE], *posted], many=True).data,
        "queue_total": waiting.count(),
        "limits": {name: dataclasses.asdict(limits) for name, limits in LIMITS.items()},
        "accounts": PlatformAccountSerializer(PlatformAccount.objects.all(), many=True).data,
    }
    return render(
        request, "publishing/queue.html", dashboard_context(request, initial=initial, live_positions=positions)
    )


@login_required
@permission_required("publishing.view_aitemplate", raise_exception=True)
def templates_page(request):
    """The AI templates: list, edit, activate, delete, and try a prompt."""
    groups = live_groups(request.user)
    positions = page_positions(groups)  # before the data: the page resumes from here
    initial = {
        **_common(request, groups),
        "can_edit": request.user.has_perm("publishing.change_aitemplate"),
        "templates": AITemplateSerializer(AITemplate.objects.all(), many=True).data,
        "default_prompt": DEFAULT_PROMPT,
    }
    return render(
        request, "publishing/templates.html", dashboard_context(request, initial=initial, live_positions=positions)
    )
