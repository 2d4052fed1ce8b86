"""Links to the hot set dashboards on /dash/."""

from __future__ import annotations

from django.urls import reverse

from hotset.models import HotSetSession

LIMIT = 10


def links(user) -> list[tuple[str, str]]:
    if not user.has_perm("hotset.view_hotsetsession"):
        return []
    sessions = HotSetSession.objects.select_related("production_day__project").order_by("-production_day__date")
    return [
        (
            f"Hot set · {s.production_day.project.name} · day {s.production_day.day_number} "
            f"({s.production_day.date:%a %d %b}) · {s.get_status_display().lower()}",
            reverse("hotset-dashboard", args=[s.pk]),
        )
        for s in sessions[:LIMIT]
    ]
