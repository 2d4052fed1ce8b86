"""The admin: every model listed, a run with its proposals inline, bulk approve / reject through the services."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from rotations import selectors, services
from rotations.models import PendingSchedule, ProposalStatus, TimeOff
from tests.rotations.factories import MONDAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_(now, make_user):
    client = Client()
    client.force_login(make_user(None, is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def supervisor_client(now, make_user):
    client = Client()
    client.force_login(make_user("supervisor", is_staff=True))
    return client


@pytest.fixture
def run(world):
    return services.execute_run(clock=timezone.now, run_id=services.start_run(now=timezone.now(), start_date=MONDAY).pk)


@pytest.mark.parametrize(
    "model",
    [
        "employee",
        "timeoff",
        "event",
        "rotationassignment",
        "scheduleexception",
        "schedulerrun",
        "pendingschedule",
        "submissionunit",
    ],
)
def test_every_model_has_a_changelist_with_search_and_filters(admin_client_, run, model):
    response = admin_client_.get(f"/admin/rotations/{model}/", {"q": "a"})
    assert response.status_code == 200
    assert admin_client_.get(f"/admin/rotations/{model}/add/").status_code in (200, 403)


def test_run_page_shows_proposals_inline_and_unscheduled_reasons(admin_client_, run):
    page = admin_client_.get(f"/admin/rotations/schedulerrun/{run.pk}/change/").content.decode()
    assert "#1007" in page and "longer than a working day" in page
    assert page.count("Event 100") >= 6


def test_employee_form_edits_qualifications_and_availability(admin_client_, world):
    response = admin_client_.post(
        f"/admin/rotations/employee/{world.dan.pk}/change/",
        {
            "name": "Dan",
            "external_id": "dan",
            "active": "on",
            "qualifications": ["core", "juicer"],
            "max_events_per_day": 2,
            "max_events_per_week": 8,
            "available_weekdays": ["0", "2"],
            "time_off-TOTAL_FORMS": 0,
            "time_off-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302
    world.dan.refresh_from_db()
    assert world.dan.qualifications == ["core", "juicer"] and world.dan.available_weekdays == [0, 2]


def test_bulk_approve_and_reject_actions(supervisor_client, run):
    ids = list(run.proposals.order_by("id").values_list("pk", flat=True))
    response = supervisor_client.post(
        "/admin/rotations/pendingschedule/", {"action": "approve_selected", "_selected_action": ids[:3]}, follow=True
    )
    assert response.status_code == 200
    approved = PendingSchedule.objects.filter(status=ProposalStatus.API_SUBMITTED).count()
    assert approved >= 3  # a core event brings its supervisor event along
    open_ids = list(run.proposals.filter(status=ProposalStatus.PROPOSED).values_list("pk", flat=True))
    supervisor_client.post(
        "/admin/rotations/pendingschedule/", {"action": "reject_selected", "_selected_action": open_ids}
    )
    assert not run.proposals.filter(status=ProposalStatus.PROPOSED).exists()


def test_run_approve_action(supervisor_client, run):
    supervisor_client.post("/admin/rotations/schedulerrun/", {"action": "approve_runs", "_selected_action": [run.pk]})
    assert run.proposals.filter(status=ProposalStatus.API_SUBMITTED).count() == 6
    run.refresh_from_db()
    assert run.approved_at is not None


def test_actions_need_the_approve_permission(now, make_user, run):
    client = Client()
    client.force_login(make_user("coordinator", is_staff=True))
    page = client.get("/admin/rotations/pendingschedule/")
    assert page.status_code == 200
    assert b"approve_selected" not in page.content


def test_editing_a_proposal_in_the_admin_rechecks_constraints(admin_client_, world, run):
    p = run.proposals.get(event__project_ref_num=1005)  # Dan
    TimeOff.objects.create(employee=world.ann, start_date=MONDAY, end_date=MONDAY + timedelta(days=10))
    local = selectors.to_local(p.scheduled_at)
    form = {"employee": world.ann.pk, "scheduled_at_0": local.date().isoformat(), "scheduled_at_1": "09:00:00"}
    response = admin_client_.post(f"/admin/rotations/pendingschedule/{p.pk}/change/", form)
    assert response.status_code == 200 and b"time off" in response.content
    p.refresh_from_db()
    assert p.status == ProposalStatus.PROPOSED and p.employee == world.dan
    form["employee"] = world.dan.pk
    form["scheduled_at_1"] = "15:00:00"
    response = admin_client_.post(f"/admin/rotations/pendingschedule/{p.pk}/change/", form)
    assert response.status_code == 302
    p.refresh_from_db()
    assert p.status == ProposalStatus.USER_EDITED and selectors.to_local(p.scheduled_at).hour == 15


def test_bulk_approval_changelists_run_outside_the_request_transaction():
    """Each approval's outcome commits on its own (see ApproveActionsMixin)."""
    from django.urls import resolve

    for path in ("/admin/rotations/pendingschedule/", "/admin/rotations/schedulerrun/"):
        assert resolve(path).func._non_atomic_requests == {"default"}
    assert not getattr(resolve("/admin/rotations/employee/").func, "_non_atomic_requests", set())


def test_proposals_read_as_event_employee_and_local_time_with_their_reason(admin_client_, run):
    proposal = run.proposals.get(event__project_ref_num=1002)
    when = selectors.to_local(proposal.scheduled_at).strftime("%a %d %b %H:%M")
    assert str(proposal) == f"C-1002 core → {proposal.employee.name}, {when}"
    page = admin_client_.get("/admin/rotations/pendingschedule/").content.decode()
    assert f"C-1002 core → {proposal.employee.name}, {when}" in page
    assert proposal.reason[:40] in page
    by_employee = admin_client_.get("/admin/rotations/pendingschedule/", {"employee__id__exact": proposal.employee_id})
    assert by_employee.status_code == 200 and "C-1002" in by_employee.content.decode()
    assert "Past 7 days" in page and "By employee" in page  # the date and employee filters


def test_a_superseded_run_is_marked_and_a_past_dated_proposal_flagged(admin_client_, run):
    later = services.execute_run(
        clock=timezone.now, run_id=services.start_run(now=timezone.now(), start_date=MONDAY).pk
    )
    page = admin_client_.get("/admin/rotations/schedulerrun/").content.decode()
    assert f"by run #{later.pk}" in page
    page = admin_client_.get("/admin/rotations/pendingschedule/", {"run__id__exact": later.pk}).content.decode()
    assert 'alt="True"' not in page
    proposal = later.proposals.order_by("id").first()
    PendingSchedule.objects.filter(pk=proposal.pk).update(scheduled_at=proposal.scheduled_at - timedelta(days=30))
    page = admin_client_.get("/admin/rotations/pendingschedule/", {"run__id__exact": later.pk}).content.decode()
    assert page.count('alt="True"') == 1  # the "in the past" column of that open proposal


def test_the_outbox_is_listed_and_a_pending_unit_can_be_sent_from_it(supervisor_client, run, settings, client_system):
    from rotations.models import SubmissionStatus, SubmissionUnit

    settings.ROTATIONS_SUBMIT_URL = client_system.url
    services.approve_proposal(now=timezone.now(), proposal=run.proposals.get(event__project_ref_num=1002), user=None)
    unit = SubmissionUnit.objects.get()
    page = supervisor_client.get("/admin/rotations/submissionunit/").content.decode()
    assert "C-1002" in page and "Pending" in page
    supervisor_client.post("/admin/rotations/submissionunit/", {"action": "send_now", "_selected_action": [unit.pk]})
    unit.refresh_from_db()
    assert unit.status == SubmissionStatus.SENT and len(client_system.requests) == 1


# --- the records' admin writes go through the services, so their rules hold here too ----------


def _event_form(event, **overrides) -> dict:
    form = {
        "project_ref_num": event.project_ref_num,
        "name": event.name,
        "event_type": event.event_type,
        "start_date": event.start_date.isoformat(),
        "due_date": event.due_date.isoformat(),
        "estimated_minutes": event.estimated_minutes,
        "location": event.location,
        "status": event.status,
        "assigned_employee": event.assigned_employee_id or "",
        "scheduled_at_0": "",
        "scheduled_at_1": "",
        "parent_event": event.parent_event_id or "",
    }
    form.update(overrides)
    return form


def test_admin_refuses_a_parent_that_is_not_a_core_event(admin_client_, world):
    supervisor_event = world.events[1006]
    response = admin_client_.post(
        f"/admin/rotations/event/{supervisor_event.pk}/change/", _event_form(supervisor_event, parent_event=1004)
    )
    assert response.status_code == 302
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("The parent must be a core event." in m for m in messages)
    supervisor_event.refresh_from_db()
    assert supervisor_event.parent_event_id == 1001


def test_admin_keeps_a_core_event_with_supervisor_events_core(admin_client_, world):
    core = world.events[1001]
    admin_client_.post(f"/admin/rotations/event/{core.pk}/change/", _event_form(core, event_type="digital"))
    core.refresh_from_db()
    assert core.event_type == "core"


def test_admin_edits_an_event_through_the_service(admin_client_, world):
    event = world.events[1004]
    response = admin_client_.post(f"/admin/rotations/event/{event.pk}/change/", _event_form(event, name="Renamed"))
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.name == "Renamed"


def test_admin_refuses_a_rotation_employee_without_the_qualification(admin_client_, world):
    rotation = world.ann.rotations.get(weekday=0, rotation_type="juicer")
    response = admin_client_.post(
        f"/admin/rotations/rotationassignment/{rotation.pk}/change/",
        {"weekday": 0, "rotation_type": "juicer", "employee": world.dan.pk},
    )
    assert response.status_code == 302
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("lacks the 'juicer' qualification" in m for m in messages)
    rotation.refresh_from_db()
    assert rotation.employee_id == world.ann.pk


def test_admin_refuses_an_exception_employee_without_the_qualification(admin_client_, world):
    response = admin_client_.post(
        "/admin/rotations/scheduleexception/add/",
        {"date": MONDAY.isoformat(), "rotation_type": "primary_lead", "employee": world.dan.pk, "reason": ""},
    )
    assert response.status_code == 302
    assert not world.dan.rotation_exceptions.exists()


def test_admin_time_off_inline_rows_go_through_the_service(admin_client_, world):
    response = admin_client_.post(
        f"/admin/rotations/employee/{world.dan.pk}/change/",
        {
            "name": "Dan",
            "external_id": "dan",
            "active": "on",
            "qualifications": ["core", "other"],
            "max_events_per_day": 2,
            "max_events_per_week": 8,
            "available_weekdays": ["0", "1", "2", "3", "4"],
            "time_off-TOTAL_FORMS": 1,
            "time_off-INITIAL_FORMS": 0,
            "time_off-0-start_date": MONDAY.isoformat(),
            "time_off-0-end_date": (MONDAY + timedelta(days=1)).isoformat(),
            "time_off-0-reason": "dentist",
        },
    )
    assert response.status_code == 302
    off = TimeOff.objects.get(employee=world.dan)
    assert (off.start_date, off.reason) == (MONDAY, "dentist")
    response = admin_client_.post(
        "/admin/rotations/timeoff/", {"action": "delete_selected", "_selected_action": [off.pk], "post": "yes"}
    )
    assert response.status_code == 302
    assert not TimeOff.objects.filter(employee=world.dan).exists()


def test_admin_deletes_records_through_the_services(admin_client_, world):
    rotation = world.ann.rotations.get(weekday=0, rotation_type="juicer")
    response = admin_client_.post(f"/admin/rotations/rotationassignment/{rotation.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not world.ann.rotations.filter(weekday=0, rotation_type="juicer").exists()


def test_admin_deletes_runs_and_proposals_through_the_services(admin_client_, run):
    proposal = run.proposals.order_by("id").first()
    response = admin_client_.post(f"/admin/rotations/pendingschedule/{proposal.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not PendingSchedule.objects.filter(pk=proposal.pk).exists()
    response = admin_client_.post(
        "/admin/rotations/schedulerrun/", {"action": "delete_selected", "_selected_action": [run.pk], "post": "yes"}
    )
    assert response.status_code == 302
    assert not PendingSchedule.objects.filter(run_id=run.pk).exists()
