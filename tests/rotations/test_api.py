"""The rotations API (SPEC §9): CRUD, runs, proposals, approval — status codes and error shape."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from rotations import selectors, services
from rotations.models import Event, PendingSchedule, ProposalStatus, RotationAssignment, SchedulerRun
from tests.rotations.factories import MONDAY, make_event

pytestmark = pytest.mark.django_db

BASE = "/api/v1/rotations"


@pytest.fixture
def supervisor(now, api_as):
    return api_as("supervisor")


@pytest.fixture
def coordinator(now, api_as):
    return api_as("coordinator")


@pytest.fixture
def crew(now, api_as):
    return api_as("crew")


@pytest.fixture
def completed_run(world, coordinator):
    response = coordinator.post(f"{BASE}/auto-schedule/run/", {"start_date": MONDAY.isoformat()}, format="json")
    assert response.status_code == 202
    return services.execute_run(clock=timezone.now, run_id=response.json()["run_id"])


def assert_error(response, status, field=None):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"detail", "errors"}
    if field:
        assert field in body["errors"], body


def test_reads_need_authentication(api, world):  # the clients' tokens are made after time travel (`now`)
    assert_error(api.get(f"{BASE}/employees/"), 401)


def test_employee_crud_and_filters(supervisor, crew, world):
    created = supervisor.post(
        f"{BASE}/employees/",
        {"name": "Gus", "qualifications": ["core", "juicer", "core"], "available_weekdays": [4, 0]},
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["qualifications"] == ["core", "juicer"] and body["available_weekdays"] == [0, 4]
    listed = supervisor.get(f"{BASE}/employees/", {"qualification": "juicer"}).json()
    assert {e["name"] for e in listed["results"]} == {"Ann", "Gus"}
    assert supervisor.get(f"{BASE}/employees/", {"search": "gu"}).json()["count"] == 1
    assert_error(crew.get(f"{BASE}/employees/"), 403)  # reads need the view perm (SPEC §0)
    patched = supervisor.patch(f"{BASE}/employees/{body['id']}/", {"active": False}, format="json")
    assert patched.json()["active"] is False
    assert supervisor.delete(f"{BASE}/employees/{body['id']}/").status_code == 204
    assert_error(crew.post(f"{BASE}/employees/", {"name": "X"}, format="json"), 403)


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "X", "qualifications": ["wizard"]}, "qualifications"),
        ({"name": "X", "available_weekdays": [7]}, "available_weekdays"),
        ({"name": "X", "max_events_per_day": 0}, "max_events_per_day"),
        ({"qualifications": ["core"]}, "name"),
        ({"name": "X", "qualifications": "core"}, "qualifications"),
    ],
)
def test_employee_bad_input_is_400(supervisor, payload, field):
    assert_error(supervisor.post(f"{BASE}/employees/", payload, format="json"), 400, field)


def test_deleting_an_employee_with_assigned_events_is_409(supervisor, world):
    ev = Event.objects.get(project_ref_num=1001)
    ev.status, ev.assigned_employee = "scheduled", world.dan
    ev.scheduled_at = selectors.from_local(datetime.combine(MONDAY, time(9)))
    ev.save()
    assert_error(supervisor.delete(f"{BASE}/employees/{world.dan.pk}/"), 409)
    assert_error(supervisor.delete(f"{BASE}/employees/999999/"), 404)


def test_event_crud_and_validation(supervisor, world):
    url = f"{BASE}/events/"
    sup = supervisor.post(
        url,
        {
            "project_ref_num": 5001,
            "type": "supervisor",
            "start_date": "2025-10-06",
            "due_date": "2025-10-08",
            "parent_event_ref_num": 1002,
        },
        format="json",
    )
    assert sup.status_code == 201, sup.content
    assert sup.json()["parent_event_ref_num"] == 1002 and sup.json()["status"] == "unscheduled"
    base = {"project_ref_num": 5002, "type": "core", "start_date": "2025-10-06", "due_date": "2025-10-08"}
    assert_error(supervisor.post(url, {**base, "due_date": "2025-10-01"}, format="json"), 400, "due_date")
    assert_error(
        supervisor.post(url, {**base, "parent_event_ref_num": 1002}, format="json"), 400, "parent_event_ref_num"
    )
    sup_base = {**base, "type": "supervisor"}
    assert_error(supervisor.post(url, {**sup_base, "parent_event_ref_num": 1003}, format="json"), 400)
    assert_error(supervisor.post(url, {**sup_base, "parent_event_ref_num": 999999}, format="json"), 400)
    assert_error(supervisor.post(url, {**base, "project_ref_num": 1001}, format="json"), 400, "project_ref_num")
    assert_error(supervisor.post(url, {**base, "status": "scheduled"}, format="json"), 400, "assigned_employee")
    assert_error(supervisor.post(url, {**base, "type": "party"}, format="json"), 400, "type")
    ev = world.events[1002]
    assert_error(supervisor.patch(f"{url}{ev.pk}/", {"project_ref_num": 7}, format="json"), 400, "project_ref_num")
    assert_error(supervisor.patch(f"{url}{ev.pk}/", {"type": "other"}, format="json"), 400, "type")
    assigned = supervisor.patch(
        f"{url}{ev.pk}/", {"assigned_employee": world.dan.pk, "scheduled_at": "2025-10-06T09:00:00Z"}, format="json"
    )
    assert assigned.json()["status"] == "scheduled"
    unassigned = supervisor.patch(f"{url}{ev.pk}/", {"status": "unscheduled"}, format="json")
    assert unassigned.json()["assigned_employee"] is None
    assert supervisor.get(url, {"type": "supervisor"}).json()["count"] == 2
    assert_error(supervisor.get(url, {"type": "party"}), 400)
    assert supervisor.delete(f"{url}{ev.pk}/").status_code == 204
    assert Event.objects.get(project_ref_num=5001).parent_event_id is None


def test_rotation_assignments_and_exceptions(supervisor, world):
    url = f"{BASE}/rotation-assignments/"
    assert_error(
        supervisor.post(url, {"weekday": 0, "rotation_type": "juicer", "employee": world.ann.pk}), 400, "weekday"
    )
    RotationAssignment.objects.filter(weekday=0, rotation_type="juicer").delete()
    assert_error(
        supervisor.post(url, {"weekday": 0, "rotation_type": "juicer", "employee": world.dan.pk}), 400, "employee"
    )
    assert_error(
        supervisor.post(url, {"weekday": 5, "rotation_type": "juicer", "employee": world.ann.pk}), 400, "weekday"
    )
    created = supervisor.post(url, {"weekday": 0, "rotation_type": "juicer", "employee": world.ann.pk})
    assert created.status_code == 201
    assert supervisor.get(url, {"weekday": 0}).json()["count"] == 2
    url = f"{BASE}/exceptions/"
    payload = {"date": "2025-10-07", "rotation_type": "primary_lead", "employee": world.ben.pk, "reason": "cover"}
    assert supervisor.post(url, payload).status_code == 201
    assert_error(supervisor.post(url, payload), 400, "date")
    assert_error(supervisor.post(url, {**payload, "date": "2025-10-08", "employee": world.ann.pk}), 400, "employee")


def test_time_off(supervisor, world):
    url = f"{BASE}/time-off/"
    payload = {"employee": world.ann.pk, "start_date": "2025-10-06", "end_date": "2025-10-07"}
    created = supervisor.post(url, payload)
    assert created.status_code == 201
    assert_error(supervisor.post(url, {**payload, "end_date": "2025-10-01"}), 400, "end_date")
    assert supervisor.get(url, {"on_or_after": "2025-10-07"}).json()["count"] == 1
    assert supervisor.get(f"{BASE}/employees/{world.ann.pk}/").json()["time_off"][0]["end_date"] == "2025-10-07"


def test_run_request_status_and_conflict(coordinator, crew, world):
    url = f"{BASE}/auto-schedule/run/"
    assert_error(crew.post(url, {}, format="json"), 403)
    assert_error(coordinator.post(url, {"days": 0}, format="json"), 400, "days")
    assert_error(coordinator.post(url, {"start_date": "tomorrow"}, format="json"), 400, "start_date")
    assert_error(coordinator.post(url, [1, 2], format="json"), 400)
    response = coordinator.post(url, {"start_date": "2025-10-06", "days": 14}, format="json")
    assert response.status_code == 202
    run_id = response.json()["run_id"]
    assert_error(coordinator.post(url, {}, format="json"), 409)
    status = coordinator.get(f"{BASE}/auto-schedule/status/{run_id}/").json()
    assert status["run_id"] == run_id and status["status"] == "running" and status["kind"] == "manual"
    services.execute_run(clock=timezone.now, run_id=run_id)
    status = coordinator.get(f"{BASE}/auto-schedule/status/{run_id}/").json()
    assert status["status"] == "completed" and status["progress"] == 100 and status["events_scheduled"] == 6
    assert_error(coordinator.get(f"{BASE}/auto-schedule/status/999999/"), 404)
    assert_error(crew.get(f"{BASE}/auto-schedule/status/{run_id}/"), 403)
    run = SchedulerRun.objects.get(pk=run_id)
    assert run.window_end == MONDAY + timedelta(days=13)


def test_runs_list_and_detail_with_unscheduled_and_review(supervisor, completed_run):
    listed = supervisor.get(f"{BASE}/runs/").json()
    assert listed["count"] == 1 and listed["results"][0]["status"] == "completed"
    detail = supervisor.get(f"{BASE}/runs/{completed_run.pk}/").json()
    assert detail["unscheduled"][0]["project_ref_num"] == 1007
    assert detail["unscheduled"][0]["reason"]
    review = detail["review"]
    assert review["new"] == 6 and review["swaps"] == [] and review["failed"] == detail["unscheduled"]
    assert sum(day["count"] for day in review["days"]) == 6
    assert supervisor.get(f"{BASE}/runs/", {"status": "failed"}).json()["count"] == 0


def test_run_proposals_list_and_filters(supervisor, completed_run):
    url = f"{BASE}/runs/{completed_run.pk}/proposals/"
    page = supervisor.get(url).json()
    assert page["count"] == 6
    first = page["results"][0]
    assert {"reason", "employee_name", "project_ref_num", "status", "is_swap"} <= set(first)
    assert supervisor.get(url, {"event_type": "juicer"}).json()["count"] == 1
    assert_error(supervisor.get(url, {"status": "nope"}), 400)
    assert supervisor.get(f"{BASE}/proposals/", {"run": completed_run.pk}).json()["count"] == 6


def test_proposal_edit_approve_reject(supervisor, coordinator, world, completed_run):
    proposal = PendingSchedule.objects.get(run=completed_run, event__project_ref_num=1002)
    url = f"{BASE}/proposals/{proposal.pk}/"
    assert supervisor.get(url).json()["reason"]
    assert_error(supervisor.patch(url, {}, format="json"), 400)
    assert_error(supervisor.patch(url, {"employee": 999999}, format="json"), 400, "employee")
    assert_error(supervisor.patch(url, {"scheduled_at": "2025-12-01T09:00:00Z"}, format="json"), 400, "scheduled_at")
    assert_error(supervisor.put(url, {"employee": world.dan.pk}, format="json"), 405)
    assert_error(coordinator.patch(url, {"employee": world.dan.pk}, format="json"), 403)
    target = world.dan if proposal.employee != world.dan else world.ann
    edited = supervisor.patch(url, {"employee": target.pk, "scheduled_at": "2025-10-07T12:00:00Z"}, format="json")
    assert edited.status_code == 200, edited.content
    assert edited.json()["status"] == "user_edited" and edited.json()["employee"] == target.pk
    assert_error(coordinator.post(f"{url}approve/"), 403)
    approved = supervisor.post(f"{url}approve/")
    assert approved.status_code == 200 and approved.json()["status"] == "api_submitted"
    again = supervisor.post(f"{url}approve/")
    assert again.json()["submitted_at"] == approved.json()["submitted_at"]
    assert_error(supervisor.post(f"{url}reject/"), 409)
    assert_error(supervisor.patch(url, {"employee": world.ann.pk}, format="json"), 409)
    other = PendingSchedule.objects.get(run=completed_run, event__project_ref_num=1005)
    assert supervisor.post(f"{BASE}/proposals/{other.pk}/reject/").json()["status"] == "rejected"
    assert_error(supervisor.post(f"{BASE}/proposals/{other.pk}/approve/"), 409)
    assert_error(supervisor.get(f"{BASE}/proposals/999999/"), 404)


def test_approve_all(supervisor, coordinator, completed_run):
    url = f"{BASE}/runs/{completed_run.pk}/approve-all/"
    assert_error(coordinator.post(url), 403)
    response = supervisor.post(url)
    assert response.status_code == 200
    assert response.json() == {"submitted": 6, "approved": 0, "failed": 0, "considered": 6}
    detail = supervisor.get(f"{BASE}/runs/{completed_run.pk}/").json()
    assert detail["approved_by"] == supervisor.user.pk
    assert Event.objects.filter(status="scheduled").count() == 6


def test_approve_all_of_a_running_run_is_409(supervisor, world):
    run = services.start_run(now=timezone.now(), start_date=MONDAY)
    assert_error(supervisor.post(f"{BASE}/runs/{run.pk}/approve-all/"), 409)


def test_approve_all_with_nothing_open(supervisor, completed_run):
    make_event(9999, "core", MONDAY, MONDAY)
    supervisor.post(f"{BASE}/runs/{completed_run.pk}/approve-all/")
    assert supervisor.post(f"{BASE}/runs/{completed_run.pk}/approve-all/").json()["considered"] == 0


@pytest.mark.parametrize(
    ("method", "path", "payload"),
    [
        ("post", "/auto-schedule/run/", {"start_date": "9999-12-30"}),
        (
            "post",
            "/events/",
            {"project_ref_num": 1, "type": "core", "start_date": "0001-01-01", "due_date": "9999-12-31"},
        ),
        ("post", "/time-off/", {"employee": 1, "start_date": "9999-12-31", "end_date": "9999-12-31"}),
        ("post", "/exceptions/", {"date": "0001-01-01", "rotation_type": "juicer", "employee": 1}),
    ],
)
def test_extreme_dates_are_400_not_500(supervisor, coordinator, world, method, path, payload):
    client = coordinator if "auto-schedule" in path else supervisor
    response = getattr(client, method)(f"{BASE}{path}", payload, format="json")
    assert response.status_code == 400, response.content


def test_extreme_edit_time_and_bad_ids_are_not_500(supervisor, completed_run):
    proposal = completed_run.proposals.first()
    url = f"{BASE}/proposals/{proposal.pk}/"
    assert_error(supervisor.patch(url, {"scheduled_at": "9999-12-31T23:59:59Z"}, format="json"), 400, "scheduled_at")
    assert supervisor.get(f"{BASE}/auto-schedule/status/99999999999999999999/").status_code == 404
    assert supervisor.get(f"{BASE}/runs/99999999999999999999/").status_code == 404
    assert supervisor.get(f"{BASE}/proposals/abc/").status_code == 404
    assert supervisor.get(f"{BASE}/events/", {"assigned_employee": "99999999999999999999"}).status_code in (200, 400)


def test_approval_routes_commit_each_outcome_outside_the_request_transaction():
    """A later failure in a bulk approval must not roll back proposals already submitted."""
    from django.urls import resolve

    for path in (
        "/api/v1/rotations/runs/1/approve-all/",
        "/api/v1/rotations/proposals/1/approve/",
        "/api/v1/rotations/proposals/1/reject/",
    ):
        assert resolve(path).func._non_atomic_requests == {"default"}
    assert not getattr(resolve("/api/v1/rotations/proposals/1/").func, "_non_atomic_requests", set())


# --- a run's proposals by status (issue 11) ----------------------------------------------------

PROPOSAL_STATUSES = [value for value, _label in ProposalStatus.choices]


@pytest.fixture
def one_of_each_status(completed_run):
    """The run's six proposals, one in each proposal status."""
    proposals = list(completed_run.proposals.order_by("id"))
    assert len(proposals) == len(PROPOSAL_STATUSES)
    for proposal, status in zip(proposals, PROPOSAL_STATUSES, strict=True):
        PendingSchedule.objects.filter(pk=proposal.pk).update(status=status)
    return {status: proposal.pk for proposal, status in zip(proposals, PROPOSAL_STATUSES, strict=True)}


@pytest.mark.parametrize("status", PROPOSAL_STATUSES)
def test_a_runs_proposals_filter_by_the_proposals_status(supervisor, completed_run, one_of_each_status, status):
    """Before: ?status=proposed was a 400 and ?status=failed a 404 (the runs' own filter was applied)."""
    response = supervisor.get(f"{BASE}/runs/{completed_run.pk}/proposals/", {"status": status})
    assert response.status_code == 200, response.content
    assert [p["id"] for p in response.json()["results"]] == [one_of_each_status[status]]
    assert response.json()["results"][0]["status"] == status


def test_a_runs_proposals_status_filter_stays_within_the_run(supervisor, completed_run, one_of_each_status):
    other = SchedulerRun.objects.create(
        kind="manual",
        status="completed",
        window_start=MONDAY,
        window_end=MONDAY,
        reference_date=MONDAY,
        started_at=completed_run.started_at,
        heartbeat_at=completed_run.started_at,
    )
    mine = PendingSchedule.objects.get(pk=one_of_each_status["proposed"])
    PendingSchedule.objects.create(
        run=other, event=mine.event, employee=mine.employee, scheduled_at=mine.scheduled_at, status="proposed"
    )
    url = f"{BASE}/runs/{completed_run.pk}/proposals/"
    assert [p["id"] for p in supervisor.get(url, {"status": "proposed"}).json()["results"]] == [mine.pk]
    # The run's filters (a run's kind or status) are not this page's.
    assert supervisor.get(url, {"kind": "automatic"}).json()["count"] == len(PROPOSAL_STATUSES)


def test_an_unknown_proposal_status_is_a_400_naming_the_statuses(supervisor, completed_run):
    response = supervisor.get(f"{BASE}/runs/{completed_run.pk}/proposals/", {"status": "sideways"})
    assert_error(response, 400, "status")
    (message,) = response.json()["errors"]["status"]
    assert message == f"sideways is not a proposal status; one of: {', '.join(PROPOSAL_STATUSES)}."
    assert_error(supervisor.get(f"{BASE}/proposals/", {"status": "sideways"}), 400, "status")


def test_the_schema_documents_the_runs_proposals_status_filter(supervisor):
    schema = supervisor.get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/rotations/runs/{id}/proposals/"]["get"]
    params = {p["name"]: p for p in operation["parameters"] if p["in"] == "query"}
    assert sorted(params["status"]["schema"]["enum"]) == sorted(PROPOSAL_STATUSES)
    assert "proposal's status" in params["status"]["description"]
    assert "kind" not in params and "ordering" not in params  # the runs' own filters do not apply here


# --- edits held to the working day (issue 11) --------------------------------------------------


@pytest.mark.parametrize("moment", ["2025-10-06T23:30:00Z", "2025-10-06T08:59:00Z", "2025-10-06T13:01:00Z"])
def test_an_edit_outside_the_working_day_is_a_400_naming_the_rule(supervisor, completed_run, moment):
    """Before: PATCH to 23:30 → 200, though the engine itself only uses 09:00–17:00 (the whole event must fit)."""
    proposal = PendingSchedule.objects.get(run=completed_run, event__project_ref_num=1002)  # 240 minutes
    before = (proposal.status, proposal.scheduled_at)
    response = supervisor.patch(f"{BASE}/proposals/{proposal.pk}/", {"scheduled_at": moment}, format="json")
    assert_error(response, 400, "scheduled_at")
    assert any("outside the working day (09:00–17:00)" in m for m in response.json()["errors"]["scheduled_at"])
    proposal.refresh_from_db()
    assert (proposal.status, proposal.scheduled_at) == before


def test_the_working_day_is_read_in_the_rotations_time_zone(supervisor, completed_run, settings):
    settings.ROTATIONS_TIME_ZONE = "America/New_York"  # UTC-4 in October
    proposal = PendingSchedule.objects.get(run=completed_run, event__project_ref_num=1002)  # 240 minutes
    url = f"{BASE}/proposals/{proposal.pk}/"
    early = supervisor.patch(url, {"scheduled_at": "2025-10-10T12:30:00Z"}, format="json")  # 08:30 in New York
    assert_error(early, 400, "scheduled_at")
    assert "08:30–12:30 is outside the working day (09:00–17:00)" in early.json()["errors"]["scheduled_at"][0]
    ok = supervisor.patch(url, {"scheduled_at": "2025-10-10T13:00:00Z"}, format="json")  # 09:00–13:00 there
    assert ok.status_code == 200, ok.content
    assert ok.json()["status"] == "user_edited"
