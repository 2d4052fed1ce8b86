"""The projection endpoint: the SPEC's numbers through the API, ``?at=``, constant queries."""

from __future__ import annotations

import pytest
from django.utils import timezone

from hotset import services
from hotset.models import ScheduleItem
from tests.hotset.factories import local

pytestmark = pytest.mark.django_db

BASE = "/api/v1/hotset"


@pytest.fixture
def ad(api_as):
    return api_as("first_ad")


def test_worked_example_through_the_api(ad, session, standard_day, at_local):
    at_local("10:30")
    ad.post(f"{BASE}/sessions/{session.pk}/confirm-crew-call/", {"at": local("07:00").isoformat()}, format="json")
    ad.post(f"{BASE}/sessions/{session.pk}/confirm-first-shot/", {"at": local("09:30").isoformat()}, format="json")
    r = ad.get(f"{BASE}/sessions/{session.pk}/projection/")
    assert r.status_code == 200
    p = r.json()
    items = {i["label"]: i for i in p["items"]}
    scene = items["Sc. 1A"]
    assert scene["planned"] == {"start": "2025-06-10T09:30:00+01:00", "end": "2025-06-10T10:12:00+01:00"}
    assert scene["status"] == "in_progress"
    assert scene["elapsed_minutes"] == 60
    assert p["realtime_deviation_minutes"] == -18
    assert p["schedule_position"] == "2025-06-10T10:12:00+01:00"
    assert p["cumulative_variance_minutes"] == 0  # crew call 150 planned, 150 taken
    assert p["current_item_id"] == standard_day["1A"].pk
    assert p["expected_item_id"] == standard_day["2B"].pk
    assert p["next_item_id"] == standard_day["2B"].pk
    assert items["Sc. 2B"]["projected"] == {"start": "2025-06-10T10:30:00+01:00", "end": "2025-06-10T11:00:00+01:00"}
    assert p["projected_wrap"] == "2025-06-10T12:30:00+01:00"  # 2B 30 + meal 30 + 3C 60 from 10:30
    assert p["schedule_planned_end"] == "2025-06-10T12:12:00+01:00"
    assert p["planned_wrap"] == "2025-06-10T19:00:00+01:00"  # the day's planned wrap
    assert p["timezone"] == "Europe/London"
    assert p["at"] == "2025-06-10T10:30:00+01:00"
    assert items["Crew call"]["variance_minutes"] == 0
    assert items["Crew call"]["actual"] == {"start": "2025-06-10T07:00:00+01:00", "end": "2025-06-10T09:30:00+01:00"}


def test_projection_at_an_earlier_moment_forgets_what_came_after(ad, session, standard_day, at_local):
    at_local("11:00")
    ad.post(f"{BASE}/items/{standard_day['1A'].pk}/start/", {"at": local("09:30").isoformat()}, format="json")
    ad.post(f"{BASE}/items/{standard_day['1A'].pk}/complete/", {"at": local("10:30").isoformat()}, format="json")
    ad.post(f"{BASE}/items/{standard_day['2B'].pk}/start/", {"at": local("10:30").isoformat()}, format="json")
    now = ad.get(f"{BASE}/sessions/{session.pk}/projection/").json()
    assert now["current_item_id"] == standard_day["2B"].pk
    assert now["cumulative_variance_minutes"] == -18
    then = ad.get(f"{BASE}/sessions/{session.pk}/projection/", {"at": "2025-06-10T10:30:00+01:00"}).json()
    assert then["at"] == "2025-06-10T10:30:00+01:00"
    assert then["realtime_deviation_minutes"] == -18
    before = ad.get(f"{BASE}/sessions/{session.pk}/projection/", {"at": "2025-06-10T10:00:00+01:00"}).json()
    assert before["current_item_id"] == standard_day["1A"].pk
    assert before["cumulative_variance_minutes"] == 0
    by_id = {i["id"]: i for i in before["items"]}
    assert by_id[standard_day["2B"].pk]["status"] == "pending"
    assert by_id[standard_day["1A"].pk]["actual"]["end"] is None
    # A future moment: what if nothing changes until then.
    later = ad.get(f"{BASE}/sessions/{session.pk}/projection/", {"at": "2025-06-10T12:00:00+01:00"}).json()
    assert later["realtime_deviation_minutes"] < now["realtime_deviation_minutes"]


@pytest.mark.parametrize("at", ["tomorrow", "2025-13-01T00:00:00Z", "1"])
def test_bad_at_is_400(ad, session, at):
    r = ad.get(f"{BASE}/sessions/{session.pk}/projection/", {"at": at})
    assert r.status_code == 400
    assert "at" in r.json()["errors"]


def test_projection_of_missing_session_is_404(ad):
    assert ad.get(f"{BASE}/sessions/987654/projection/").status_code == 404


def test_empty_session_projection(ad, session, at_local):
    at_local("08:00")
    p = ad.get(f"{BASE}/sessions/{session.pk}/projection/").json()
    assert p["items"] == []
    assert p["projected_wrap"] is None
    assert p["planned_wrap"] == "2025-06-10T19:00:00+01:00"


def _fill(session, n):
    ScheduleItem.objects.bulk_create(
        [
            ScheduleItem(
                session=session,
                position=i,
                kind="scene",
                scene_number=str(i),
                planned_duration_minutes=3,
                status="completed" if i < n // 2 else "pending",
                actual_start=local("07:00") if i < n // 2 else None,
                actual_end=local("07:02") if i < n // 2 else None,
            )
            for i in range(n)
        ]
    )


def test_projection_queries_do_not_grow_with_items(ad, session, at_local, django_assert_max_num_queries):
    at_local("12:00")
    _fill(session, 10)
    with django_assert_max_num_queries(8) as small:
        assert ad.get(f"{BASE}/sessions/{session.pk}/projection/").status_code == 200
    ScheduleItem.objects.filter(session=session).delete()
    _fill(session, 200)
    with django_assert_max_num_queries(len(small.captured_queries)):
        r = ad.get(f"{BASE}/sessions/{session.pk}/projection/")
    assert r.status_code == 200
    assert len(r.json()["items"]) == 200
    assert r.json()["cumulative_variance_minutes"] == 100


def test_service_projection_for_200_items_is_two_queries(session, django_assert_num_queries, at_local):
    from hotset import selectors

    now = at_local("12:00")
    _fill(session, 200)
    with django_assert_num_queries(2):
        data = selectors.projection(session.pk, now=now)
    assert len(data["items"]) == 200


def test_items_list_queries_do_not_grow(ad, session, at_local, django_assert_max_num_queries):
    _fill(session, 120)
    with django_assert_max_num_queries(10):
        r = ad.get(f"{BASE}/sessions/{session.pk}/items/", {"page_size": 200})
    assert r.json()["count"] == 120


def test_projection_reflects_reorder(session, standard_day, at_local):
    from hotset import selectors

    now = at_local("06:00")
    ids = [i.pk for i in standard_day.values()]
    services.reorder_items(
        session=session, item_ids=[ids[0], ids[1], ids[5], ids[2], ids[3], ids[4]], now=timezone.now()
    )
    p = selectors.projection(session.pk, now=now)
    assert [i["id"] for i in p["items"]][2] == ids[5]
    assert p["items"][2]["planned"]["start"] == "2025-06-10T09:30:00+01:00"


@pytest.mark.parametrize("path", ["abc", "0", "99999999999999999999999"])
def test_odd_session_ids_are_404(ad, path):
    assert ad.get(f"{BASE}/sessions/{path}/projection/").status_code == 404
    assert ad.get(f"{BASE}/sessions/{path}/").status_code == 404


def test_projection_agrees_with_the_orm_on_sqlite_style_text(session, standard_day):
    # The selector's own conversion of naive UTC text (SQLite) gives the same aware moments.
    from hotset.selectors import _aware

    moment = _aware("2025-06-10 06:00:00")
    assert moment == local("07:00")
