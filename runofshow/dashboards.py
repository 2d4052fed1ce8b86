"""Links to the run-of-show dashboards for /dash/ (the latest shows first)."""

from __future__ import annotations

from django.urls import reverse

from runofshow.models import ShowSession
from runofshow.permissions import VIEW_SHOW_CALL

MAX_LINKS = 10


def links(user) -> list[tuple[str, str]]:
    if not user.has_perm(VIEW_SHOW_CALL):
        return []
    shows = ShowSession.objects.order_by("-date", "name", "id")[:MAX_LINKS]
    return [
        (f"Run of show · {show.name} ({show.date:%Y-%m-%d})", reverse("runofshow-dashboard", args=[show.pk]))
        for show in shows
    ]
