"""The socket gives each role only what REST gives it (issue 9, finding 8).

The crew may follow a session (``view_hotsetsession``) but may not read the project's
settings nor the catch-up suggestions: those events are not on ``hotset.session.<id>`` (live
or on resume) but on their own groups, which need the matching ``view_*`` perm; and the
dashboard embeds the settings only for those who may read them.
"""

from __future__ import annotations

import json

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client
from django.utils import timezone

from config.asgi import application
from hotset import services
from hotset.models import Suggestion
from realtime.groups import HOTSET_SESSION, object_group
from tests.factories import access_token

RESTRICTED = ("hotset.settings.", "hotset.suggestion.")
SETTINGS_GROUP = "hotset.session-settings.%d"
SUGGESTIONS_GROUP = "hotset.session-suggestions.%d"


async def _connected(user) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(application, f"/ws/?token={access_token(user)}")
    connected, _ = await communicator.connect()
    assert connected
    assert (await communicator.receive_json_from(timeout=2))["type"] == "connected"
    return communicator


async def _subscribe(communicator, group) -> dict:
    await communicator.send_json_to({"action": "subscribe", "group": group})
    return await communicator.receive_output(timeout=2)


async def _events_until(communicator, event_type: str) -> list[dict]:
    """Everything the socket receives up to and including the first ``event_type``."""
    seen = []
    while True:
        message = await communicator.receive_json_from(timeout=3)
        seen.append(message)
        if message.get("type") == event_type:
            return seen


def _changes(session, project, item, user):
    """A settings save, a dismissed suggestion, then an item change everyone may see."""
    suggestion = Suggestion.objects.create(
        session=session, type="schedule_reordering", target="order", title="Shoot 2B first", minutes_recoverable=12
    )
    services.update_settings(project=project, meal_due_hours_after_call=7, max_day_hours=11)
    services.dismiss_suggestion(suggestion=suggestion, user=user, now=session.production_day.general_call_time)
    services.update_item(item=item, notes="Bring the rain machine", now=timezone.now())


@pytest.mark.django_db(transaction=True)
async def test_crew_gets_no_settings_or_suggestion_events_live_or_on_resume(make_user, project, session, add_item):
    crew = await database_sync_to_async(make_user)("crew")
    first_ad = await database_sync_to_async(make_user)("first_ad")
    item = await database_sync_to_async(add_item)(30)
    group = object_group(HOTSET_SESSION, session.pk)
    crew_socket = await _connected(crew)
    assert json.loads((await _subscribe(crew_socket, group))["text"])["type"] == "subscribed"

    await database_sync_to_async(_changes)(session, project, item, first_ad)

    live = await _events_until(crew_socket, "hotset.item.updated")
    assert not [m for m in live if m["type"].startswith(RESTRICTED)], live
    await crew_socket.send_json_to({"action": "resume", "group": group, "epoch": "", "since": 0})
    replayed = await _events_until(crew_socket, "hotset.item.updated")
    assert [m["seq"] for m in replayed] == list(range(1, len(replayed) + 1))
    assert not [m for m in replayed if m["type"].startswith(RESTRICTED)], replayed
    await crew_socket.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_the_first_ad_gets_them_live_on_their_own_groups(make_user, project, session, add_item):
    first_ad = await database_sync_to_async(make_user)("first_ad")
    item = await database_sync_to_async(add_item)(30)
    ad_socket = await _connected(first_ad)
    for name in (object_group(HOTSET_SESSION, session.pk), SETTINGS_GROUP % session.pk, SUGGESTIONS_GROUP % session.pk):
        output = await _subscribe(ad_socket, name)
        assert output["type"] == "websocket.send", output
        assert json.loads(output["text"])["type"] == "subscribed"

    await database_sync_to_async(_changes)(session, project, item, first_ad)

    by_group: dict[str, list[dict]] = {}
    while "hotset.item.updated" not in [m["type"] for m in by_group.get(object_group(HOTSET_SESSION, session.pk), [])]:
        message = await ad_socket.receive_json_from(timeout=3)
        by_group.setdefault(message["group"], []).append(message)
    while (
        len(by_group.get(SUGGESTIONS_GROUP % session.pk, [])) < 1
        or len(by_group.get(SETTINGS_GROUP % session.pk, [])) < 1
    ):
        message = await ad_socket.receive_json_from(timeout=3)
        by_group.setdefault(message["group"], []).append(message)
    [settings_event] = by_group[SETTINGS_GROUP % session.pk]
    assert settings_event["type"] == "hotset.settings.updated"
    assert settings_event["payload"]["meal_due_hours_after_call"] == 7
    [suggestion_event] = by_group[SUGGESTIONS_GROUP % session.pk]
    assert suggestion_event["type"] == "hotset.suggestion.dismissed"
    assert suggestion_event["payload"]["title"] == "Shoot 2B first"
    await ad_socket.disconnect()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("group", [SETTINGS_GROUP, SUGGESTIONS_GROUP])
async def test_crew_may_not_subscribe_to_the_settings_or_suggestion_groups(make_user, session, group):
    crew = await database_sync_to_async(make_user)("crew")
    socket = await _connected(crew)
    assert await _subscribe(socket, group % session.pk) == {"type": "websocket.close", "code": 4403}
    socket = await _connected(crew)
    await socket.send_json_to({"action": "resume", "group": group % session.pk, "epoch": "", "since": 0})
    assert await socket.receive_output(timeout=2) == {"type": "websocket.close", "code": 4403}


def _page(user, session) -> tuple[str, dict]:
    client = Client()
    client.force_login(user)
    response = client.get(f"/dash/hotset/{session.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    marker = '<script id="hs-initial" type="application/json">'
    start = html.index(marker) + len(marker)
    return html, json.loads(html[start : html.index("</script>", start)])


@pytest.mark.django_db
def test_the_dashboard_embeds_settings_only_for_those_who_may_read_them(make_user, api_as, project, session):
    services.update_settings(project=project, suggestion_trigger_minutes_behind=23, turnaround_hours=9)
    crew = make_user("crew")
    assert api_as(user=crew).get(f"/api/v1/hotset/projects/{project.pk}/settings/").status_code == 403

    html, initial = _page(crew, session)
    assert "settings" not in initial and initial["can_view_settings"] is False
    for name in ("suggestion_trigger_minutes_behind", "turnaround_hours", "meal_due_hours_after_call"):
        assert name not in html  # neither a value nor the settings form
    assert 'id="hs-settings"' not in html

    html, initial = _page(make_user("first_ad"), session)
    assert initial["can_view_settings"] is True
    assert initial["settings"]["suggestion_trigger_minutes_behind"] == 23
    assert initial["settings"]["turnaround_hours"] == 9
    assert 'id="hs-settings"' in html
