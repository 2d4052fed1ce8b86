"""Hot set API: projects, settings, days, sessions, items CRUD and reorder; read permissions."""

from __future__ import annotations

import pytest

from hotset.models import HotSetSession, HotSetSettings, ProductionDay, Project, ScheduleItem
from realtime.models import EventLog
from tests.hotset.factories import DAY, local, refresh

pytestmark = pytest.mark.django_db

BASE = "/api/v1/hotset"


@pytest.fixture
def ad(api_as):
    return api_as("first_ad")


# --- projects and settings -------------------------------------------------------------


def test_create_project_comes_with_default_settings(ad):
    r = ad.post(f"{BASE}/projects/", {"name": "Night Shift", "timezone": "America/New_York"}, format="json")
    assert r.status_code == 201, r.json()
    project = Project.objects.get(pk=r.json()["id"])
    r = ad.get(f"{BASE}/projects/{project.pk}/settings/")
    assert r.status_code == 200
    body = r.json()
    assert body["auto_start_enabled"] is True
    assert body["auto_start_minutes_before_call"] == 30
    assert body["notify_minutes_before_call"] == 60
    assert body["suggestion_trigger_minutes_behind"] == 15
    assert body["default_schedule_view"] == "current"
    assert (body["meal_due_hours_after_call"], body["grace_minutes"], body["max_day_hours"]) == (6, 12, 12)
    assert (body["turnaround_hours"], body["meal_minutes"], body["meal_penalty_interval_minutes"]) == (10, 30, 30)


def test_project_bad_timezone_and_duplicate_name_are_400(ad, project):
    r = ad.post(f"{BASE}/projects/", {"name": "X", "timezone": "Mars/Olympus"}, format="json")
    assert r.status_code == 400
    assert "timezone" in r.json()["errors"]
    r = ad.post(f"{BASE}/projects/", {"name": project.name}, format="json")
    assert r.status_code == 400
    assert "name" in r.json()["errors"]


def test_settings_put_and_patch(ad, project, django_capture_on_commit_callbacks):
    url = f"{BASE}/projects/{project.pk}/settings/"
    r = ad.patch(url, {"auto_start_minutes_before_call": 45, "default_schedule_view": "full"}, format="json")
    assert r.status_code == 200, r.json()
    assert r.json()["auto_start_minutes_before_call"] == 45
    full = {**ad.get(url).json(), "auto_start_enabled": False, "grace_minutes": 10}
    with django_capture_on_commit_callbacks(execute=True):  # role groups log after commit
        r = ad.put(url, full, format="json")
    assert r.status_code == 200, r.json()
    settings = HotSetSettings.objects.get(project=project)
    assert (settings.auto_start_enabled, settings.grace_minutes, settings.default_schedule_view) == (False, 10, "full")
    assert EventLog.objects.filter(event_type="hotset.settings.updated").exists()


@pytest.mark.parametrize(
    "body",
    [
        {"auto_start_minutes_before_call": -1},
        {"auto_start_minutes_before_call": "soon"},
        {"default_schedule_view": "sideways"},
        {"max_day_hours": 0},
        {"meal_due_hours_after_call": 99},
    ],
)
def test_bad_settings_are_400_and_change_nothing(ad, project, body):
    r = ad.patch(f"{BASE}/projects/{project.pk}/settings/", body, format="json")
    assert r.status_code == 400
    assert set(r.json()) == {"detail", "errors"}
    assert HotSetSettings.objects.get(project=project).auto_start_minutes_before_call == 30


@pytest.mark.parametrize("role", ["producer", "director", "production_manager"])
def test_readers_read_settings_but_cannot_change_them(api_as, project, role):
    client = api_as(role)
    assert client.get(f"{BASE}/projects/{project.pk}/settings/").status_code == 200
    r = client.patch(f"{BASE}/projects/{project.pk}/settings/", {"meal_minutes": 20}, format="json")
    assert r.status_code == 403
    assert client.post(f"{BASE}/projects/", {"name": "Nope"}, format="json").status_code == 403


def test_settings_of_missing_project_is_404(ad):
    assert ad.get(f"{BASE}/projects/424242/settings/").status_code == 404


# --- days ---------------------------------------------------------------------------------


def test_create_day_reads_naive_times_in_the_project_zone_and_shows_offsets(ad, project):
    body = {
        "project": project.pk,
        "date": "2025-06-11",
        "day_number": 2,
        "general_call_time": "2025-06-11T06:30:00",
        "planned_wrap": "2025-06-11T18:30:00+01:00",
        "location": "Docks",
    }
    r = ad.post(f"{BASE}/days/", body, format="json")
    assert r.status_code == 201, r.json()
    assert r.json()["general_call_time"] == "2025-06-11T06:30:00+01:00"
    assert r.json()["session_id"] is None
    day = ProductionDay.objects.get(pk=r.json()["id"])
    assert day.general_call_time.isoformat() == "2025-06-11T05:30:00+00:00"


@pytest.mark.parametrize(
    "patch,field",
    [
        ({"general_call_time": "2025-06-12T07:00:00+01:00"}, "general_call_time"),
        ({"planned_wrap": "2025-06-10T06:00:00+01:00"}, "planned_wrap"),
        ({"planned_wrap": "2025-06-12T08:00:00+01:00"}, "planned_wrap"),
        ({"day_number": 0}, "day_number"),
        ({"date": "not-a-date"}, "date"),
    ],
)
def test_bad_day_is_400(ad, day, patch, field):
    r = ad.patch(f"{BASE}/days/{day.pk}/", patch, format="json")
    assert r.status_code == 400, r.json()
    assert field in r.json()["errors"]


def test_duplicate_day_is_400(ad, day):
    body = {"project": day.project_id, "date": str(DAY), "day_number": 5, "general_call_time": "2025-06-10T08:00:00Z"}
    r = ad.post(f"{BASE}/days/", body, format="json")
    assert r.status_code == 400


def test_moving_call_time_updates_the_session(ad, day, session):
    r = ad.patch(f"{BASE}/days/{day.pk}/", {"general_call_time": "2025-06-10T08:00:00+01:00"}, format="json")
    assert r.status_code == 200, r.json()
    assert r.json()["session_id"] == session.pk
    assert EventLog.objects.filter(event_type="hotset.day.updated", group_name=f"hotset.session.{session.pk}").exists()


def test_days_filter_by_project(ad, day, project):
    other = Project.objects.create(name="Other", timezone="UTC")
    ProductionDay.objects.create(project=other, date=DAY, day_number=1, general_call_time=local("07:00"))
    r = ad.get(f"{BASE}/days/", {"project": project.pk})
    assert [d["id"] for d in r.json()["results"]] == [day.pk]


# --- sessions -----------------------------------------------------------------------------


def test_create_session_updates_auto_start_settings(ad, day):
    r = ad.post(
        f"{BASE}/sessions/", {"production_day": day.pk, "auto_start": False, "auto_start_minutes": 20}, format="json"
    )
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["status"] == "not_started"
    assert body["general_call_time"] == "2025-06-10T07:00:00+01:00"
    assert body["timezone"] == "Europe/London"
    settings = HotSetSettings.objects.get(project=day.project)
    assert (settings.auto_start_enabled, settings.auto_start_minutes_before_call) == (False, 20)
    r = ad.post(f"{BASE}/sessions/", {"production_day": day.pk}, format="json")
    assert r.status_code == 409
    assert HotSetSession.objects.count() == 1


@pytest.mark.parametrize(
    "body", [{}, {"production_day": 99999}, {"production_day": "x"}, {"production_day": 1, "auto_start_minutes": -5}]
)
def test_create_session_bad_input_is_400(ad, day, body):
    r = ad.post(f"{BASE}/sessions/", body, format="json")
    assert r.status_code == 400
    assert not HotSetSession.objects.exists()


def test_session_list_filters_and_detail(ad, session):
    r = ad.get(f"{BASE}/sessions/", {"status": "not_started", "date": str(DAY)})
    assert r.status_code == 200
    assert [s["id"] for s in r.json()["results"]] == [session.pk]
    assert ad.get(f"{BASE}/sessions/", {"status": "wrapped"}).json()["count"] == 0
    assert ad.get(f"{BASE}/sessions/{session.pk}/").json()["production_day"] == session.production_day_id


def test_delete_session_only_before_it_starts(ad, session, at_local):
    at_local("06:00")
    ad.post(f"{BASE}/sessions/{session.pk}/start/")
    assert ad.delete(f"{BASE}/sessions/{session.pk}/").status_code == 409
    assert HotSetSession.objects.filter(pk=session.pk).exists()


# --- items ----------------------------------------------------------------------------------


def test_items_crud_and_insert_position(ad, session, standard_day):
    url = f"{BASE}/sessions/{session.pk}/items/"
    r = ad.get(url)
    assert r.status_code == 200
    assert [i["label"] for i in r.json()["results"]][:3] == ["Crew call", "First shot", "Sc. 1A"]
    r = ad.post(
        url,
        {"kind": "block", "block_type": "company_move", "planned_duration_minutes": 45, "position": 3},
        format="json",
    )
    assert r.status_code == 201, r.json()
    labels = [i.label for i in ScheduleItem.objects.filter(session=session).order_by("position")]
    assert labels[2:5] == ["Sc. 1A", "Company move", "Sc. 2B"]
    item_id = r.json()["id"]
    r = ad.patch(f"{BASE}/items/{item_id}/", {"planned_duration_minutes": 50, "location": "Lot B"}, format="json")
    assert r.status_code == 200, r.json()
    assert (r.json()["planned_duration_minutes"], r.json()["location"]) == (50, "Lot B")
    assert ad.get(f"{BASE}/items/{item_id}/").json()["planned_duration_minutes"] == 50
    assert ad.delete(f"{BASE}/items/{item_id}/").status_code == 204
    assert not ScheduleItem.objects.filter(pk=item_id).exists()


@pytest.mark.parametrize(
    "body,field",
    [
        ({"kind": "scene", "block_type": "meal", "planned_duration_minutes": 10}, "block_type"),
        ({"kind": "block", "planned_duration_minutes": 10}, "block_type"),
        ({"kind": "block", "block_type": "nap", "planned_duration_minutes": 10}, "block_type"),
        ({"kind": "scene"}, "planned_duration_minutes"),
        ({"planned_duration_minutes": 10}, "kind"),
        ({"kind": "scene", "planned_duration_minutes": -3}, "planned_duration_minutes"),
        ({"kind": "scene", "planned_duration_minutes": 99999}, "planned_duration_minutes"),
        ({"kind": "scene", "planned_duration_minutes": 10, "planned_start": "soon"}, "planned_start"),
        ({"kind": "scene", "planned_duration_minutes": 10, "status": "completed", "position": -1}, "position"),
    ],
)
def test_bad_items_are_400(ad, session, body, field):
    r = ad.post(f"{BASE}/sessions/{session.pk}/items/", body, format="json")
    assert r.status_code == 400, r.json()
    assert field in r.json()["errors"]
    assert not ScheduleItem.objects.exists()


def test_status_is_not_writable_and_position_moves_only_by_reorder(ad, standard_day):
    item = standard_day["1A"]
    r = ad.patch(f"{BASE}/items/{item.pk}/", {"status": "completed", "title": "Kitchen fight"}, format="json")
    assert r.status_code == 200
    assert refresh(item).status == "pending"
    r = ad.patch(f"{BASE}/items/{item.pk}/", {"position": 0}, format="json")
    assert r.status_code == 400


def test_changing_a_scene_into_a_block_needs_a_block_type(ad, standard_day):
    item = standard_day["1A"]
    assert ad.patch(f"{BASE}/items/{item.pk}/", {"kind": "block"}, format="json").status_code == 400
    r = ad.patch(f"{BASE}/items/{item.pk}/", {"kind": "block", "block_type": "activity"}, format="json")
    assert r.status_code == 200
    r = ad.patch(f"{BASE}/items/{item.pk}/", {"kind": "scene"}, format="json")
    assert r.status_code == 200
    assert refresh(item).block_type == ""


def test_deleting_a_started_item_is_409(ad, standard_day, at_local):
    at_local("09:00")
    ad.post(f"{BASE}/items/{standard_day['1A'].pk}/start/")
    assert ad.delete(f"{BASE}/items/{standard_day['1A'].pk}/").status_code == 409


def test_reorder(ad, session, standard_day, at_local):
    at_local("09:00")
    ids = [i.pk for i in standard_day.values()]
    ad.post(f"{BASE}/items/{ids[0]}/start/")
    new_order = [ids[0], ids[1], ids[5], ids[3], ids[2], ids[4]]
    r = ad.post(f"{BASE}/sessions/{session.pk}/reorder/", {"item_ids": new_order}, format="json")
    assert r.status_code == 200, r.json()
    assert [i["id"] for i in r.json()] == new_order
    assert [i["position"] for i in r.json()] == list(range(6))
    assert list(ScheduleItem.objects.filter(session=session).order_by("position").values_list("pk", flat=True)) == (
        new_order
    )
    group = f"hotset.session.{session.pk}"
    assert EventLog.objects.filter(event_type="hotset.items.reordered", group_name=group).count() == 1


def test_reorder_rules(ad, session, standard_day, add_item, at_local):
    at_local("09:00")
    ids = [i.pk for i in standard_day.values()]
    url = f"{BASE}/sessions/{session.pk}/reorder/"
    assert ad.post(url, {"item_ids": ids[:-1]}, format="json").status_code == 400
    assert ad.post(url, {"item_ids": [*ids, ids[0]]}, format="json").status_code == 400
    assert ad.post(url, {"item_ids": "nope"}, format="json").status_code == 400
    other_session = HotSetSession.objects.create(
        production_day=ProductionDay.objects.create(
            project=session.production_day.project, date="2025-06-11", day_number=2, general_call_time=local("07:00")
        )
    )
    foreign = add_item(10, target=other_session)
    assert ad.post(url, {"item_ids": [*ids[:-1], foreign.pk]}, format="json").status_code == 400
    # A started item keeps its place.
    ad.post(f"{BASE}/items/{ids[0]}/start/")
    r = ad.post(url, {"item_ids": [ids[1], ids[0], *ids[2:]]}, format="json")
    assert r.status_code == 409
    assert list(ScheduleItem.objects.filter(session=session).order_by("position").values_list("pk", flat=True)) == ids


@pytest.mark.parametrize("role", ["producer", "director", "production_manager", "crew"])
def test_readers_see_the_day(api_as, role, session, standard_day):
    client = api_as(role)
    assert client.get(f"{BASE}/sessions/{session.pk}/").status_code == 200
    assert client.get(f"{BASE}/sessions/{session.pk}/items/").status_code == 200
    assert client.get(f"{BASE}/sessions/{session.pk}/projection/").status_code == 200
    assert client.get(f"{BASE}/items/{standard_day['1A'].pk}/").status_code == 200
    r = client.post(f"{BASE}/sessions/{session.pk}/items/", {"kind": "scene", "planned_duration_minutes": 5})
    assert r.status_code == 403
    assert client.patch(f"{BASE}/items/{standard_day['1A'].pk}/", {"title": "x"}, format="json").status_code == 403
    assert client.delete(f"{BASE}/items/{standard_day['1A'].pk}/").status_code == 403
    ids = [i.pk for i in standard_day.values()]
    assert client.post(f"{BASE}/sessions/{session.pk}/reorder/", {"item_ids": ids}, format="json").status_code == 403


@pytest.mark.parametrize("role", ["vfx", "social_manager", None])
def test_other_roles_do_not_see_the_hot_set(api_as, role, session):
    client = api_as(role)
    assert client.get(f"{BASE}/sessions/").status_code == 403
    assert client.get(f"{BASE}/sessions/{session.pk}/projection/").status_code == 403


def test_notifications_and_suggestions_lists(ad, session):
    assert ad.get(f"{BASE}/sessions/{session.pk}/notifications/").json()["count"] == 0
    assert ad.get(f"{BASE}/sessions/{session.pk}/suggestions/").json()["count"] == 0
    assert ad.get(f"{BASE}/sessions/99999/notifications/").status_code == 404


def test_project_with_started_sessions_cannot_be_deleted(ad, project, session, at_local):
    at_local("06:00")
    ad.post(f"{BASE}/sessions/{session.pk}/start/")
    assert ad.delete(f"{BASE}/projects/{project.pk}/").status_code == 409
    assert Project.objects.filter(pk=project.pk).exists()


def test_day_of_a_wrapped_session_keeps_its_times(ad, day, session, at_local):
    at_local("18:00")
    ad.post(f"{BASE}/sessions/{session.pk}/start/", {"at": local("07:00").isoformat()}, format="json")
    ad.post(f"{BASE}/sessions/{session.pk}/wrap/")
    r = ad.patch(f"{BASE}/days/{day.pk}/", {"general_call_time": "2025-06-10T08:00:00+01:00"}, format="json")
    assert r.status_code == 409
    assert ad.patch(f"{BASE}/days/{day.pk}/", {"location": "Stage 5"}, format="json").status_code == 200
    assert ad.delete(f"{BASE}/days/{day.pk}/").status_code == 409
