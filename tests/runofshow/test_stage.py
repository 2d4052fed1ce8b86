"""The stage timer (issue 15, SPEC §2): viewer links, the stage message, the page without an
account, and its socket that sees only its show and stops when the link is revoked."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client
from django.utils import timezone

from config.asgi import application
from realtime.models import EventLog
from runofshow import services
from runofshow.models import ViewerLink

BASE = "/api/v1/runofshow"


def _link(client, session, **body):
    response = client.post(f"{BASE}/sessions/{session.pk}/viewer-links/", body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


@pytest.mark.django_db
def test_a_caller_makes_lists_and_revokes_viewer_links(api_as, show):
    session, _segments = show
    caller = api_as("show_caller")
    made = _link(caller, session, label="Stage left", hours=6)
    assert made["url"] == f"http://testserver/stage/{made['token']}/"
    assert made["token"].startswith("stage_") and made["token"].endswith(made["token_hint"])
    assert made["active"] is True and made["label"] == "Stage left"
    stored = ViewerLink.objects.get(pk=made["id"])
    assert made["token"] not in (stored.token_hash, stored.token_hint)  # only its hash is kept
    listed = caller.get(f"{BASE}/sessions/{session.pk}/viewer-links/").json()["results"]
    assert [row["id"] for row in listed] == [made["id"]] and "token" not in listed[0]
    assert api_as("director").get(f"{BASE}/sessions/{session.pk}/viewer-links/").status_code == 200
    assert api_as("director").post(f"{BASE}/sessions/{session.pk}/viewer-links/", {}).status_code == 403
    assert api_as("director").delete(f"{BASE}/viewer-links/{made['id']}/").status_code == 403
    assert caller.delete(f"{BASE}/viewer-links/{made['id']}/").status_code == 204
    assert caller.get(f"{BASE}/sessions/{session.pk}/viewer-links/").json()["results"][0]["active"] is False
    assert caller.delete(f"{BASE}/viewer-links/999999/").status_code == 404
    for bad in ({"hours": 0}, {"hours": 100000}, {"hours": "x"}, {"label": "x" * 101}):
        response = caller.post(f"{BASE}/sessions/{session.pk}/viewer-links/", bad, format="json")
        assert response.status_code == 400, bad
    assert ViewerLink.objects.count() == 1


@pytest.mark.django_db
def test_the_stage_message_is_set_by_a_caller_and_published(api_as, show):
    session, _segments = show
    caller = api_as("show_caller")
    url = f"{BASE}/sessions/{session.pk}/message/"
    assert caller.get(url).json() == {"text": "", "visible": False, "updated_by": None, "updated_at": None}
    saved = caller.put(url, {"text": "Wrap it up", "visible": True}, format="json")
    assert saved.status_code == 200 and saved.json()["text"] == "Wrap it up"
    assert api_as("director").get(url).json()["visible"] is True
    assert api_as("director").put(url, {"text": "x", "visible": True}, format="json").status_code == 403
    assert caller.put(url, {"text": "x" * 281, "visible": True}, format="json").status_code == 400
    assert caller.put(url, {"text": "x"}, format="json").status_code == 400
    event = EventLog.objects.get(event_type="runofshow.message.updated", group_name=f"runofshow.session.{session.pk}")
    assert event.payload == {"session_id": session.pk, "text": "Wrap it up", "visible": True}


@pytest.mark.django_db
def test_the_stage_page_opens_without_an_account_and_closes_with_its_link(show, make_user, show_clock):
    session, (a, b, *_rest) = show
    show_clock(0)
    link, token = services.create_viewer_link(session=session, user=None, now=timezone.now())
    services.activate_segment(segment=a, user=None, now=timezone.now())
    services.set_stage_message(session=session, text="Two minutes", visible=True, user=None)
    show_clock(3)
    anonymous = Client()
    page = anonymous.get(f"/stage/{token}/")
    assert page.status_code == 200 and "Segment 1" in page.content.decode()
    assert page["Cache-Control"].startswith("max-age=0")
    state = anonymous.get(f"/stage/{token}/state/").json()
    assert state["live"] == {
        "id": a.pk,
        "order": 1,
        "name": "Segment 1",
        "actual_start": "2030-05-01T20:00:00+01:00",  # in the show's zone
        "planned_seconds": 600,
    }
    assert state["next"]["id"] == b.pk and state["message"] == {"text": "Two minutes", "visible": True}
    assert state["server_now"] == "2030-05-01T20:03:00+01:00"
    assert (state["warning_seconds"], state["danger_seconds"]) == (120, 30)
    assert anonymous.get("/stage/stage_not-a-token/").status_code == 404
    services.revoke_viewer_link(link=link, now=timezone.now())
    assert anonymous.get(f"/stage/{token}/").status_code == 404
    assert anonymous.get(f"/stage/{token}/state/").status_code == 404
    expired, expired_token = services.create_viewer_link(session=session, user=None, now=timezone.now(), hours=1)
    show_clock(3 + 61)
    assert anonymous.get(f"/stage/{expired_token}/").status_code == 404


@pytest.mark.django_db
def test_the_stage_offset_reads_plus_ahead(show, show_clock):
    session, (a, b, *_rest) = show
    show_clock(0)
    link, token = services.create_viewer_link(session=session, user=None, now=timezone.now())
    services.activate_segment(segment=a, user=None, now=timezone.now())
    show_clock(5)
    services.activate_segment(segment=b, user=None, now=timezone.now())  # A 5 min short: 5 min ahead
    body = Client().get(f"/stage/{token}/state/").json()
    assert (body["offset_seconds"], body["ahead_behind"]) == (300, "ahead")


# --- The viewer's socket ---------------------------------------------------------------------


async def _viewer_socket(token):
    communicator = WebsocketCommunicator(application, "/ws/")
    assert (await communicator.connect())[0]
    await communicator.send_json_to({"action": "auth", "token": token})
    return communicator


@pytest.mark.django_db(transaction=True)
async def test_a_viewer_socket_follows_only_its_show_and_stops_when_revoked(make_show):
    (session, segments), (other, _other_segments) = await database_sync_to_async(
        lambda: (make_show(), make_show(name="Other show"))
    )()
    link, token = await database_sync_to_async(
        lambda: services.create_viewer_link(session=session, user=None, now=timezone.now())
    )()
    communicator = await _viewer_socket(token)
    connected = await communicator.receive_json_from(timeout=5)
    assert connected["type"] == "connected" and connected["user_id"] is None
    assert connected["groups"] == sorted([f"runofshow.session.{session.pk}", f"runofshow.viewer-link.{link.pk}"])
    await communicator.send_json_to({"action": "subscribe", "group": f"runofshow.session.{session.pk}"})
    assert (await communicator.receive_json_from(timeout=5))["type"] == "subscribed"
    await database_sync_to_async(
        lambda: services.activate_segment(segment=segments[0], user=None, now=timezone.now())
    )()
    event = await communicator.receive_json_from(timeout=5)
    assert event["type"] == "runofshow.segment.activated" and event["payload"]["segment_id"] == segments[0].pk

    await database_sync_to_async(lambda: services.revoke_viewer_link(link=link, now=timezone.now()))()
    assert await communicator.receive_output(timeout=5) == {
        "type": "websocket.close",
        "code": 4403,
        "reason": "link revoked",
    }
    await communicator.disconnect()

    again = await _viewer_socket(token)  # a revoked link opens nothing
    assert (await again.receive_output(timeout=5))["code"] == 4401
    await again.disconnect()

    second, second_token = await database_sync_to_async(
        lambda: services.create_viewer_link(session=session, user=None, now=timezone.now())
    )()
    nosy = await _viewer_socket(second_token)
    assert (await nosy.receive_json_from(timeout=5))["type"] == "connected"
    await nosy.send_json_to({"action": "subscribe", "group": f"runofshow.session.{other.pk}"})
    assert (await nosy.receive_output(timeout=5))["code"] == 4403  # another show's group: refused
    await nosy.disconnect()
    await asyncio.sleep(0)


@pytest.mark.django_db(transaction=True)
async def test_an_expired_link_opens_no_socket(make_show):
    session, _segments = await database_sync_to_async(make_show)()
    _link_row, token = await database_sync_to_async(
        lambda: services.create_viewer_link(
            session=session, user=None, now=timezone.now() - timedelta(hours=2), hours=1
        )
    )()
    communicator = await _viewer_socket(token)
    assert (await communicator.receive_output(timeout=5))["code"] == 4401
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_an_open_viewer_socket_closes_when_its_link_expires(make_show):
    session, _segments = await database_sync_to_async(make_show)()

    def soon_expiring():
        link, token = services.create_viewer_link(session=session, user=None, now=timezone.now())
        ViewerLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() + timedelta(seconds=3))
        return token

    token = await database_sync_to_async(soon_expiring)()
    communicator = await _viewer_socket(token)
    assert (await communicator.receive_json_from(timeout=5))["type"] == "connected"
    assert await communicator.receive_output(timeout=5) == {
        "type": "websocket.close",
        "code": 4403,
        "reason": "link expired",
    }
    await communicator.disconnect()
