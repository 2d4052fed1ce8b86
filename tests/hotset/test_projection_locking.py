"""Regression: an action and the delayed projection send used to lock the throttle row and
the session's event-log cursor in opposite orders and deadlock (a 500 for the 1st AD)."""

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
        session=session, values={"kind": "scene", "scene_number": "1", "planned_duration_minutes": 30}
    )
    ProjectionThrottle.objects.filter(session=session).update(
        pending_due_at=now - timedelta(seconds=1), last_sent_at=now - timedelta(seconds=6)
    )
    # Orchestration only: hold the action just after it has published (cursor locked) until
    # the delayed send has had its chance to take its first lock.
    action_published = threading.Event()
    send_started = threading.Event()
    real_request = services.request_projection_update
    real_publish = services._publish_projection

    def request_after_a_pause(**kwargs):
        if threading.current_thread().name == "action":
            action_published.set()
            send_started.wait(2)
        return real_request(**kwargs)

    def publish_marking_the_send(session_id, now):
        if threading.current_thread().name == "send":
            send_started.set()
        return real_publish(session_id, now)

    monkeypatch.setattr(services, "request_projection_update", request_after_a_pause)
    monkeypatch.setattr(services, "_publish_projection", publish_marking_the_send)
    errors = {}

    def action():
        try:
            services.start_item(item=item, at=timezone.now())
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
