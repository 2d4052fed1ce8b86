"""AI templates: CRUD, exactly one active (a database constraint), atomic activation."""

import threading

import pytest
from django.db import IntegrityError, connection, transaction

from publishing import services
from publishing.models import AITemplate
from realtime.models import EventLog

BASE = "/api/v1/publishing/templates"


@pytest.mark.django_db
def test_the_database_refuses_two_active_templates():
    AITemplate.objects.create(name="a", prompt_text="x", is_active=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        AITemplate.objects.create(name="b", prompt_text="y", is_active=True)
    AITemplate.objects.create(name="c", prompt_text="z", is_active=False)  # any number of inactive ones


@pytest.mark.django_db
def test_template_crud_active_and_activate(api_as):
    manager = api_as("social_manager")
    assert manager.get(f"{BASE}/active/").status_code == 404
    first = manager.post(f"{BASE}/", {"name": "Hype", "prompt_text": "Hype {filename} {game_context}"}).json()
    second = manager.post(f"{BASE}/", {"name": "Calm", "prompt_text": "Calm {filename}", "is_active": True}).json()
    assert first["is_active"] is False and second["is_active"] is False  # activation is its own action
    assert manager.post(f"{BASE}/", {"name": "Hype", "prompt_text": "dup"}).status_code == 400
    assert manager.post(f"{BASE}/", {"name": "Empty", "prompt_text": ""}).status_code == 400

    assert manager.post(f"{BASE}/{first['id']}/activate/").json()["is_active"] is True
    assert manager.get(f"{BASE}/active/").json()["id"] == first["id"]
    assert manager.post(f"{BASE}/{second['id']}/activate/").status_code == 200
    assert list(AITemplate.objects.filter(is_active=True).values_list("name", flat=True)) == ["Calm"]
    assert manager.post(f"{BASE}/{second['id']}/activate/").status_code == 200  # idempotent
    assert AITemplate.objects.filter(is_active=True).count() == 1

    assert manager.patch(f"{BASE}/{first['id']}/", {"prompt_text": "New {filename}"}).status_code == 200
    assert manager.get(f"{BASE}/?is_active=true").json()["count"] == 1
    assert manager.delete(f"{BASE}/{second['id']}/").status_code == 204
    assert manager.get(f"{BASE}/active/").status_code == 404  # back to the built-in default
    assert api_as("producer").post(f"{BASE}/{first['id']}/activate/").status_code == 403
    assert manager.post(f"{BASE}/999999/activate/").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_concurrent_activations_leave_exactly_one_active(broadcast_rules):
    templates = [AITemplate.objects.create(name=f"t{i}", prompt_text="p") for i in range(6)]
    barrier = threading.Barrier(len(templates))
    errors = []

    def activate(template):
        try:
            barrier.wait()
            services.activate_template(template=template)
        except Exception as exc:  # pragma: no cover - surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=activate, args=(t,)) for t in templates]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors
    assert AITemplate.objects.filter(is_active=True).count() == 1
    assert EventLog.objects.filter(event_type="publishing.template.activated").count() == 6 * 2  # two role groups
