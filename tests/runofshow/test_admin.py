"""The run-of-show admin: every write through the services, the live segment kept."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from runofshow import services
from runofshow.models import AuditEntry, ColumnPreference, Segment, SessionState


@pytest.fixture
def admin_client_(db):
    user = get_user_model().objects.create_superuser("root", "root@example.com", "pw-Secret-123")
    client = Client()
    client.force_login(user)
    return client, user


def test_every_model_has_a_working_changelist_and_search(admin_client_, show, make_user):
    client, admin_user = admin_client_
    session, (a, *_rest) = show
    services.create_cue(segment=a, number="1", kind="lighting")
    services.activate_segment(segment=a, user=admin_user, now=timezone.now())
    services.set_visible_columns(user=admin_user, session=session, visible_columns=["name"])
    for model in ("showsession", "segment", "cue", "columnpreference", "sessionstate", "auditentry"):
        assert client.get(f"/admin/runofshow/{model}/").status_code == 200, model
        assert client.get(f"/admin/runofshow/{model}/", {"q": "Segment"}).status_code == 200, model
    page = client.get(f"/admin/runofshow/showsession/{session.pk}/change/").content.decode()
    assert "Segment 1" in page and "lighting 1 @0s" in page
    assert client.get(f"/admin/runofshow/segment/{a.pk}/change/").status_code == 200


def _wall(segment):
    """The segment's planned start as the admin shows it: the show's wall clock."""
    return timezone.localtime(segment.start_time, ZoneInfo(segment.session.timezone))


def _inline_post(session, segments, orders, *, delete=()):
    data = {
        "name": session.name,
        "date": session.date.isoformat(),
        "venue": session.venue,
        "timezone": session.timezone,
        "segments-TOTAL_FORMS": str(len(segments)),
        "segments-INITIAL_FORMS": str(len(segments)),
        "segments-MIN_NUM_FORMS": "0",
        "segments-MAX_NUM_FORMS": "1000",
    }
    for index, (segment, order) in enumerate(zip(segments, orders, strict=True)):
        data.update(
            {
                f"segments-{index}-id": str(segment.pk),
                f"segments-{index}-session": str(session.pk),
                f"segments-{index}-order": str(order),
                f"segments-{index}-name": segment.name,
                f"segments-{index}-start_time_0": _wall(segment).strftime("%Y-%m-%d"),
                f"segments-{index}-start_time_1": _wall(segment).strftime("%H:%M:%S"),
                f"segments-{index}-duration": str(segment.duration),
                f"segments-{index}-type": segment.type,
                f"segments-{index}-notes": segment.notes,
            }
        )
        if segment in delete:
            data[f"segments-{index}-DELETE"] = "on"
    return data


def test_segments_are_reordered_inline_without_touching_the_live_one(admin_client_, show):
    client, admin_user = admin_client_
    session, segments = show
    services.activate_segment(segment=segments[0], user=admin_user, now=timezone.now())
    response = client.post(
        f"/admin/runofshow/showsession/{session.pk}/change/", _inline_post(session, segments, [4, 3, 2, 1])
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(Segment.objects.filter(session=session).order_by("order").values_list("name", flat=True)) == [
        "Segment 4",
        "Segment 3",
        "Segment 2",
        "Segment 1",
    ]
    assert Segment.objects.get(pk=segments[0].pk).status == "in_progress"


def test_the_live_segment_cannot_be_deleted_from_the_admin(admin_client_, show):
    client, admin_user = admin_client_
    session, segments = show
    services.activate_segment(segment=segments[0], user=admin_user, now=timezone.now())
    response = client.post(
        f"/admin/runofshow/showsession/{session.pk}/change/",
        _inline_post(session, segments, [1, 2, 3, 4], delete=[segments[0]]),
    )
    # The service refuses (the rule is not the admin's): nothing of the request is saved, the
    # page says why.
    assert response.status_code == 302
    assert "is live" in client.get(response["Location"]).content.decode()
    assert Segment.objects.filter(pk=segments[0].pk).exists()
    assert list(Segment.objects.filter(session=session).order_by("order").values_list("order", flat=True)) == [
        1,
        2,
        3,
        4,
    ]
    response = client.post(f"/admin/runofshow/segment/{segments[0].pk}/delete/", {"post": "yes"})
    assert "is live" in client.get(response["Location"]).content.decode()
    assert Segment.objects.filter(pk=segments[0].pk).exists()
    response = client.post(
        "/admin/runofshow/segment/",
        {"action": "delete_selected", "post": "yes", "_selected_action": [s.pk for s in segments]},
    )
    assert "is live" in client.get(response["Location"]).content.decode()
    assert Segment.objects.filter(session=session).count() == 4  # all or none


def test_admin_actions_call_the_show_through_the_services(admin_client_, show):
    client, admin_user = admin_client_
    session, (a, b, *_rest) = show
    url = "/admin/runofshow/segment/"
    client.post(url, {"action": "activate", "_selected_action": [a.pk]})
    assert SessionState.objects.get(session=session).active_segment_id == a.pk
    client.post(url, {"action": "activate", "_selected_action": [b.pk]})
    client.post(url, {"action": "complete", "_selected_action": [a.pk]})  # not live: an error message, no 500
    client.post(url, {"action": "complete", "_selected_action": [b.pk]})
    assert SessionState.objects.get(session=session).active_segment_id is None
    assert list(AuditEntry.objects.filter(session=session).order_by("id").values_list("action", flat=True)) == [
        "activate",
        "activate",
        "complete",
    ]
    assert set(AuditEntry.objects.values_list("actor_username", flat=True)) == {admin_user.username}


def test_admin_rejects_unknown_columns(admin_client_, show):
    client, admin_user = admin_client_
    session, _segments = show
    response = client.post(
        "/admin/runofshow/columnpreference/add/",
        {"user": admin_user.pk, "session": session.pk, "visible_columns": '["name", "budget"]'},
    )
    assert response.status_code == 200
    assert "budget" in response.content.decode()
    assert not ColumnPreference.objects.exists()


def test_admin_creates_sessions_with_their_state_row(admin_client_):
    client, _admin_user = admin_client_
    response = client.post(
        "/admin/runofshow/showsession/add/",
        {
            "name": "Late show",
            "date": "2030-06-01",
            "venue": "",
            "timezone": "UTC",
            "segments-TOTAL_FORMS": "0",
            "segments-INITIAL_FORMS": "0",
            "segments-MIN_NUM_FORMS": "0",
            "segments-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert SessionState.objects.filter(session__name="Late show").exists()


def test_admin_edits_go_through_the_services_and_tell_the_viewers(admin_client_, show):
    from realtime.models import EventLog

    client, _admin_user = admin_client_
    session, segments = show
    before = EventLog.objects.filter(event_type="runofshow.rundown.changed").count()
    segment = segments[1]
    response = client.post(
        f"/admin/runofshow/segment/{segment.pk}/change/",
        {
            "session": session.pk,
            "order": segment.order,
            "name": "Renamed",
            "start_time_0": _wall(segment).strftime("%Y-%m-%d"),
            "start_time_1": _wall(segment).strftime("%H:%M:%S"),
            "duration": segment.duration,
            "type": segment.type,
            "notes": "",
            "cues-TOTAL_FORMS": "1",
            "cues-INITIAL_FORMS": "0",
            "cues-MIN_NUM_FORMS": "0",
            "cues-MAX_NUM_FORMS": "1000",
            "cues-0-number": "7",
            "cues-0-kind": "lighting",
            "cues-0-offset_seconds": "30",
            "cues-0-description": "Blackout",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Segment.objects.get(pk=segment.pk).name == "Renamed"
    assert segment.cues.get().description == "Blackout"
    assert EventLog.objects.filter(event_type="runofshow.rundown.changed").count() >= before + 2


def test_the_admin_shows_and_takes_times_in_the_shows_zone(admin_client_):
    client, _admin_user = admin_client_
    session = services.create_session(name="LA", date=date(2025, 6, 20), timezone="America/Los_Angeles")
    segment = services.create_segment(
        session=session, name="Doors", start_time=datetime(2025, 6, 21, 2, 0, tzinfo=UTC), duration=30
    )
    page = client.get(f"/admin/runofshow/segment/{segment.pk}/change/").content.decode()
    assert 'value="19:00:00"' in page and "In the show's time zone (America/Los_Angeles)" in page
    assert 'value="19:00:00"' in client.get(f"/admin/runofshow/showsession/{session.pk}/change/").content.decode()
    response = client.post(
        f"/admin/runofshow/segment/{segment.pk}/change/",
        {
            "session": session.pk,
            "order": 1,
            "name": "Doors",
            "start_time_0": "2025-06-20",
            "start_time_1": "19:15:00",
            "duration": 30,
            "type": segment.type,
            "notes": "",
            **{f"cues-{k}": v for k, v in {"TOTAL_FORMS": 0, "INITIAL_FORMS": 0, "MIN_NUM_FORMS": 0}.items()},
            "cues-MAX_NUM_FORMS": 1000,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Segment.objects.get(pk=segment.pk).start_time == datetime(2025, 6, 21, 2, 15, tzinfo=UTC)
    listing = client.get("/admin/runofshow/segment/").content.decode()
    assert "2025-06-20 19:15 PDT" in listing


def test_the_admin_skips_pending_segments_through_the_service(admin_client_, show):
    client, admin_user = admin_client_
    session, (a, b, *_rest) = show
    services.activate_segment(segment=a, user=admin_user, now=timezone.now())
    response = client.post(
        "/admin/runofshow/segment/", {"action": "skip", "_selected_action": [a.pk, b.pk]}, follow=True
    )
    page = response.content.decode()
    assert "Only a pending segment can be skipped" in page and "2. Segment 2 skipped." in page
    assert Segment.objects.get(pk=b.pk).status == "skipped"
    assert AuditEntry.objects.filter(session=session, action="skip", from_segment=b).count() == 1


def test_the_admin_revokes_viewer_links_and_sets_the_message_through_the_services(admin_client_, show):
    from realtime.models import EventLog
    from runofshow.models import StageMessage, ViewerLink

    client, _admin_user = admin_client_
    session, _segments = show
    link, _token = services.create_viewer_link(session=session, user=None, now=timezone.now())
    assert client.get("/admin/runofshow/viewerlink/").status_code == 200
    response = client.post("/admin/runofshow/viewerlink/", {"action": "revoke", "_selected_action": [link.pk]})
    assert response.status_code == 302
    assert ViewerLink.objects.get(pk=link.pk).revoked_at is not None
    response = client.post(
        "/admin/runofshow/stagemessage/add/", {"session": session.pk, "text": "Hold", "visible": "on"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert StageMessage.objects.get(session=session).text == "Hold"
    assert EventLog.objects.filter(event_type="runofshow.message.updated").exists()
