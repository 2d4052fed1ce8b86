"""The employee calendar feed: ``rotations/employees/{id}/calendar.ics?token=`` (SPEC §3).

No login: calendar apps cannot sign in. The per-employee secret in the URL is the key; a wrong
or missing one is a 404 like an unknown employee (nothing to probe). The token never reaches a
log line (config/logging.py redacts ``token=``)."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.http import Http404, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from rotations import calendar, selectors
from rotations.models import Employee

FEED_PAST_DAYS = 60  # what a phone keeps showing of the past


@require_GET
def employee_calendar(request, pk: int):
    token = request.GET.get("token", "")
    employee = Employee.objects.filter(pk=pk).only("pk", "name", "calendar_token").first()
    # As bytes: compare_digest refuses a str with non-ASCII characters (a TypeError, a 500).
    if employee is None or not token or not secrets.compare_digest(token.encode(), employee.calendar_token.encode()):
        raise Http404("No such calendar.")
    now = timezone.now()
    body = calendar.feed(
        employee_name=employee.name,
        assignments=selectors.approved_assignments(employee, since=now - timedelta(days=FEED_PAST_DAYS)),
        now=now,
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="setdesk-{employee.pk}.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response
