"""The shoot-day calendar feed of a project: ``hotset/projects/{id}/calendar.ics?token=`` (SPEC §9).

No login: calendar apps cannot sign in. The per-project secret in the URL is the key; a wrong,
missing or rotated one is a 404 like an unknown project (nothing to probe), compared in constant
time. The token never reaches a log line (config/logging.py redacts ``token=``)."""

from __future__ import annotations

import secrets

from django.http import Http404, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from hotset import calendar, selectors
from hotset.models import Project


@require_GET
def project_calendar(request, pk: int):
    token = request.GET.get("token", "")
    project = Project.objects.filter(pk=pk).only("pk", "name", "timezone", "calendar_token").first()
    # As bytes: compare_digest refuses a str with non-ASCII characters (a TypeError, a 500).
    if project is None or not token or not secrets.compare_digest(token.encode(), project.calendar_token.encode()):
        raise Http404("No such calendar.")
    body = calendar.feed(
        project_name=project.name,
        zone=project.tzinfo,
        days=selectors.shoot_days(project),
        max_day_hours=selectors.max_day_hours(project),
        now=timezone.now(),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="setdesk-project-{project.pk}.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response
