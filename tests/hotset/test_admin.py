"""The hot set admin: every model listed, sessions with items inline, start / wrap actions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from hotset import services
from hotset.models import (
    HotSetSession,
    HotSetSettings,
    Notification,
    Project,
    ProjectionThrottle,
    SceneMove,
    ScheduleItem,
    Suggestion,
)
from realtime.groups import HOTSET_SESSION, object_group
from realtime.models import EventLog
from tests.hotset.factories import DAY, local, refresh

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
    "scenemove",
]


@pytest.fixture
def with_data(session, standard_day):
    Notification.objects.create(
        project=session.production_day.project, session=session, kind="pre_call", sent_at=session.created_at
    )
    Suggestion.objects.create(session=session, type="walking_lunch", title="Walking lunch", compliance_flag=True)
    other_day = services.create_production_day(
        project=session.production_day.project, date=DAY.replace(day=11), day_number=2, general_call_time=local("07:00")
    )
    SceneMove.objects.create(
        session=session, to_day=other_day, scene_number="3C", label="Sc. 3C", moved_at=session.created_at
    )
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

ITEM_FORM_FIELDS = ["kind", "block_type", "scene_number", "title", "set_name", "pages_eighths", "setups",
                    "planned_start", "planned_duration_minutes"]  # fmt: skip


def _events(session, event_type):
    return EventLog.objects.filter(group_name=object_group(HOTSET_SESSION, session.pk), event_type=event_type)


def _wrapped_with_a_completed_scene(session, standard_day):
    services.confirm_crew_call(session=session, user=None, at=local("07:00"), now=timezone.now())
    services.confirm_first_shot(session=session, user=None, at=local("09:30"), now=timezone.now())
    services.complete_item(item=refresh(standard_day["1A"]), at=local("10:10"), now=timezone.now())
    services.wrap_session(session=refresh(session), at=local("10:30"), now=timezone.now())
    return refresh(standard_day["1A"])


def _inline_data(session, **overrides):
    """The session change page's POST as the browser sends it: every item row as it stands."""
    items = list(ScheduleItem.objects.filter(session=session).order_by("position"))
    data = {
        "items-TOTAL_FORMS": str(len(items)),
        "items-INITIAL_FORMS": str(len(items)),
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
    }
    for i, item in enumerate(items):
        data[f"items-{i}-id"] = str(item.pk)
        data[f"items-{i}-session"] = str(session.pk)
        for name in ITEM_FORM_FIELDS:
            value = getattr(item, name)
            data[f"items-{i}-{name}"] = "" if value is None else str(value)
    data.update(overrides)
    return data, items


def _new_row(data, n, session, **fields):
    data["items-TOTAL_FORMS"] = str(n + 1)
    row = {"kind": "scene", "block_type": "", "title": "", "set_name": "", "planned_start": "", "pages_eighths": "2",
           "setups": "1", "planned_duration_minutes": "20", **fields}  # fmt: skip
    data[f"items-{n}-session"] = str(session.pk)
    data.update({f"items-{n}-{name}": value for name, value in row.items()})


def _item_change_data(item, **overrides):
    data = {name: "" if getattr(item, name) is None else str(getattr(item, name)) for name in ITEM_FORM_FIELDS}
    data.update({"session": str(item.session_id), "location": item.location, "description": item.description})
    data["notes"] = item.notes
    data.update(overrides)
    return data


def _day_data(day, **overrides):
    call = timezone.localtime(day.general_call_time)  # the admin shows times in the current zone
    wrap = timezone.localtime(day.planned_wrap) if day.planned_wrap else None
    data = {
        "project": day.project_id,
        "date": day.date.isoformat(),
        "day_number": day.day_number,
        "general_call_time_0": call.strftime("%Y-%m-%d"),
        "general_call_time_1": call.strftime("%H:%M:%S"),
        "planned_wrap_0": wrap.strftime("%Y-%m-%d") if wrap else "",
        "planned_wrap_1": wrap.strftime("%H:%M:%S") if wrap else "",
        "location": day.location,
        "notes": day.notes,
    }
    data.update(overrides)
    return data


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_deleting_a_completed_scene_of_a_wrapped_day_is_refused(admin_client, session, standard_day):
    scene = _wrapped_with_a_completed_scene(session, standard_day)
    r = admin_client.post(reverse("admin:hotset_scheduleitem_delete", args=[scene.pk]), {"post": "yes"}, follow=True)
    assert r.status_code == 200
    assert any(m.startswith("Not saved") and "wrapped" in m for m in _messages(r)), _messages(r)
    assert ScheduleItem.objects.filter(pk=scene.pk).exists()
    assert not _events(session, "hotset.item.deleted").exists()


def test_the_bulk_delete_action_is_refused_too(admin_client, session, standard_day):
    scene = _wrapped_with_a_completed_scene(session, standard_day)
    changelist = reverse("admin:hotset_scheduleitem_changelist")
    r = admin_client.post(
        changelist, {"action": "delete_selected", "_selected_action": [scene.pk], "post": "yes"}, follow=True
    )
    assert r.status_code == 200
    assert any(m.startswith("Not saved") and "wrapped" in m for m in _messages(r)), _messages(r)
    assert not any("Successfully deleted" in m for m in _messages(r))
    assert ScheduleItem.objects.filter(pk=scene.pk).exists()


def test_a_bulk_delete_with_one_refused_item_deletes_none(admin_client, session, standard_day):
    meal, scene = standard_day["meal"], standard_day["3C"]  # the meal comes first and could go alone
    services.skip_item(
        item=scene, at=local("06:00"), now=timezone.now()
    )  # a skipped item stays on record (the API: 409)
    r = admin_client.post(
        reverse("admin:hotset_scheduleitem_changelist"),
        {"action": "delete_selected", "_selected_action": [meal.pk, scene.pk], "post": "yes"},
        follow=True,
    )
    assert any("Only a pending item can be deleted" in m for m in _messages(r)), _messages(r)
    assert ScheduleItem.objects.filter(pk__in=[meal.pk, scene.pk]).count() == 2
    assert not _events(session, "hotset.item.deleted").exists()


def test_a_refused_inline_row_saves_nothing_of_the_submit(admin_client, session, standard_day):
    services.start_item(item=standard_day["crew_call"], at=local("07:00"), now=timezone.now())
    services.complete_item(item=refresh(standard_day["crew_call"]), at=local("09:30"), now=timezone.now())
    data, items = _inline_data(session)
    done = items.index(refresh(standard_day["crew_call"]))
    pending = items.index(refresh(standard_day["3C"]))
    data[f"items-{pending}-title"] = "Renamed in the same submit"
    data[f"items-{done}-DELETE"] = "on"  # a completed item: the API answers 409
    _new_row(data, len(items), session, scene_number="8H")  # and a row added in the same submit
    r = admin_client.post(reverse("admin:hotset_hotsetsession_change", args=[session.pk]), data, follow=True)
    assert r.status_code == 200
    (message,) = [m for m in _messages(r) if m.startswith("Not saved")]
    assert f"row {done + 1} (Crew call)" in message  # which row, and why
    assert "Only a pending item can be deleted" in message
    assert ScheduleItem.objects.filter(pk=standard_day["crew_call"].pk).exists()
    assert refresh(standard_day["3C"]).title == ""  # the other row's edit went with it
    assert not ScheduleItem.objects.filter(session=session, scene_number="8H").exists()
    assert not _events(session, "hotset.item.updated").exists()


def test_a_refused_inline_edit_on_a_wrapped_day_changes_nothing(admin_client, session, standard_day):
    _wrapped_with_a_completed_scene(session, standard_day)
    data, items = _inline_data(session)
    data[f"items-{items.index(refresh(standard_day['3C']))}-title"] = "Too late"
    r = admin_client.post(reverse("admin:hotset_hotsetsession_change", args=[session.pk]), data, follow=True)
    assert any(m.startswith("Not saved") and "row 6 (Sc. 3C)" in m and "wrapped" in m for m in _messages(r))
    assert refresh(standard_day["3C"]).title == ""


def test_editing_a_wrapped_days_call_time_is_refused(admin_client, session, standard_day):
    _wrapped_with_a_completed_scene(session, standard_day)
    day = session.production_day
    url = reverse("admin:hotset_productionday_change", args=[day.pk])
    earlier = timezone.localtime(day.general_call_time - timedelta(hours=1)).strftime("%H:%M:%S")
    r = admin_client.post(url, _day_data(day, general_call_time_1=earlier, location="Stage 9"), follow=True)
    assert r.status_code == 200
    assert any(m.startswith("Not saved") and "history" in m for m in _messages(r)), _messages(r)
    day_now = refresh(session.production_day)
    assert day_now.general_call_time == day.general_call_time
    assert day_now.location == "Stage 4"  # nothing of the form was kept
    assert not _events(session, "hotset.day.updated").exists()


def test_a_day_edit_goes_through_the_service_and_extended_wrap_is_read_only(admin_client, session):
    day = session.production_day
    url = reverse("admin:hotset_productionday_change", args=[day.pk])
    page = admin_client.get(url)
    assert b'name="general_call_time_0"' in page.content and b'name="extended_wrap_0"' not in page.content
    r = admin_client.post(
        url, _day_data(day, location="Stage 9", extended_wrap_0="2025-06-10", extended_wrap_1="23:00:00")
    )
    assert r.status_code == 302, r.content[:2000]
    assert refresh(day).location == "Stage 9"
    assert refresh(day).extended_wrap is None  # set only by applying "extend day"
    assert _events(session, "hotset.day.updated").get().payload["location"] == "Stage 9"


def test_an_admin_edit_of_a_pending_item_sends_the_updated_event(admin_client, session, standard_day):
    scene = standard_day["3C"]
    assert not _events(session, "hotset.item.updated").exists()
    data, items = _inline_data(session)
    data[f"items-{items.index(refresh(scene))}-title"] = "Night exterior"
    r = admin_client.post(reverse("admin:hotset_hotsetsession_change", args=[session.pk]), data)
    assert r.status_code == 302, r.content[:2000]
    assert refresh(scene).title == "Night exterior"
    (event,) = _events(session, "hotset.item.updated")
    assert event.payload["item_id"] == scene.pk and event.payload["label"] == "Sc. 3C — Night exterior"
    # The item's own change page: the same service.
    url = reverse("admin:hotset_scheduleitem_change", args=[scene.pk])
    r = admin_client.post(url, _item_change_data(refresh(scene), planned_duration_minutes="45"))
    assert r.status_code == 302, r.content[:2000]
    assert refresh(scene).planned_duration_minutes == 45
    assert _events(session, "hotset.item.updated").filter(payload__planned_duration_minutes=45).exists()


def test_editing_an_item_of_a_wrapped_day_on_its_page_is_refused(admin_client, session, standard_day):
    _wrapped_with_a_completed_scene(session, standard_day)
    scene = refresh(standard_day["3C"])
    url = reverse("admin:hotset_scheduleitem_change", args=[scene.pk])
    r = admin_client.post(url, _item_change_data(scene, set_name="Alley"), follow=True)
    assert any(m.startswith("Not saved") and "wrapped" in m for m in _messages(r)), _messages(r)
    assert refresh(scene).set_name == "Street"


def test_state_fields_and_the_items_session_are_read_only(admin_client, session, standard_day):
    other_day = services.create_production_day(
        project=session.production_day.project, date=DAY.replace(day=11), day_number=2, general_call_time=local("07:00")
    )
    other = services.create_session(production_day=other_day)
    scene = standard_day["3C"]
    url = reverse("admin:hotset_scheduleitem_change", args=[scene.pk])
    page = admin_client.get(url).content
    assert b'name="status"' not in page and b'name="actual_start_0"' not in page and b'name="session"' not in page
    r = admin_client.post(url, _item_change_data(scene, session=str(other.pk), status="completed"))
    assert r.status_code == 302
    assert refresh(scene).session_id == session.pk and refresh(scene).status == "pending"
    page = admin_client.get(reverse("admin:hotset_hotsetsession_change", args=[session.pk])).content
    assert b'name="status"' not in page and b'name="started_at' not in page and b'name="items-0-status"' not in page


def test_adding_an_item_through_the_inline_goes_through_add_item(admin_client, session, standard_day):
    data, items = _inline_data(session)
    _new_row(data, len(items), session, scene_number="7G")
    r = admin_client.post(reverse("admin:hotset_hotsetsession_change", args=[session.pk]), data)
    assert r.status_code == 302, r.content[:2000]
    added = ScheduleItem.objects.get(session=session, scene_number="7G")
    assert _events(session, "hotset.item.created").filter(payload__item_id=added.pk).exists()


def test_a_new_inline_row_ticked_for_deletion_is_not_added(admin_client, session, standard_day):
    data, items = _inline_data(session)
    _new_row(data, len(items), session, scene_number="7G")
    data[f"items-{len(items)}-DELETE"] = "on"
    r = admin_client.post(reverse("admin:hotset_hotsetsession_change", args=[session.pk]), data)
    assert r.status_code == 302, r.content[:2000]
    assert not ScheduleItem.objects.filter(session=session, scene_number="7G").exists()


def test_an_inline_row_the_service_refuses_to_add_shows_why(admin_client, session, standard_day):
    data, items = _inline_data(session)
    _new_row(data, len(items), session, scene_number="7G")
    _wrapped_with_a_completed_scene(session, standard_day)
    r = admin_client.post(reverse("admin:hotset_hotsetsession_change", args=[session.pk]), data, follow=True)
    assert any(m.startswith("Not saved") and "(new item)" in m and "wrapped" in m for m in _messages(r))
    assert not ScheduleItem.objects.filter(session=session, scene_number="7G").exists()


def test_deleting_a_pending_item_logs_the_deleted_event(admin_client, session, standard_day):
    meal = standard_day["meal"]
    r = admin_client.post(reverse("admin:hotset_scheduleitem_delete", args=[meal.pk]), {"post": "yes"})
    assert r.status_code == 302 and not ScheduleItem.objects.filter(pk=meal.pk).exists()
    assert _events(session, "hotset.item.deleted").filter(payload__item_id=meal.pk).exists()
    # And through the inline.
    data, items = _inline_data(session)
    data[f"items-{items.index(refresh(standard_day['2B']))}-DELETE"] = "on"
    r = admin_client.post(reverse("admin:hotset_hotsetsession_change", args=[session.pk]), data)
    assert r.status_code == 302, r.content[:2000]
    assert not ScheduleItem.objects.filter(pk=standard_day["2B"].pk).exists()
    assert _events(session, "hotset.item.deleted").filter(payload__item_id=standard_day["2B"].pk).exists()


def test_deleting_a_project_with_a_started_day_is_refused(admin_client, session, standard_day):
    _wrapped_with_a_completed_scene(session, standard_day)
    project = session.production_day.project
    r = admin_client.post(reverse("admin:hotset_project_delete", args=[project.pk]), {"post": "yes"}, follow=True)
    assert any(m.startswith("Not saved") and "history stays" in m for m in _messages(r)), _messages(r)
    assert Project.objects.filter(pk=project.pk).exists()


def test_deleting_a_started_session_or_its_day_is_refused(admin_client, session):
    services.start_session(session=session, at=local("06:30"), now=timezone.now())
    r = admin_client.post(
        reverse("admin:hotset_hotsetsession_changelist"),
        {"action": "delete_selected", "_selected_action": [session.pk], "post": "yes"},
        follow=True,
    )
    assert any("Only a session that has not started can be deleted" in m for m in _messages(r)), _messages(r)
    day = session.production_day
    r = admin_client.post(reverse("admin:hotset_productionday_delete", args=[day.pk]), {"post": "yes"}, follow=True)
    assert any("cannot be deleted" in m for m in _messages(r)), _messages(r)
    assert HotSetSession.objects.filter(pk=session.pk).exists()


def test_deleting_a_session_not_started_goes_through_the_service(admin_client, session):
    # A pre-call reminder went out: it goes with the session (its admin never deletes one on its own).
    Notification.objects.create(
        project=session.production_day.project, session=session, kind="pre_call", sent_at=session.created_at
    )
    url = reverse("admin:hotset_hotsetsession_delete", args=[session.pk])
    assert b"permission to delete" not in admin_client.get(url).content
    r = admin_client.post(url, {"post": "yes"})
    assert r.status_code == 302
    assert not HotSetSession.objects.filter(pk=session.pk).exists()
    assert _events(session, "hotset.session.deleted").exists()


def test_deleting_along_needs_the_users_delete_permissions(client, make_user, session):
    user = make_user("coordinator")
    user.is_staff = True
    user.save()
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="hotset", codename__in=["view_hotsetsession", "delete_hotsetsession"]
        )
    )
    client.force_login(user)
    url = reverse("admin:hotset_hotsetsession_delete", args=[session.pk])
    r = client.post(url, {"post": "yes"})
    assert r.status_code == 403  # the session's projection throttle goes with it: not this user's to delete
    assert HotSetSession.objects.filter(pk=session.pk).exists()
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="hotset", codename="delete_projectionthrottle")
    )
    client.force_login(type(user).objects.get(pk=user.pk))
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not HotSetSession.objects.filter(pk=session.pk).exists()


def test_a_project_added_in_the_admin_gets_its_settings_from_create_project(admin_client):
    data = {
        "name": "Second Unit",
        "timezone": "Europe/Paris",
        "hotset_settings-TOTAL_FORMS": "0",
        "hotset_settings-INITIAL_FORMS": "0",
        "hotset_settings-MIN_NUM_FORMS": "0",
        "hotset_settings-MAX_NUM_FORMS": "1",
    }
    r = admin_client.post(reverse("admin:hotset_project_add"), data)
    assert r.status_code == 302, r.content[:2000]
    assert HotSetSettings.objects.filter(project__name="Second Unit").exists()


def test_settings_edited_on_the_project_page_go_through_update_settings(admin_client, session):
    project = session.production_day.project
    settings = HotSetSettings.objects.get(project=project)
    data = {
        "name": project.name,
        "timezone": project.timezone,
        "hotset_settings-TOTAL_FORMS": "1",
        "hotset_settings-INITIAL_FORMS": "1",
        "hotset_settings-MIN_NUM_FORMS": "0",
        "hotset_settings-MAX_NUM_FORMS": "1",
        "hotset_settings-0-id": str(settings.pk),
        "hotset_settings-0-project": str(project.pk),
    }
    for name in services.SETTINGS_FIELDS:
        value = getattr(settings, name)
        if value is not False:
            data[f"hotset_settings-0-{name}"] = "on" if value is True else str(value)
    data["hotset_settings-0-meal_minutes"] = "45"
    r = admin_client.post(reverse("admin:hotset_project_change", args=[project.pk]), data)
    assert r.status_code == 302, r.content[:2000]  # was a 500: the history message read a formset never saved
    assert refresh(settings).meal_minutes == 45
    assert EventLog.objects.filter(event_type="hotset.settings.updated", payload__meal_minutes=45).exists()


def test_service_written_records_are_view_only(admin_client, with_data):
    notification = Notification.objects.get(session=with_data)
    settings = HotSetSettings.objects.get(project=with_data.production_day.project)
    move = SceneMove.objects.get(session=with_data)
    assert admin_client.get(reverse("admin:hotset_notification_change", args=[notification.pk])).status_code == 200
    assert admin_client.post(reverse("admin:hotset_notification_delete", args=[notification.pk])).status_code == 403
    throttle = reverse("admin:hotset_projectionthrottle_delete", args=[with_data.pk])
    assert admin_client.post(throttle, {"post": "yes"}).status_code == 403
    assert ProjectionThrottle.objects.filter(session=with_data).exists()
    assert admin_client.post(reverse("admin:hotset_hotsetsettings_delete", args=[settings.pk])).status_code == 403
    assert admin_client.get(reverse("admin:hotset_scenemove_add")).status_code == 403
    assert admin_client.post(reverse("admin:hotset_scenemove_delete", args=[move.pk])).status_code == 403
    r = admin_client.get(reverse("admin:hotset_scenemove_changelist"))
    assert r.status_code == 200 and b"Sc. 3C" in r.content
    assert b"Notification" in admin_client.get(reverse("admin:hotset_notification_changelist")).content


def test_settings_added_in_the_admin_go_through_update_settings(
    admin_client, project, django_capture_on_commit_callbacks
):
    HotSetSettings.objects.filter(project=project).delete()  # a project from before settings existed
    data = {"project": str(project.pk)}
    for name in services.SETTINGS_FIELDS:
        default = HotSetSettings._meta.get_field(name).default
        if default is not False:
            data[name] = "on" if default is True else str(default)
    data["grace_minutes"] = "20"
    with django_capture_on_commit_callbacks(execute=True):  # no session yet: to the roles, after the commit
        r = admin_client.post(reverse("admin:hotset_hotsetsettings_add"), data)
    assert r.status_code == 302, r.content[:2000]
    assert HotSetSettings.objects.get(project=project).grace_minutes == 20
    assert EventLog.objects.filter(event_type="hotset.settings.updated", payload__project_id=project.pk).exists()


def test_a_project_renamed_in_the_admin_goes_through_update_project(admin_client, project, monkeypatch):
    calls = []
    real = services.update_project

    def spy(**kwargs):
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(services, "update_project", spy)
    data = {
        "name": "Renamed",
        "timezone": "Europe/Paris",
        "hotset_settings-TOTAL_FORMS": "0",
        "hotset_settings-INITIAL_FORMS": "0",
        "hotset_settings-MIN_NUM_FORMS": "0",
        "hotset_settings-MAX_NUM_FORMS": "1",
    }
    r = admin_client.post(reverse("admin:hotset_project_change", args=[project.pk]), data)
    assert r.status_code == 302, r.content[:2000]
    assert [sorted(set(c) - {"project"}) for c in calls] == [["name", "timezone"]]
    assert (refresh(project).name, refresh(project).timezone) == ("Renamed", "Europe/Paris")


def test_a_project_update_refuses_a_field_it_does_not_own(project):
    from config.errors import InvalidInput

    with pytest.raises(InvalidInput):
        services.update_project(project=project, created_at=None)
