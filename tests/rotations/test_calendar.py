"""The employee calendar feed (iCalendar): approved assignments at a secret, rotatable URL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from rotations import services
from rotations.models import Employee
from tests.rotations.factories import MONDAY

pytestmark = pytest.mark.django_db


def feed_url(employee: Employee, token: str | None = None) -> str:
    return f"/api/v1/rotations/employees/{employee.pk}/calendar.ics?token={token or employee.calendar_token}"


def events_of(response) -> dict[str, dict]:
    calendar = Calendar.from_ical(response.content)
    return {
        str(c["uid"]): {
            "start": c.decoded("dtstart"),
            "end": c.decoded("dtend"),
            "summary": str(c["summary"]),
            "sequence": int(c["sequence"]),
        }  # fmt: skip
        for c in calendar.walk("VEVENT")
    }


@pytest.fixture
def approved(world):
    run = services.execute_run(clock=timezone.now, run_id=services.start_run(now=timezone.now(), start_date=MONDAY).pk)
    proposal = run.proposals.get(event__project_ref_num=1002)
    services.approve_proposal(now=timezone.now(), proposal=proposal, user=None)
    proposal.refresh_from_db()
    return proposal


def test_an_employee_subscribes_to_their_approved_assignments(approved):
    employee = approved.employee
    response = Client().get(feed_url(employee))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    events = events_of(response)
    event = approved.event
    uid = f"rotations-event-{event.pk}@setdesk"
    assert list(events) == [uid]  # only what is approved: the other proposals are not in it
    assert events[uid]["start"] == approved.scheduled_at
    assert events[uid]["end"] - events[uid]["start"] == timedelta(minutes=event.estimated_minutes)
    assert "C-1002" in events[uid]["summary"]


def test_a_moved_assignment_keeps_its_uid_and_raises_its_sequence(approved, time_machine):
    employee, event = approved.employee, approved.event
    before = events_of(Client().get(feed_url(employee)))
    time_machine.shift(timedelta(minutes=5))
    event.scheduled_at = approved.scheduled_at + timedelta(hours=1)
    event.save()
    after = events_of(Client().get(feed_url(employee)))
    assert list(after) == list(before)  # the calendar app updates the event, no copy
    (uid,) = after
    assert after[uid]["start"] == approved.scheduled_at + timedelta(hours=1)
    assert after[uid]["sequence"] > before[uid]["sequence"]


def test_a_wrong_missing_or_rotated_token_is_a_404(approved):
    employee = approved.employee
    old = employee.calendar_token
    client = Client()
    assert client.get(feed_url(employee, "nope")).status_code == 404
    assert client.get(feed_url(employee, "ünïcode-☃")).status_code == 404  # was a 500 (compare_digest)
    assert client.get(f"/api/v1/rotations/employees/{employee.pk}/calendar.ics").status_code == 404
    assert client.get(f"/api/v1/rotations/employees/999999/calendar.ics?token={old}").status_code == 404
    services.rotate_calendar_token(employee=employee)
    employee.refresh_from_db()
    assert employee.calendar_token != old
    assert client.get(feed_url(employee, old)).status_code == 404
    assert client.get(feed_url(employee)).status_code == 200


def test_every_employee_has_their_own_token(world):
    tokens = list(Employee.objects.values_list("calendar_token", flat=True))
    assert len(set(tokens)) == len(tokens) and all(len(t) >= 40 for t in tokens)


def test_the_admin_shows_the_link_and_rotates_it(approved, make_user):
    client = Client()
    client.force_login(make_user(None, is_staff=True, is_superuser=True))
    employee = approved.employee
    page = client.get(f"/admin/rotations/employee/{employee.pk}/change/").content.decode()
    assert feed_url(employee).replace("&", "&amp;") in page or feed_url(employee) in page
    old = employee.calendar_token
    client.post("/admin/rotations/employee/", {"action": "rotate_calendar_links", "_selected_action": [employee.pk]})
    employee.refresh_from_db()
    assert employee.calendar_token != old
