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


# --- the admin goes through the services (issue 10): what the API refuses, the admin refuses -------


def _wrapped_with_a_completed_scene(session, standard_day):
    from hotset import services
    from tests.hotset.conftest import local

    services.confirm_crew_call(session=session, user=None, at=local("07:00"))
    services.confirm_first_shot(session=session, user=None, at=local("09:30"))
    services.complete_item(item=refresh(standard_day["1A"]), at=local("10:10"))
    services.wrap_session(session=refresh(session), at=local("10:30"))
    return refresh(standard_day["1A"])


def _inline_data(session, **overrides):
    items = list(ScheduleItem.objects.filter(session=session).order_by("position"))
    data = {
        "items-TOTAL_FORMS": str(len(items)),
        "items-INITIAL_FORMS": str(len(items)),
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
    }
    fields = ["kind", "block_type", "scene_number", "title", "set_name", "pages_eighths", "setups", "planned_start",
              "planned_duration_minutes"]  # fmt: skip
    for i, item in enumerate(items):
        data[f"items-{i}-id"] = str(item.pk)
        data[f"items-{i}-session"] = str(session.pk)
        for name in fields:
            value = getattr(item, name)
            data[f"items-{i}-{name}"] = "" if value is None else str(value)
    data.update(overrides)
    return data, items


def test_deleting_a_completed_scene_of_a_wrapped_day_is_refused(admin_client, session, standard_day):
    scene = _wrapped_with_a_completed_scene(session, standard_day)
    r = admin_client.post(reverse("admin:hotset_scheduleitem_delete", args=[scene.pk]), {"post": "yes"}, follow=True)
    assert r.status_code == 200 and b"Not saved" in r.content and b"wrapped" in r.content
    assert ScheduleItem.objects.filter(pk=scene.pk).exists()
    changelist = reverse("admin:hotset_scheduleitem_changelist")
    r = admin_client.post(
        changelist, {"action": "delete_selected", "_selected_action": [scene.pk], "post": "yes"}, follow=True
    )
    assert b"Not saved" in r.content
    assert ScheduleItem.objects.filter(pk=scene.pk).exists()


def test_a_refused_inline_row_saves_nothing_of_the_submit(admin_client, session, standard_day):
    from hotset import services
    from tests.hotset.conftest import local

    services.start_item(item=standard_day["crew_call"], at=local("07:00"))
    services.complete_item(item=refresh(standard_day["crew_call"]), at=local("09:30"))
    data, items = _inline_data(session)
    done = items.index(refresh(standard_day["crew_call"]))
    pending = items.index(refresh(standard_day["3C"]))
    data[f"items-{pending}-title"] = "Renamed in the same submit"
    data[f"items-{done}-DELETE"] = "on"  # a completed item: the API answers 409
    r = admin_client.post(reverse("admin:hotset_hotsetsession_change", args=[session.pk]), data, follow=True)
    assert b"Not saved" in r.content and b"Only a pending item can be deleted" in r.content
    assert ScheduleItem.objects.filter(pk=standard_day["crew_call"].pk).exists()
    assert refresh(standard_day["3C"]).title == ""  # the other row's edit went with it


def test_editing_a_wrapped_days_call_time_is_refused(admin_client, session, standard_day):
    _wrapped_with_a_completed_scene(session, standard_day)
    day = session.production_day
    url = reverse("admin:hotset_productionday_change", args=[day.pk])
    data = {
        "project": day.project_id,
        "date": day.date.isoformat(),
        "day_number": day.day_number,
        "general_call_time_0": day.general_call_time.astimezone(day.project.tzinfo).strftime("%Y-%m-%d"),
        "general_call_time_1": "06:00:00",
        "planned_wrap_0": "",
        "planned_wrap_1": "",
        "location": day.location,
        "notes": "",
    }
    r = admin_client.post(url, data, follow=True)
    assert b"Not saved" in r.content and b"history" in r.content
    assert refresh(day).general_call_time == day.general_call_time


def test_admin_edits_and_deletes_send_the_events(admin_client, session, standard_day):
    from realtime.models import EventLog

    group = f"hotset.session.{session.pk}"
    data, items = _inline_data(session)
    index = items.index(refresh(standard_day["3C"]))
    data[f"items-{index}-title"] = "Night exterior"
    r = admin_client.post(reverse("admin:hotset_hotsetsession_change", args=[session.pk]), data)
    assert r.status_code == 302
    assert refresh(standard_day["3C"]).title == "Night exterior"
    assert EventLog.objects.filter(group_name=group, event_type="hotset.item.updated").exists()
    meal = standard_day["meal"]
    r = admin_client.post(reverse("admin:hotset_scheduleitem_delete", args=[meal.pk]), {"post": "yes"})
    assert r.status_code == 302 and not ScheduleItem.objects.filter(pk=meal.pk).exists()
    assert EventLog.objects.filter(group_name=group, event_type="hotset.item.deleted").exists()


def test_adding_an_item_through_the_inline_sends_the_event(admin_client, session, standard_day):
    from realtime.models import EventLog

    data, items = _inline_data(session)
    n = len(items)
    data["items-TOTAL_FORMS"] = str(n + 1)
    data.update({f"items-{n}-session": str(session.pk), f"items-{n}-kind": "scene", f"items-{n}-scene_number": "7G",
                 f"items-{n}-planned_duration_minutes": "20", f"items-{n}-pages_eighths": "2",
                 f"items-{n}-setups": "1"})  # fmt: skip
    r = admin_client.post(reverse("admin:hotset_hotsetsession_change", args=[session.pk]), data)
    assert r.status_code == 302, r.content[:2000]
    added = ScheduleItem.objects.get(session=session, scene_number="7G")
    logged = EventLog.objects.filter(group_name=f"hotset.session.{session.pk}", event_type="hotset.item.created")
    assert logged.filter(payload__item_id=added.pk).exists()


def test_deleting_a_project_with_a_started_day_is_refused(admin_client, session, standard_day):
    from hotset.models import Project

    _wrapped_with_a_completed_scene(session, standard_day)
    project = session.production_day.project
    r = admin_client.post(reverse("admin:hotset_project_delete", args=[project.pk]), {"post": "yes"}, follow=True)
    assert b"Not saved" in r.content and b"history stays" in r.content
    assert Project.objects.filter(pk=project.pk).exists()
