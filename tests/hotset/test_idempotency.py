"""``Idempotency-Key`` on every hot set action (SPEC §1): a phone that lost signal replays its
queue; a repeat gets the first answer and changes nothing; the key reused elsewhere is a 409."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from hotset import services
from hotset.models import IdempotentRequest, ScheduleItem
from realtime.models import EventLog
from tests.hotset.factories import local, refresh

BASE = "/api/v1/hotset"


@pytest.fixture
def ad(api_as):
    return api_as("first_ad")


def post(client, url, body=None, key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post(url, body or {}, format="json", **headers)


@pytest.mark.django_db
class TestReplays:
    def test_a_replayed_completion_returns_the_first_answer_and_changes_nothing(
        self, ad, session, standard_day, at_local
    ):
        at_local("10:00")
        services.confirm_crew_call(session=session, user=None, at=local("07:00"), now=timezone.now())
        services.confirm_first_shot(session=session, user=None, at=local("09:30"), now=timezone.now())
        scene = standard_day["1A"]
        first = post(ad, f"{BASE}/items/{scene.pk}/complete/", {"at": local("09:58").isoformat()}, key="phone-1")
        assert first.status_code == 200, first.json()
        events = EventLog.objects.count()
        at_local("10:20")  # the phone comes back into signal and replays its queue
        again = post(ad, f"{BASE}/items/{scene.pk}/complete/", {"at": local("09:58").isoformat()}, key="phone-1")
        assert (again.status_code, again.json()) == (200, first.json())
        assert refresh(scene).actual_end == local("09:58")
        assert EventLog.objects.count() == events  # nothing happened twice
        # Without the key the same request is a real second completion: refused (409).
        assert post(ad, f"{BASE}/items/{scene.pk}/complete/", {"at": local("09:58").isoformat()}).status_code == 409

    @pytest.mark.parametrize(
        ("path", "body"),
        [
            ("sessions/{session}/start/", {}),
            ("sessions/{session}/confirm-crew-call/", {}),
            ("items/{crew_call}/start/", {}),
            ("items/{meal}/skip/", {}),
        ],
    )
    def test_every_action_replays(self, ad, session, standard_day, at_local, path, body):
        at_local("07:05")
        url = f"{BASE}/" + path.format(
            session=session.pk, crew_call=standard_day["crew_call"].pk, meal=standard_day["meal"].pk
        )
        first = post(ad, url, body, key="k-" + path)
        assert first.status_code == 200, first.json()
        again = post(ad, url, body, key="k-" + path)
        assert (again.status_code, again.json()) == (200, first.json())

    def test_reorder_and_wrap_replay(self, ad, session, standard_day, at_local):
        at_local("07:05")
        ids = [i.pk for i in standard_day.values()]
        order = [ids[0], ids[1], ids[3], ids[2], ids[4], ids[5]]
        first = post(ad, f"{BASE}/sessions/{session.pk}/reorder/", {"item_ids": order}, key="r1")
        assert first.status_code == 200
        assert post(ad, f"{BASE}/sessions/{session.pk}/reorder/", {"item_ids": order}, key="r1").json() == first.json()
        services.start_session(session=session, at=local("07:00"), now=timezone.now())
        wrap = post(ad, f"{BASE}/sessions/{session.pk}/wrap/", {"at": local("07:04").isoformat()}, key="w1")
        assert wrap.status_code == 200
        assert (
            post(ad, f"{BASE}/sessions/{session.pk}/wrap/", {"at": local("07:04").isoformat()}, key="w1").json()
            == wrap.json()
        )

    def test_the_same_key_on_another_endpoint_or_body_is_409(self, ad, session, standard_day, at_local):
        at_local("07:05")
        crew = standard_day["crew_call"]
        assert post(ad, f"{BASE}/items/{crew.pk}/start/", {}, key="same").status_code == 200
        other_endpoint = post(ad, f"{BASE}/items/{standard_day['meal'].pk}/skip/", {}, key="same")
        assert other_endpoint.status_code == 409 and "Idempotency-Key" in other_endpoint.json()["detail"]
        assert refresh(standard_day["meal"]).status == "pending"
        other_body = post(ad, f"{BASE}/items/{crew.pk}/start/", {"at": local("07:01").isoformat()}, key="same")
        assert other_body.status_code == 409

    def test_keys_belong_to_their_user_and_expire_after_a_day(
        self, ad, api_as, session, standard_day, at_local, time_machine
    ):
        at_local("07:05")
        crew, meal = standard_day["crew_call"], standard_day["meal"]
        assert post(ad, f"{BASE}/items/{crew.pk}/start/", {}, key="shared").status_code == 200
        other_ad = api_as("first_ad")
        assert post(other_ad, f"{BASE}/items/{meal.pk}/skip/", {}, key="shared").status_code == 200  # not the same key
        time_machine.shift(timedelta(hours=25))
        fresh = post(ad, f"{BASE}/items/{standard_day['3C'].pk}/skip/", {}, key="shared")
        assert fresh.status_code == 200  # a day later the key is free again

    @pytest.mark.parametrize("key", ["", "x" * 201])
    def test_a_bad_key_is_400_and_changes_nothing(self, ad, session, standard_day, at_local, key):
        at_local("07:05")
        r = post(ad, f"{BASE}/items/{standard_day['crew_call'].pk}/start/", {}, key=key)
        assert r.status_code == 400 and "Idempotency-Key" in r.json()["errors"]
        assert refresh(standard_day["crew_call"]).status == "pending"

    def test_a_refused_action_is_not_remembered(self, ad, session, standard_day, at_local):
        at_local("07:05")
        meal = standard_day["meal"]
        r = post(ad, f"{BASE}/items/{meal.pk}/complete/", {}, key="early")  # not in progress: 409
        assert r.status_code == 409
        assert not IdempotentRequest.objects.filter(key="early").exists()
        post(ad, f"{BASE}/items/{meal.pk}/start/", {})
        assert post(ad, f"{BASE}/items/{meal.pk}/complete/", {}, key="early").status_code == 200

    def test_old_keys_are_purged(self, ad, session, standard_day, at_local, time_machine):
        at_local("07:05")
        post(ad, f"{BASE}/items/{standard_day['crew_call'].pk}/start/", {}, key="old")
        time_machine.shift(timedelta(hours=25))
        from hotset import tasks

        assert tasks.purge_idempotency_keys() == 1
        assert not IdempotentRequest.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_same_key_twice_at_once_makes_one_change(api_as, roles):
    from tests.hotset.factories import DAY

    project = services.create_project(name="Race", timezone_name="Europe/London")
    day = services.create_production_day(project=project, date=DAY, day_number=1, general_call_time=local("07:00"))
    session = services.create_session(production_day=day)
    item = services.add_item(
        session=session, values={"kind": "scene", "planned_duration_minutes": 30}, now=timezone.now()
    )
    client = api_as("first_ad")
    barrier = threading.Barrier(2)
    answers = []

    def send():
        try:
            barrier.wait(5)
            answers.append(
                post(client, f"{BASE}/items/{item.pk}/start/", {"at": local("07:00").isoformat()}, key="tap")
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert [a.status_code for a in answers] == [200, 200]
    assert answers[0].json() == answers[1].json()
    assert ScheduleItem.objects.get(pk=item.pk).status == "in_progress"
    started = EventLog.objects.filter(event_type="hotset.item.started", group_name=f"hotset.session.{session.pk}")
    assert started.count() == 1
