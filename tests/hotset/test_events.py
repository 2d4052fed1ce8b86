"""hotset.* events: after commit only, to the session group; projection updates coalesced (≤ 1 per 5 s,
the last one wins); the session group's subscription rule; delivery over /ws/."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.utils import timezone

from config.asgi import application
from hotset import services
from hotset.models import ProjectionThrottle
from realtime import registry
from realtime.groups import HOTSET_SESSION, object_group
from realtime.models import EventLog
from tests.factories import access_token
from tests.hotset.factories import local, refresh


def _events(session, event_type=None):
    qs = EventLog.objects.filter(group_name=object_group(HOTSET_SESSION, session.pk)).order_by("seq")
    if event_type:
        qs = qs.filter(event_type=event_type)
    return list(qs)


@pytest.mark.django_db
class TestEvents:
    def test_each_action_publishes_its_event_to_the_session_group(
        self, api_as, session, standard_day, at_local, django_capture_on_commit_callbacks
    ):
        ad = api_as("first_ad")
        at_local("07:00")
        ad.post(f"/api/v1/hotset/sessions/{session.pk}/confirm-crew-call/")
        at_local("09:30")
        ad.post(f"/api/v1/hotset/sessions/{session.pk}/confirm-first-shot/")
        at_local("10:15")
        ad.post(f"/api/v1/hotset/items/{standard_day['1A'].pk}/complete/")
        # Role groups are logged right after the commit (the session group within it).
        with django_capture_on_commit_callbacks(execute=True):
            ad.post(f"/api/v1/hotset/items/{standard_day['meal'].pk}/skip/")
        types = [e.event_type for e in _events(session) if e.event_type != "hotset.projection.updated"]
        assert types == [
            "hotset.session.created",
            "hotset.item.created",
            "hotset.item.created",
            "hotset.item.created",
            "hotset.item.created",
            "hotset.item.created",
            "hotset.item.created",
            "hotset.session.started",
            "hotset.item.started",
            "hotset.session.crew_call_confirmed",
            "hotset.item.completed",
            "hotset.item.started",
            "hotset.item.completed",
            "hotset.item.started",
            "hotset.session.first_shot_confirmed",
            "hotset.item.completed",
            "hotset.item.skipped",
        ]
        completed = _events(session, "hotset.item.completed")[-1]
        assert completed.payload["item_id"] == standard_day["1A"].pk
        assert completed.payload["actual_end"].startswith("2025-06-10T09:15:00")  # UTC in payloads
        # The default broadcast rules copy hot set events to the watching roles.
        roles = set(EventLog.objects.filter(event_type="hotset.item.skipped").values_list("group_name", flat=True))
        assert roles == {
            object_group(HOTSET_SESSION, session.pk),
            "role.first_ad",
            "role.producer",
            "role.director",
            "role.production_manager",
        }

    def test_a_refused_action_publishes_nothing(self, api_as, session, standard_day, at_local):
        ad = api_as("first_ad")
        at_local("09:00")
        before = EventLog.objects.count()
        assert ad.post(f"/api/v1/hotset/items/{standard_day['1A'].pk}/complete/").status_code == 409
        assert ad.post(f"/api/v1/hotset/sessions/{session.pk}/confirm-first-shot/").status_code == 409
        assert EventLog.objects.count() == before

    def test_projection_updates_coalesce_and_the_last_one_wins(self, session, standard_day, time_machine):
        t0 = local("09:30")
        time_machine.move_to(t0, tick=False)
        ProjectionThrottle.objects.filter(session=session).update(last_sent_at=None, pending_due_at=None)
        EventLog.objects.filter(event_type="hotset.projection.updated").delete()

        services.start_item(item=standard_day["1A"], at=t0, now=timezone.now())  # first change: sent at once
        sent = _events(session, "hotset.projection.updated")
        assert len(sent) == 1
        assert sent[0].payload["current_item_id"] == standard_day["1A"].pk

        time_machine.move_to(t0 + timedelta(seconds=1), tick=False)
        services.complete_item(item=standard_day["1A"], at=t0 + timedelta(seconds=1), now=timezone.now())
        throttle = ProjectionThrottle.objects.get(session=session)
        assert throttle.pending_due_at == t0 + timedelta(seconds=5)
        time_machine.move_to(t0 + timedelta(seconds=2), tick=False)
        services.start_item(item=standard_day["2B"], at=t0 + timedelta(seconds=2), now=timezone.now())
        assert services.request_projection_update(session_id=session.pk, now=timezone.now()) == "coalesced"
        assert len(_events(session, "hotset.projection.updated")) == 1  # nothing more inside the window

        # The delayed send, run early, waits; on time, it sends the latest state.
        assert services.send_scheduled_projection(session_id=session.pk, now=t0 + timedelta(seconds=3)) == 2.0
        assert len(_events(session, "hotset.projection.updated")) == 1
        assert services.send_scheduled_projection(session_id=session.pk, now=t0 + timedelta(seconds=5)) == 0
        sent = _events(session, "hotset.projection.updated")
        assert len(sent) == 2
        assert sent[1].payload["current_item_id"] == standard_day["2B"].pk  # last one wins
        assert "items" not in sent[1].payload
        assert refresh(throttle).pending_due_at is None
        # A duplicate delivery of the task sends nothing.
        assert services.send_scheduled_projection(session_id=session.pk, now=t0 + timedelta(seconds=6)) == 0
        assert len(_events(session, "hotset.projection.updated")) == 2

        # Sent events are at least 5 s apart.
        time_machine.move_to(t0 + timedelta(seconds=7), tick=False)
        assert services.request_projection_update(session_id=session.pk, now=timezone.now()) == "scheduled"
        assert refresh(throttle).pending_due_at == t0 + timedelta(seconds=10)
        time_machine.move_to(t0 + timedelta(seconds=20), tick=False)
        assert services.send_scheduled_projection(session_id=session.pk, now=timezone.now()) == 0
        assert services.request_projection_update(session_id=session.pk, now=timezone.now()) == "scheduled"

    def test_a_lost_delayed_send_does_not_silence_the_session(self, session, time_machine):
        t0 = local("09:30")
        time_machine.move_to(t0, tick=False)
        ProjectionThrottle.objects.filter(session=session).update(
            last_sent_at=t0 - timedelta(seconds=2), pending_due_at=t0 + timedelta(seconds=3)
        )
        assert services.request_projection_update(session_id=session.pk, now=timezone.now()) == "coalesced"
        time_machine.move_to(t0 + timedelta(minutes=5), tick=False)
        assert services.request_projection_update(session_id=session.pk, now=timezone.now()) == "sent"

    def test_sessions_are_throttled_independently(self, session, add_item, day, time_machine):
        from hotset.models import ProductionDay

        time_machine.move_to(local("09:00"), tick=False)
        other_day = ProductionDay.objects.create(
            project=day.project, date=day.date + timedelta(days=1), day_number=2, general_call_time=local("07:00")
        )
        other = services.create_session(production_day=other_day)
        ProjectionThrottle.objects.all().update(last_sent_at=None, pending_due_at=None)
        assert services.request_projection_update(session_id=session.pk, now=timezone.now()) == "sent"
        assert services.request_projection_update(session_id=other.pk, now=timezone.now()) == "sent"

    def test_subscription_rule_is_registered(self, session, make_user):
        assert "hotset.session" in registry.registered_prefixes()
        group = object_group(HOTSET_SESSION, session.pk)
        for role in ("first_ad", "producer", "director", "production_manager", "crew"):
            assert registry.can_subscribe(make_user(role), group), role
        assert not registry.can_subscribe(make_user("vfx"), group)
        assert not registry.can_subscribe(make_user("first_ad"), object_group(HOTSET_SESSION, session.pk + 1000))


@pytest.mark.django_db(transaction=True)
def test_the_delayed_send_runs_in_a_real_worker(celery_worker_thread, session, standard_day):
    # Setting up the day's items used up the projection window; start with a fresh one.
    ProjectionThrottle.objects.all().update(last_sent_at=None, pending_due_at=None)
    EventLog.objects.filter(event_type="hotset.projection.updated").delete()
    now = timezone.now()
    services.start_item(item=standard_day["crew_call"], at=now, now=timezone.now())  # sent at once
    services.complete_item(
        item=standard_day["crew_call"], at=timezone.now(), now=timezone.now()
    )  # scheduled (countdown)
    services.start_item(item=standard_day["first_shot"], at=timezone.now(), now=timezone.now())  # coalesced
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        sent = _events(session, "hotset.projection.updated")
        if len(sent) >= 2:
            break
        time.sleep(0.1)  # polling for the worker, not waiting for time to pass
    sent = _events(session, "hotset.projection.updated")
    assert len(sent) == 2
    # The window is kept on the service's clock; an event's ts is stamped after its
    # projection is computed, which on a loaded machine can take a few hundred ms.
    assert (sent[1].ts - sent[0].ts) >= timedelta(seconds=4.5)
    assert sent[1].payload["current_item_id"] == standard_day["first_shot"].pk


@pytest.mark.django_db(transaction=True)
async def test_hot_set_events_reach_a_subscribed_socket(make_user, session, standard_day):
    producer = await database_sync_to_async(make_user)("producer")
    vfx = await database_sync_to_async(make_user)("vfx")
    group = object_group(HOTSET_SESSION, session.pk)

    communicator = WebsocketCommunicator(application, f"/ws/?token={access_token(producer)}")
    assert (await communicator.connect())[0]
    assert (await communicator.receive_json_from(timeout=2))["type"] == "connected"
    await communicator.send_json_to({"action": "subscribe", "group": group})
    subscribed = await communicator.receive_json_from(timeout=2)
    assert subscribed["type"] == "subscribed"
    # Setting up the day's items used up the projection window; start with a fresh one.
    await database_sync_to_async(ProjectionThrottle.objects.all().update)(last_sent_at=None, pending_due_at=None)
    await database_sync_to_async(services.start_item)(item=standard_day["1A"], at=timezone.now(), now=timezone.now())
    seen = set()
    for _ in range(30):  # the day's suggestions reach the producer's role group too
        message = await communicator.receive_json_from(timeout=2)
        if message["group"] == group:
            seen.add(message["type"])
        if {"hotset.item.started", "hotset.projection.updated"} <= seen:
            break
    assert {"hotset.session.started", "hotset.item.started", "hotset.projection.updated"} <= seen
    await communicator.disconnect()

    other = WebsocketCommunicator(application, f"/ws/?token={access_token(vfx)}")
    assert (await other.connect())[0]
    await other.receive_json_from(timeout=2)
    await other.send_json_to({"action": "subscribe", "group": group})
    assert (await other.receive_output(timeout=2)) == {"type": "websocket.close", "code": 4403}


@pytest.mark.django_db
def test_inline_delayed_send_on_the_main_thread_does_not_stall(session, time_machine):
    from hotset import tasks

    t0 = local("09:30")
    time_machine.move_to(t0, tick=False)
    ProjectionThrottle.objects.filter(session=session).update(
        last_sent_at=t0 - timedelta(seconds=1), pending_due_at=t0 + timedelta(seconds=4)
    )
    before = len(_events(session, "hotset.projection.updated"))
    tasks.send_projection_update.apply(args=[session.pk])  # inline, as a command without a runner
    assert len(_events(session, "hotset.projection.updated")) == before + 1
    assert ProjectionThrottle.objects.get(session=session).pending_due_at is None
