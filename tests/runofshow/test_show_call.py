"""Issue 15's reproductions: show-zone times, skipping, and ``expected_active``."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from realtime.models import EventLog
from runofshow import services
from runofshow.models import AuditEntry, Segment, SessionState

pytestmark = pytest.mark.django_db

BASE = "/api/v1/runofshow"


def _state(client, session):
    return client.get(f"{BASE}/sessions/{session.pk}/state/").json()


# --- Times in the show's zone ---------------------------------------------------------


def test_a_naive_time_is_read_and_written_in_the_shows_zone(api_as):
    client = api_as("show_caller")
    session = client.post(
        f"{BASE}/sessions/", {"name": "LA", "date": "2025-06-20", "timezone": "America/Los_Angeles"}
    ).json()
    created = client.post(
        f"{BASE}/sessions/{session['id']}/segments/",
        {"name": "Doors", "start_time": "2025-06-20T19:00:00", "duration": 30},
    )
    assert created.status_code == 201, created.content
    assert created.json()["start_time"] == "2025-06-20T19:00:00-07:00"
    assert created.json()["end_time"] == "2025-06-20T19:30:00-07:00"
    stored = Segment.objects.get(pk=created.json()["id"])
    assert stored.start_time == datetime(2025, 6, 21, 2, 0, tzinfo=UTC)  # 19:00 PDT, not 19:00 UTC

    moved = client.patch(f"{BASE}/segments/{stored.pk}/", {"start_time": "2025-06-20T19:15:00"})
    assert moved.json()["start_time"] == "2025-06-20T19:15:00-07:00"
    assert client.get(f"{BASE}/segments/{stored.pk}/").json()["start_time"] == "2025-06-20T19:15:00-07:00"
    # An explicit offset is kept as given, and shown in the show's zone.
    utc = client.patch(f"{BASE}/segments/{stored.pk}/", {"start_time": "2025-06-21T03:00:00Z"})
    assert utc.json()["start_time"] == "2025-06-20T20:00:00-07:00"
    listed = client.get(f"{BASE}/sessions/{session['id']}/segments/").json()["results"]
    assert listed[0]["start_time"] == "2025-06-20T20:00:00-07:00"
    state = client.get(f"{BASE}/sessions/{session['id']}/state/", {"at": "2025-06-20T20:10:00"}).json()
    assert state["timing"]["now"] == "2025-06-20T20:10:00-07:00"
    assert state["timing"]["expected_segment_id"] == stored.pk


def test_a_naive_at_of_a_show_call_is_in_the_shows_zone(api_as, time_machine):
    time_machine.move_to(datetime(2025, 6, 21, 3, 0, tzinfo=UTC), tick=False)  # 20:00 PDT
    client = api_as("show_caller")
    session = services.create_session(name="LA", date=datetime(2025, 6, 20).date(), timezone="America/Los_Angeles")
    segment = services.create_segment(
        session=session, name="Doors", start_time=datetime(2025, 6, 21, 2, 0, tzinfo=UTC), duration=30
    )
    response = client.post(f"{BASE}/segments/{segment.pk}/activate/", {"at": "2025-06-20T19:58:00"})
    assert response.status_code == 200, response.content
    segment.refresh_from_db()
    assert segment.actual_start == datetime(2025, 6, 21, 2, 58, tzinfo=UTC)
    assert response.json()["active_segment"]["actual_start"] == "2025-06-20T19:58:00-07:00"


def test_a_session_lists_its_times_in_its_own_zone(api_as):
    client = api_as("show_caller")
    client.post(f"{BASE}/sessions/", {"name": "Tokyo", "date": "2030-05-01", "timezone": "Asia/Tokyo"})
    row = client.get(f"{BASE}/sessions/").json()["results"][0]
    assert row["created_at"].endswith("+09:00")


# --- Skipping ------------------------------------------------------------------------------


def test_a_segment_jumped_over_is_skipped_and_leaves_the_projection(api_as, show, show_clock):
    session, (a, b, c, d) = show  # 10, 20, 5, 15 min from 19:00
    caller = api_as("show_caller")
    show_clock(0)
    caller.post(f"{BASE}/segments/{a.pk}/activate/")
    show_clock(10)
    response = caller.post(f"{BASE}/segments/{c.pk}/activate/")  # B (20 min) dropped
    assert response.status_code == 200, response.content
    b.refresh_from_db()
    assert b.status == "skipped"
    timing = response.json()["timing"]
    assert timing["offset_seconds"] == -20 * 60  # ends 20 min early: ahead, not "on time"
    assert timing["ahead_behind"] == "ahead"
    skipped = next(row for row in timing["segments"] if row["id"] == b.pk)
    assert skipped["status"] == "skipped" and skipped["projected_start"] is None
    assert timing["next_segment_id"] == d.pk
    audit = caller.get(f"{BASE}/sessions/{session.pk}/audit/").json()["results"]
    assert [(e["action"], e["from_segment"], e["to_segment"]) for e in audit][:2] == [
        ("activate", a.pk, c.pk),
        ("skip", b.pk, None),
    ]
    event = EventLog.objects.get(event_type="runofshow.segment.skipped", group_name=f"runofshow.session.{session.pk}")
    assert event.payload == {"session_id": session.pk, "segment_ids": [b.pk]}


def test_skip_marks_a_pending_segment_and_it_can_still_run_later(api_as, show, show_clock):
    session, (a, b, *_rest) = show
    caller = api_as("show_caller")
    show_clock(0)
    skipped = caller.post(f"{BASE}/segments/{b.pk}/skip/")
    assert skipped.status_code == 200, skipped.content
    assert Segment.objects.get(pk=b.pk).status == "skipped"
    assert skipped.json()["timing"]["offset_seconds"] == -20 * 60
    again = caller.post(f"{BASE}/segments/{b.pk}/skip/")
    assert again.status_code == 409 and "skipped" in again.json()["detail"]
    caller.post(f"{BASE}/segments/{a.pk}/activate/")
    assert caller.post(f"{BASE}/segments/{a.pk}/skip/").status_code == 409  # live
    show_clock(10)
    late = caller.post(f"{BASE}/segments/{b.pk}/activate/")  # a skipped segment may still run
    assert late.status_code == 200 and late.json()["active_segment"]["id"] == b.pk
    assert api_as("director").post(f"{BASE}/segments/{b.pk}/skip/").status_code == 403


# --- expected_active -----------------------------------------------------------------------


def test_expected_active_that_is_not_live_is_a_409_naming_the_live_one(api_as, show, show_clock):
    session, (a, b, c, _d) = show
    caller = api_as("show_caller")
    show_clock(0)
    assert caller.post(f"{BASE}/segments/{a.pk}/activate/", {"expected_active": None}, format="json").status_code == 200
    show_clock(10)
    assert caller.post(f"{BASE}/segments/{b.pk}/activate/", {"expected_active": a.pk}).status_code == 200
    before = list(AuditEntry.objects.values_list("pk", flat=True))
    stale = caller.post(f"{BASE}/segments/{c.pk}/activate/", {"expected_active": a.pk})  # thinks A is still live
    assert stale.status_code == 409
    assert f"Segment {b.pk}" in stale.json()["detail"] and "Segment 2" in stale.json()["detail"]
    assert "expected_active" in stale.json()["errors"]
    assert SessionState.objects.get(session=session).active_segment_id == b.pk
    assert list(AuditEntry.objects.values_list("pk", flat=True)) == before
    stale_complete = caller.post(f"{BASE}/segments/{b.pk}/complete/", {"expected_active": a.pk})
    assert stale_complete.status_code == 409
    assert caller.post(f"{BASE}/segments/{b.pk}/complete/", {"expected_active": b.pk}).status_code == 200
    nothing_live = caller.post(f"{BASE}/segments/{c.pk}/activate/", {"expected_active": b.pk})
    assert nothing_live.status_code == 409 and "No segment is live" in nothing_live.json()["detail"]
    assert caller.post(f"{BASE}/segments/{c.pk}/activate/", {"expected_active": "x"}).status_code == 400
