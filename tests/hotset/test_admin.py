"""The hot set admin: every model listed, sessions with items inline, start / wrap actions."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hotset.models import HotSetSession, HotSetSettings, Notification, ScheduleItem, Suggestion
from tests.hotset.conftest import refresh

pytestmark = pytest.mark.django_db

MODELS = [
    "project",
    "hotsetsettings",
    "productionday",
    "hotsetsession",
    "scheduleitem",
    "notification",
    "suggestion",
    "projectionthrottle",
]


@pytest.fixture
def with_data(session, standard_day):
    Notification.objects.create(
        project=session.production_day.project, session=session, kind="pre_call", sent_at=session.created_at
    )
    Suggestion.objects.create(session=session, type="walking_lunch", title="Walking lunch", compliance_flag=True)
    return session


@pytest.mark.parametrize("model", MODELS)
def test_every_model_has_a_working_changelist_with_search_and_filters(admin_client, with_data, model):
    url = reverse(f"admin:hotset_{model}_changelist")
    assert admin_client.get(url).status_code == 200
    assert admin_client.get(url, {"q": "Long"}).status_code == 200


def test_session_change_page_shows_items_inline(admin_client, with_data, standard_day):
    r = admin_client.get(reverse("admin:hotset_hotsetsession_change", args=[with_data.pk]))
    assert r.status_code == 200
    assert b"items-TOTAL_FORMS" in r.content
    assert b"1A" in r.content


def test_add_item_through_the_inline_gets_the_next_position(admin_client, session, standard_day):
    url = reverse("admin:hotset_hotsetsession_change", args=[session.pk])
    items = list(ScheduleItem.objects.filter(session=session).order_by("position"))
    data = {
        "items-TOTAL_FORMS": str(len(items) + 1),
        "items-INITIAL_FORMS": str(len(items)),
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
    }
    fields = [
        "kind",
        "block_type",
        "scene_number",
        "title",
        "set_name",
        "pages_eighths",
        "setups",
        "planned_start",
        "planned_duration_minutes",
    ]
    for i, item in enumerate(items):
        data[f"items-{i}-id"] = str(item.pk)
        data[f"items-{i}-session"] = str(session.pk)
        for name in fields:
            value = getattr(item, name)
            data[f"items-{i}-{name}"] = "" if value is None else str(value)
    n = len(items)
    data.update(
        {
            f"items-{n}-session": str(session.pk),
            f"items-{n}-kind": "scene",
            f"items-{n}-scene_number": "9Z",
            f"items-{n}-planned_duration_minutes": "25",
            f"items-{n}-pages_eighths": "4",
            f"items-{n}-setups": "1",
            f"items-{n}-block_type": "",
            f"items-{n}-title": "",
            f"items-{n}-set_name": "",
            f"items-{n}-planned_start": "",
        }
    )
    r = admin_client.post(url, data)
    assert r.status_code == 302, r.content[:2000]
    added = ScheduleItem.objects.get(session=session, scene_number="9Z")
    assert added.position == max(i.position for i in items) + 1


def test_start_and_wrap_actions_call_the_services(admin_client, session):
    url = reverse("admin:hotset_hotsetsession_changelist")
    r = admin_client.post(url, {"action": "start_sessions", "_selected_action": [session.pk]}, follow=True)
    assert r.status_code == 200
    assert refresh(session).status == "in_progress"
    r = admin_client.post(url, {"action": "start_sessions", "_selected_action": [session.pk]}, follow=True)
    assert b"already started" in r.content
    admin_client.post(url, {"action": "wrap_sessions", "_selected_action": [session.pk]}, follow=True)
    assert refresh(session).status == "wrapped"


def test_settings_are_editable_per_project(admin_client, project):
    settings = HotSetSettings.objects.get(project=project)
    r = admin_client.get(reverse("admin:hotset_project_change", args=[project.pk]))
    assert r.status_code == 200
    assert b"auto_start_minutes_before_call" in r.content
    r = admin_client.get(reverse("admin:hotset_hotsetsettings_change", args=[settings.pk]))
    assert r.status_code == 200


def test_creating_a_session_in_the_admin_uses_the_service(admin_client, day):
    r = admin_client.post(
        reverse("admin:hotset_hotsetsession_add"),
        {
            "production_day": day.pk,
            "items-TOTAL_FORMS": "0",
            "items-INITIAL_FORMS": "0",
            "items-MIN_NUM_FORMS": "0",
            "items-MAX_NUM_FORMS": "1000",
        },
    )
    assert r.status_code == 302, r.content[:3000]
    session = HotSetSession.objects.get(production_day=day)
    assert hasattr(session, "projection_throttle")
