"""Links to the publishing dashboards for /dash/."""

from __future__ import annotations

from django.urls import reverse


def links(user) -> list[tuple[str, str]]:
    found = []
    if user.has_perm("publishing.view_scheduledpost"):
        found.append(("Publishing queue", reverse("publishing-queue")))
    if user.has_perm("publishing.view_aitemplate"):
        found.append(("AI templates", reverse("publishing-templates")))
    return found
