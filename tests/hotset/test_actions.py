"""Driving the day over the API: confirmations, start / complete / skip with ``at``, wrap, 409s."""

from __future__ import annotations

import pytest

from hotset.models import HotSetSession, ScheduleItem
from realtime.models import EventLog
from tests.hotset.factories import item_statuses, local, refresh

pytestmark = pytest.mark.django_db

BASE = "/api/v1/hotset"


@pytest.fixture
def ad(api_as):
    return api_as("first_ad")


def post(client, url, body=None):
    return client.post(url, body or {}, format="json")


def test_crew_call_then_first_shot_runs_the_opening_of_the_day(ad, session, standard_day, at_local):
    at_local("07:05")
    r = post(ad, f"{BASE}/sessions/{session.pk}/confirm-crew-call/", {"at": local("07:00").isoformat()})
    assert r.status_code == 200, r.json()
    body = r.json()
    assert body["status"] == "in_progress"
    assert body["crew_call_confirmed_at"] == "2025-06-10T07:00:00+01:00"  # shown in London time
    assert body["crew_call_confirmed_by"] == ad.user.username
    assert item_statuses(session)[0] == "in_progress"  # the crew-call block runs

    at_local("09:40")
    r = post(ad, f"{BASE}/sessions/{session.pk}/confirm-first-shot/")
    assert r.status_code == 200, r.json()
    assert r.json()["first_shot_confirmed_at"] == "2025-06-10T09:40:00+01:00"
    crew_call = refresh(standard_day["crew_call"])
    assert (crew_call.status, crew_call.actual_end) == ("completed", local("09:40"))
    marker = refresh(standard_day["first_shot"])
    assert (marker.status, marker.actual_start, marker.actual_end) == ("completed", local("09:40"), local("09:40"))
    scene = refresh(standard_day["1A"])
    assert (scene.status, scene.actual_start) == ("in_progress", local("09:40"))


def test_first_shot_before_crew_call_is_409(ad, session, at_local):
    at_local("08:00")
    r = post(ad, f"{BASE}/sessions/{session.pk}/confirm-first-shot/")
    assert r.status_code == 409
    assert set(r.json()) == {"detail", "errors"}
    assert refresh(session).first_shot_confirmed_at is None


def test_first_shot_timed_before_crew_call_is_409(ad, session, at_local):
    at_local("08:00")
    assert post(ad, f"{BASE}/sessions/{session.pk}/confirm-crew-call/").status_code == 200
    r = post(ad, f"{BASE}/sessions/{session.pk}/confirm-first-shot/", {"at": local("07:30").isoformat()})
    assert r.status_code == 409
    assert "at" in r.json()["errors"]


def test_confirming_twice_is_409(ad, session, at_local):
    at_local("08:00")
    assert post(ad, f"{BASE}/sessions/{session.pk}/confirm-crew-call/").status_code == 200
    assert post(ad, f"{BASE}/sessions/{session.pk}/confirm-crew-call/").status_code == 409
    assert post(ad, f"{BASE}/sessions/{session.pk}/confirm-first-shot/").status_code == 200
    assert post(ad, f"{BASE}/sessions/{session.pk}/confirm-first-shot/").status_code == 409


def test_future_at_is_400_and_bad_at_is_400(ad, session, at_local):
    at_local("08:00")
    r = post(ad, f"{BASE}/sessions/{session.pk}/confirm-crew-call/", {"at": local("08:30").isoformat()})
    assert r.status_code == 400
    assert "at" in r.json()["errors"]
    r = post(ad, f"{BASE}/sessions/{session.pk}/confirm-crew-call/", {"at": "yesterday-ish"})
    assert r.status_code == 400
    assert refresh(session).status == "not_started"


def test_start_complete_skip_with_at(ad, session, standard_day, at_local):
    at_local("10:00")
    scene = standard_day["1A"]
    r = post(ad, f"{BASE}/items/{scene.pk}/start/", {"at": local("09:30").isoformat()})
    assert r.status_code == 200, r.json()
    assert r.json()["status"] == "in_progress"
    assert r.json()["actual_start"] == "2025-06-10T09:30:00+01:00"
    assert refresh(session).status == "in_progress"  # starting work starts the day
    r = post(ad, f"{BASE}/items/{scene.pk}/complete/", {"at": local("09:55").isoformat()})
    assert r.status_code == 200, r.json()
    assert r.json()["status"] == "completed"
    assert r.json()["is_partial"] is False
    r = post(ad, f"{BASE}/items/{standard_day['meal'].pk}/skip/")
    assert r.status_code == 200
    assert r.json()["status"] == "skipped"
    assert r.json()["skipped_at"] == "2025-06-10T10:00:00+01:00"


def test_partial_completion_only_for_scenes(ad, session, standard_day, at_local):
    at_local("10:00")
    block = standard_day["crew_call"]
    post(ad, f"{BASE}/items/{block.pk}/start/", {"at": local("07:00").isoformat()})
    r = post(ad, f"{BASE}/items/{block.pk}/complete/", {"partial": True})
    assert r.status_code == 400
    assert "partial" in r.json()["errors"]
    assert refresh(block).status == "in_progress"
    post(ad, f"{BASE}/items/{block.pk}/complete/")
    scene = standard_day["1A"]
    post(ad, f"{BASE}/items/{scene.pk}/start/")
    at_local("10:20")
    r = post(ad, f"{BASE}/items/{scene.pk}/complete/", {"partial": True})
    assert r.status_code == 200
    assert r.json()["is_partial"] is True


def test_second_item_in_progress_is_409(ad, standard_day, at_local):
    at_local("10:00")
    assert post(ad, f"{BASE}/items/{standard_day['1A'].pk}/start/").status_code == 200
    r = post(ad, f"{BASE}/items/{standard_day['2B'].pk}/start/")
    assert r.status_code == 409
    assert "still in progress" in r.json()["detail"]
    assert ScheduleItem.objects.filter(status="in_progress").count() == 1


def test_completing_a_pending_item_is_409(ad, standard_day, at_local):
    at_local("10:00")
    r = post(ad, f"{BASE}/items/{standard_day['1A'].pk}/complete/")
    assert r.status_code == 409
    assert refresh(standard_day["1A"]).status == "pending"


def test_completing_before_start_is_409_and_starting_before_logged_work_is_409(ad, standard_day, at_local):
    at_local("10:00")
    post(ad, f"{BASE}/items/{standard_day['1A'].pk}/start/", {"at": local("09:30").isoformat()})
    r = post(ad, f"{BASE}/items/{standard_day['1A'].pk}/complete/", {"at": local("09:00").isoformat()})
    assert r.status_code == 409
    post(ad, f"{BASE}/items/{standard_day['1A'].pk}/complete/", {"at": local("09:50").isoformat()})
    r = post(ad, f"{BASE}/items/{standard_day['2B'].pk}/start/", {"at": local("09:45").isoformat()})
    assert r.status_code == 409
    assert "at" in r.json()["errors"]


def test_restarting_or_skipping_a_done_item_is_409(ad, standard_day, at_local):
    at_local("10:00")
    scene = standard_day["1A"]
    post(ad, f"{BASE}/items/{scene.pk}/start/")
    assert post(ad, f"{BASE}/items/{scene.pk}/skip/").status_code == 409
    post(ad, f"{BASE}/items/{scene.pk}/complete/")
    assert post(ad, f"{BASE}/items/{scene.pk}/start/").status_code == 409
    assert post(ad, f"{BASE}/items/{scene.pk}/skip/").status_code == 409


def test_wrap_completes_the_running_item_and_freezes_the_day(ad, session, standard_day, at_local):
    at_local("18:00")
    post(ad, f"{BASE}/sessions/{session.pk}/confirm-crew-call/", {"at": local("07:00").isoformat()})
    post(ad, f"{BASE}/sessions/{session.pk}/confirm-first-shot/", {"at": local("09:30").isoformat()})
    r = post(ad, f"{BASE}/sessions/{session.pk}/wrap/", {"at": local("17:45").isoformat()})
    assert r.status_code == 200, r.json()
    assert r.json()["status"] == "wrapped"
    assert r.json()["wrapped_at"] == "2025-06-10T17:45:00+01:00"
    scene = refresh(standard_day["1A"])
    assert (scene.status, scene.actual_end) == ("completed", local("17:45"))
    assert refresh(standard_day["3C"]).status == "pending"  # not shot

    # Every action on a wrapped day is 409, and nothing changes.
    for url in (
        f"{BASE}/sessions/{session.pk}/wrap/",
        f"{BASE}/sessions/{session.pk}/start/",
        f"{BASE}/sessions/{session.pk}/confirm-crew-call/",
        f"{BASE}/items/{standard_day['2B'].pk}/start/",
        f"{BASE}/items/{standard_day['2B'].pk}/skip/",
        f"{BASE}/items/{standard_day['1A'].pk}/complete/",
    ):
        assert post(ad, url).status_code == 409, url
    r = ad.patch(f"{BASE}/items/{standard_day['2B'].pk}/", {"title": "late"}, format="json")
    assert r.status_code == 409
    r = post(ad, f"{BASE}/sessions/{session.pk}/items/", {"kind": "scene", "planned_duration_minutes": 5})
    assert r.status_code == 409
    assert ad.delete(f"{BASE}/items/{standard_day['3C'].pk}/").status_code == 409
    ids = list(ScheduleItem.objects.filter(session=session).order_by("position").values_list("pk", flat=True))
    assert post(ad, f"{BASE}/sessions/{session.pk}/reorder/", {"item_ids": ids[::-1]}).status_code == 409
    assert item_statuses(session) == ["completed", "completed", "completed", "pending", "pending", "pending"]


def test_wrap_before_start_is_409_and_start_twice_is_409(ad, session, at_local):
    at_local("07:00")
    assert post(ad, f"{BASE}/sessions/{session.pk}/wrap/").status_code == 409
    assert post(ad, f"{BASE}/sessions/{session.pk}/start/").status_code == 200
    assert post(ad, f"{BASE}/sessions/{session.pk}/start/").status_code == 409


@pytest.mark.parametrize("role", ["producer", "director", "production_manager", "crew", "vfx"])
def test_only_first_ad_drives_the_day(api_as, role, session, standard_day, at_local):
    at_local("08:00")
    client = api_as(role)
    for url in (
        f"{BASE}/sessions/{session.pk}/start/",
        f"{BASE}/sessions/{session.pk}/confirm-crew-call/",
        f"{BASE}/sessions/{session.pk}/confirm-first-shot/",
        f"{BASE}/sessions/{session.pk}/wrap/",
        f"{BASE}/items/{standard_day['1A'].pk}/start/",
        f"{BASE}/items/{standard_day['1A'].pk}/complete/",
        f"{BASE}/items/{standard_day['1A'].pk}/skip/",
    ):
        assert post(client, url).status_code == 403, url
    assert refresh(session).status == "not_started"
    assert not EventLog.objects.filter(event_type__startswith="hotset.session.started").exists()


def test_anonymous_gets_401(api, session):
    assert api.post(f"{BASE}/sessions/{session.pk}/start/").status_code == 401
    assert api.get(f"{BASE}/sessions/{session.pk}/").status_code == 401


def test_actions_on_missing_objects_are_404(ad):
    assert post(ad, f"{BASE}/sessions/999999/start/").status_code == 404
    assert post(ad, f"{BASE}/items/999999/complete/").status_code == 404


def test_non_object_body_is_handled(ad, session, at_local):
    at_local("08:00")
    r = ad.post(f"{BASE}/sessions/{session.pk}/start/", [1, 2], format="json")
    assert r.status_code in (200, 400)
    r = ad.post(f"{BASE}/items/999/complete/", "x", content_type="application/json")
    assert r.status_code in (400, 404)


def test_session_status_constraint_backs_the_rules(session):
    # Sanity: the database refuses a started session without started_at.
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        HotSetSession.objects.filter(pk=session.pk).update(status="in_progress")


def test_complete_and_start_next_is_one_action_at_one_moment(ad, standard_day, at_local):
    at_local("10:00")
    scene, nxt = standard_day["1A"], standard_day["2B"]
    post(ad, f"{BASE}/items/{scene.pk}/start/", {"at": local("09:30").isoformat()})
    r = post(ad, f"{BASE}/items/{scene.pk}/complete/", {"at": local("09:58").isoformat(), "next_item": nxt.pk})
    assert r.status_code == 200, r.json()
    assert r.json()["status"] == "completed"
    assert refresh(scene).actual_end == local("09:58")
    nxt = refresh(nxt)
    assert (nxt.status, nxt.actual_start) == ("in_progress", local("09:58"))
    types = list(EventLog.objects.order_by("id").values_list("event_type", flat=True))
    assert types.index("hotset.item.completed") < types.index(
        "hotset.item.started", types.index("hotset.item.completed")
    )


def test_complete_and_start_next_refuses_a_next_item_that_is_not_pending_and_changes_nothing(
    ad, standard_day, at_local
):
    at_local("10:00")
    scene, meal = standard_day["1A"], standard_day["meal"]
    post(ad, f"{BASE}/items/{meal.pk}/skip/")
    post(ad, f"{BASE}/items/{scene.pk}/start/", {"at": local("09:30").isoformat()})
    r = post(ad, f"{BASE}/items/{scene.pk}/complete/", {"next_item": meal.pk})
    assert r.status_code == 409
    assert "next_item" in r.json()["errors"]
    assert refresh(scene).status == "in_progress"
    r = post(ad, f"{BASE}/items/{scene.pk}/complete/", {"next_item": scene.pk})
    assert r.status_code == 409  # itself: in progress, not pending
    assert refresh(scene).status == "in_progress"


def test_complete_and_start_next_refuses_an_item_of_another_day(ad, standard_day, at_local, project):
    from hotset import services
    from tests.hotset.factories import DAY, build_item

    other_day = services.create_production_day(
        project=project, date=DAY.replace(day=11), day_number=2, general_call_time=local("07:00", DAY.replace(day=11))
    )
    other = build_item(services.create_session(production_day=other_day), 30)
    at_local("10:00")
    scene = standard_day["1A"]
    post(ad, f"{BASE}/items/{scene.pk}/start/")
    for bad in (other.pk, 99_999_999, "x", 0):
        r = post(ad, f"{BASE}/items/{scene.pk}/complete/", {"next_item": bad})
        assert r.status_code == 400, (bad, r.json())
        assert "next_item" in r.json()["errors"]
    assert refresh(scene).status == "in_progress"
    assert refresh(other).status == "pending"


def test_scenes_carry_their_stripboard_heading(ad, session, at_local):
    at_local("08:00")
    r = post(
        ad,
        f"{BASE}/sessions/{session.pk}/items/",
        {"kind": "scene", "scene_number": "41", "planned_duration_minutes": 30, "int_ext": "ext", "day_night": "night"},
    )
    assert r.status_code == 201, r.json()
    assert (r.json()["int_ext"], r.json()["day_night"]) == ("ext", "night")
    projection = ad.get(f"{BASE}/sessions/{session.pk}/projection/").json()
    row = next(i for i in projection["items"] if i["id"] == r.json()["id"])
    assert (row["int_ext"], row["day_night"]) == ("ext", "night")
    r = post(
        ad, f"{BASE}/sessions/{session.pk}/items/", {"kind": "scene", "planned_duration_minutes": 5, "int_ext": "out"}
    )
    assert r.status_code == 400
    assert "int_ext" in r.json()["errors"]
