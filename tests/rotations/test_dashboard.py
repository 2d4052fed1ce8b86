"""/dash/rotations/ and the approvals it makes: per day, per employee, all."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from rotations import services
from rotations.models import ProposalStatus
from tests.rotations.factories import MONDAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(world):
    return services.execute_run(clock=timezone.now, run_id=services.start_run(now=timezone.now(), start_date=MONDAY).pk)


def page_client(make_user, role):
    client = Client()
    client.force_login(make_user(role))
    return client


def test_the_page_shows_the_latest_run_as_an_employee_by_day_grid(run, make_user):
    client = page_client(make_user, "supervisor")
    page = client.get("/dash/rotations/")
    assert page.status_code == 200
    data = client.get("/dash/rotations/data/").json()
    grid = data["grid"]
    assert grid["run_id"] == run.pk and grid["days"][0] == MONDAY.isoformat() and len(grid["days"]) == 15
    cells = [p for e in grid["employees"] for day in grid["days"] for p in e["cells"][day]]
    assert sorted(p["id"] for p in cells) == sorted(run.proposals.values_list("id", flat=True))
    assert all(p["reason"] for p in cells)
    assert {u["project_ref_num"] for u in grid["unscheduled"]} == {1007}
    assert (data["can_run"], data["can_approve"]) == (True, True)


def test_readers_without_the_perm_get_a_403_and_coordinators_cannot_approve(run, make_user):
    assert page_client(make_user, "crew").get("/dash/rotations/").status_code == 403
    data = page_client(make_user, "coordinator").get("/dash/rotations/data/").json()
    assert (data["can_run"], data["can_approve"]) == (True, False)


def test_a_superseded_run_is_marked(run, make_user):
    later = services.execute_run(
        clock=timezone.now, run_id=services.start_run(now=timezone.now(), start_date=MONDAY).pk
    )
    runs = page_client(make_user, "supervisor").get("/dash/rotations/data/").json()["runs"]
    assert [(r["id"], r["superseded_by"]) for r in runs] == [(later.pk, None), (run.pk, later.pk)]


def test_a_past_dated_open_proposal_is_flagged(run, make_user, time_machine):
    time_machine.move_to(MONDAY + timedelta(days=2), tick=False)
    cells = page_client(make_user, "supervisor").get("/dash/rotations/data/").json()["grid"]["employees"]
    monday = [p for e in cells for p in e["cells"][MONDAY.isoformat()]]
    assert monday and all(p["past"] for p in monday)


def test_approve_one_day_through_the_api(run, api_as):
    client = api_as("supervisor")
    by_day = {}
    for p in run.proposals.all():
        by_day.setdefault(p.scheduled_at.date(), []).append(p.pk)
    other = next(MONDAY + timedelta(days=n) for n in range(1, 5) if MONDAY + timedelta(days=n) not in by_day)
    r = client.post(f"/api/v1/rotations/runs/{run.pk}/approve/", {"day": other.isoformat()}, format="json")
    assert r.status_code == 200 and r.json()["considered"] == 0  # a day without proposals approves nothing
    assert not run.proposals.exclude(status=ProposalStatus.PROPOSED).exists()
    r = client.post(f"/api/v1/rotations/runs/{run.pk}/approve/", {"day": MONDAY.isoformat()}, format="json")
    assert r.status_code == 200, r.json()
    assert r.json()["considered"] == len(by_day[MONDAY]) > 0
    statuses = dict(run.proposals.values_list("pk", "status"))
    assert {statuses[pk] for pk in by_day[MONDAY]} == {ProposalStatus.API_SUBMITTED}


def test_approve_one_employee_through_the_api(run, api_as, world):
    client = api_as("supervisor")
    employee = run.proposals.first().employee
    r = client.post(f"/api/v1/rotations/runs/{run.pk}/approve/", {"employee": employee.pk}, format="json")
    assert r.status_code == 200, r.json()
    mine = run.proposals.filter(employee=employee)
    assert set(mine.values_list("status", flat=True)) == {ProposalStatus.API_SUBMITTED}


@pytest.mark.parametrize(
    ("body", "field"), [({}, "non_field_errors"), ({"day": "not a day"}, "day"), ({"employee": 999999}, "employee")]
)
def test_approve_part_refuses_bad_input_and_changes_nothing(run, api_as, body, field):
    r = api_as("supervisor").post(f"/api/v1/rotations/runs/{run.pk}/approve/", body, format="json")
    assert r.status_code == 400 and field in r.json()["errors"]
    assert not run.proposals.exclude(status=ProposalStatus.PROPOSED).exists()


def test_approve_part_needs_the_approve_permission(run, api_as):
    r = api_as("coordinator").post(f"/api/v1/rotations/runs/{run.pk}/approve/", {"day": MONDAY.isoformat()})
    assert r.status_code == 403


@pytest.mark.parametrize("status", ["proposed", "failed", "api_submitted"])
def test_a_runs_proposals_filter_by_proposal_status(run, api_as, status):
    """Before: ?status=proposed was a 400 and ?status=failed a 404 (the runs' own filter answered)."""
    client = api_as("supervisor")
    services.approve_proposal(now=timezone.now(), proposal=run.proposals.get(event__project_ref_num=1002), user=None)
    r = client.get(f"/api/v1/rotations/runs/{run.pk}/proposals/", {"status": status})
    assert r.status_code == 200, r.json()
    expected = set(run.proposals.filter(status=status).values_list("pk", flat=True))
    assert {p["id"] for p in r.json()["results"]} == expected
    assert client.get(f"/api/v1/rotations/runs/{run.pk}/proposals/", {"status": "sideways"}).status_code == 400
