"""Regression: an action and the delayed projection send used to lock the throttle row and
the session's event-log cursor in opposite orders and deadlock (a 500 for the 1st AD)."""

import contextlib
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from hotset import services
from hotset.models import ProjectionThrottle

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_action_and_the_delayed_send_at_the_same_moment_both_succeed(monkeypatch, broadcast_rules):
    now = timezone.now()
    project = services.create_project(name="P", timezone_name="UTC")
    day = services.create_production_day(
        project=project, date=now.date(), day_number=1, general_call_time=now - timedelta(hours=1)
    )
    session = services.create_session(production_day=day)
    item = services.add_item(
        session=session,
        values={"kind": "scene", "scene_number": "1", "planned_duration_minutes": 30},
        now=timezone.now(),
    )
    ProjectionThrottle.objects.filter(session=session).update(
        pending_due_at=now - timedelta(seconds=1), last_sent_at=now - timedelta(seconds=6)
    )
    # Orchestration only: hold the action just after it has published (cursor locked) until
    # the delayed send has had its chance to take its first lock.
    action_published = threading.Event()
    send_started = threading.Event()
    real_request = services.projection.request_projection_update
    real_publish = services.projection._publish_projection

    def request_after_a_pause(**kwargs):
        if threading.current_thread().name == "action":
            action_published.set()
            send_started.wait(2)
        return real_request(**kwargs)

    def publish_marking_the_send(session_id, now):
        if threading.current_thread().name == "send":
            send_started.set()
        return real_publish(session_id, now)

    monkeypatch.setattr(services.projection, "request_projection_update", request_after_a_pause)
    monkeypatch.setattr(services.projection, "_publish_projection", publish_marking_the_send)
    errors = {}

    def action():
        try:
            services.start_item(item=item, at=timezone.now(), now=timezone.now())
        except Exception as exc:
            errors["action"] = repr(exc)
        finally:
            connection.close()

    def send():
        try:
            action_published.wait(5)
            services.send_scheduled_projection(session_id=session.pk, now=timezone.now())
        except Exception as exc:
            errors["send"] = repr(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=action, name="action"), threading.Thread(target=send, name="send")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == {}
    item.refresh_from_db()
    assert item.status == "in_progress"


def test_two_scene_moves_in_opposite_directions_both_succeed(monkeypatch, broadcast_rules):
    """Moving a scene day 1 → day 2 while another moves day 2 → day 1 used to lock the two
    sessions in opposite orders: a deadlock, and a 503 for one of the 1st ADs."""
    from hotset.models import ScheduleItem, Suggestion

    now = timezone.now()
    project = services.create_project(name="P", timezone_name="UTC")
    sessions, scenes = [], []
    for number in (1, 2):
        day = services.create_production_day(
            project=project, date=(now + timedelta(days=number)).date(), day_number=number,
            general_call_time=now + timedelta(days=number),
        )  # fmt: skip
        sessions.append(services.create_session(production_day=day))
        scenes.append(
            services.add_item(
                session=sessions[-1],
                values={"kind": "scene", "scene_number": f"{number}A", "planned_duration_minutes": 30},
                now=timezone.now(),
            )
        )
    moves = [
        Suggestion.objects.create(
            session=sessions[i],
            type=Suggestion.Type.SCENE_MOVE,
            target=f"item:{scenes[i].pk}",
            title="Move",
            payload={"item_id": scenes[i].pk, "production_day_id": sessions[1 - i].production_day_id},
        )  # fmt: skip
        for i in (0, 1)
    ]
    # Orchestration only: each move waits (briefly) for the other before adding its scene to
    # the other day, so that both hold what they lock first.
    both_in = threading.Barrier(2, timeout=1.5)
    real_add_item = services.items.add_item

    def add_item_after_the_other_started(**kwargs):
        # A broken barrier: the other move is waiting for this one's locks, so go on.
        with contextlib.suppress(threading.BrokenBarrierError):
            both_in.wait()
        return real_add_item(**kwargs)

    monkeypatch.setattr(services.items, "add_item", add_item_after_the_other_started)
    errors = {}

    def apply(index):
        try:
            services.apply_suggestion(suggestion=moves[index], user=None, now=timezone.now())
        except Exception as exc:
            errors[index] = repr(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=apply, args=(i,)) for i in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == {}
    assert ScheduleItem.objects.get(scene_number="1A").session_id == sessions[1].pk
    assert ScheduleItem.objects.get(scene_number="2A").session_id == sessions[0].pk
