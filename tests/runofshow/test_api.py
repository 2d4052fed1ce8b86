"""The run-of-show API (SPEC §9): paths, permissions, error shapes, nothing half-written."""

from __future__ import annotations

import pytest

from runofshow.models import AuditEntry, ColumnPreference, Cue, Segment, ShowSession

pytestmark = pytest.mark.django_db

BASE = "/api/v1/runofshow"


def _error(response, status):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"detail", "errors"}
    return body


# --- Sessions, segments, cues ----------------------------------------------------


def test_show_caller_builds_a_rundown(api_as):
    client = api_as("show_caller")
    created = client.post(
        f"{BASE}/sessions/", {"name": "Gala", "date": "2030-05-01", "venue": "Hall", "timezone": "Europe/London"}
    )
    assert created.status_code == 201, created.content
    session = created.json()
    assert session["segments_count"] == 0
    assert session["active_segment_id"] is None
    assert session["created_by"] == client.user.username

    url = f"{BASE}/sessions/{session['id']}/segments/"
    first = client.post(
        url, {"name": "Opening", "start_time": "2030-05-01T19:00:00Z", "duration": 10, "type": "opening"}
    )
    assert first.status_code == 201, first.content
    assert first.json()["end_time"] == "2030-05-01T20:10:00+01:00"  # in the show's zone
    assert first.json()["order"] == 1
    second = client.post(
        url, {"name": "Best Score", "end_time": "2030-05-01T19:25:00Z", "start_time": "2030-05-01T19:10:00Z"}
    )
    assert second.json()["duration"] == 15
    third = client.post(url, {"name": "Host link", "duration": 3})
    assert third.json()["start_time"] == "2030-05-01T20:25:00+01:00"
    assert third.json()["order"] == 3

    cue = client.post(f"{BASE}/segments/{first.json()['id']}/cues/", {"number": "1", "kind": "lighting"})
    assert cue.status_code == 201, cue.content
    rundown = client.get(url).json()
    assert rundown["count"] == 3
    assert [row["name"] for row in rundown["results"]] == ["Opening", "Best Score", "Host link"]
    assert rundown["results"][0]["cues_count"] == 1
    assert rundown["results"][0]["created_by"] == client.user.username
    assert client.get(f"{BASE}/sessions/{session['id']}/").json()["segments_count"] == 3


BAD_SEGMENTS = [
    ({"name": "x"}, "duration"),
    ({"name": "x", "duration": 0}, "duration"),
    ({"name": "x", "duration": 5000}, "duration"),
    ({"name": "x", "duration": "ten"}, "duration"),
    ({"name": "x", "start_time": "2030-05-01T19:00:00Z", "end_time": "2030-05-01T19:00:30Z"}, "end_time"),
    ({"name": "x", "start_time": "2030-05-01T19:00:00Z", "end_time": "2030-05-01T18:00:00Z"}, "end_time"),
    (
        {"name": "x", "start_time": "2030-05-01T19:00:00Z", "end_time": "2030-05-01T19:10:00Z", "duration": 5},
        "end_time",
    ),
    ({"name": "x", "end_time": "2030-05-01T19:10:00Z"}, "end_time"),
    ({"name": "x", "start_time": "9999-12-31T23:59:00Z", "duration": 1440}, "start_time"),
    ({"name": "x", "start_time": "yesterday", "duration": 5}, "start_time"),
    ({"name": "x", "duration": 5, "type": "karaoke"}, "type"),
    ({"name": "x", "duration": 5, "order": -1}, "order"),
    ({"name": "", "duration": 5}, "name"),
    ({"name": "a\x00b", "duration": 5}, "name"),
]


def test_bad_segments_are_400_and_nothing_is_saved(api_as, show):
    session, _segments = show
    client = api_as("show_caller")
    before = Segment.objects.count()
    for body, field in BAD_SEGMENTS:
        errors = _error(client.post(f"{BASE}/sessions/{session.pk}/segments/", body), 400)["errors"]
        assert field in errors, (body, errors)
    assert Segment.objects.count() == before


def test_first_segment_without_start_time_is_400(api_as):
    client = api_as("show_caller")
    session = client.post(f"{BASE}/sessions/", {"name": "Gala", "date": "2030-05-01"}).json()
    body = _error(client.post(f"{BASE}/sessions/{session['id']}/segments/", {"name": "x", "duration": 5}), 400)
    assert "start_time" in body["errors"]


def test_bad_sessions_are_400(api_as):
    client = api_as("show_caller")
    bodies = [{"name": "x", "date": "2030-05-01", "timezone": "Mars/Olympus"}, {"name": "x"}, {"date": "2030-05-01"}]
    for body in [*bodies, [1, 2], {"name": "x", "date": "0999-01-01"}]:
        _error(client.post(f"{BASE}/sessions/", body, format="json"), 400)
    assert not ShowSession.objects.exists()


def test_patch_segment_changes_the_plan_not_the_status(api_as, show):
    _session, (a, *_rest) = show
    client = api_as("show_caller")
    response = client.patch(f"{BASE}/segments/{a.pk}/", {"name": "Cold open", "status": "completed", "duration": 12})
    assert response.status_code == 200, response.content
    assert response.json()["name"] == "Cold open"
    assert response.json()["status"] == "pending"
    assert response.json()["end_time"] == "2030-05-01T20:12:00+01:00"
    assert client.put(f"{BASE}/segments/{a.pk}/", {"name": "x"}).status_code == 405


def test_cues_crud_and_duplicates(api_as, show):
    _session, (a, b, *_rest) = show
    client = api_as("show_caller")
    url = f"{BASE}/segments/{a.pk}/cues/"
    created = client.post(url, {"number": "12.5", "kind": "lighting", "offset_seconds": -10, "description": "Stand by"})
    assert created.status_code == 201, created.content
    assert created.json()["segment"] == a.pk
    body = _error(client.post(url, {"number": "12.5", "kind": "lighting"}), 400)
    assert "number" in body["errors"]
    assert client.post(url, {"number": "12.5", "kind": "audio"}).status_code == 201
    _error(client.post(url, {"number": "1", "offset_seconds": 10**9}), 400)
    _error(client.post(url, {"number": "   "}), 400)
    assert client.get(url).json()["count"] == 2
    assert client.get(url, {"kind": "audio"}).json()["count"] == 1

    cue_url = f"{BASE}/cues/{created.json()['id']}/"
    assert client.patch(cue_url, {"description": "Go"}).json()["description"] == "Go"
    other = client.post(f"{BASE}/segments/{b.pk}/cues/", {"number": "12.5", "kind": "lighting"})
    assert other.status_code == 201
    assert client.delete(cue_url).status_code == 204
    assert Cue.objects.count() == 2


def test_missing_objects_are_404(api_as):
    client = api_as("show_caller")
    for path in ("sessions/999/", "sessions/999/segments/", "sessions/999/state/", "sessions/999/preferences/",
                 "sessions/999/audit/", "segments/999/", "segments/999/cues/", "cues/999/"):  # fmt: skip
        _error(client.get(f"{BASE}/{path}"), 404)
    _error(client.post(f"{BASE}/segments/999/activate/"), 404)
    # Found by the schema fuzzer: a non-numeric id was a 500 on the actions.
    for path in ("segments/null,null/activate/", "segments/abc/complete/", "sessions/x/", "cues/1.5/"):
        assert client.post(f"{BASE}/{path}").status_code == 404


# --- Permissions -----------------------------------------------------------------


def test_anonymous_is_401(api, show):
    session, (a, *_rest) = show
    _error(api.get(f"{BASE}/sessions/"), 401)
    _error(api.post(f"{BASE}/segments/{a.pk}/activate/"), 401)


def test_roles_without_the_show_see_nothing_and_act_on_nothing(api_as, show):
    session, (a, *_rest) = show
    for role in ["crew", "vfx", "social_manager", None]:
        client = api_as(role)
        _error(client.get(f"{BASE}/sessions/"), 403)
        _error(client.get(f"{BASE}/sessions/{session.pk}/segments/"), 403)
        _error(client.get(f"{BASE}/sessions/{session.pk}/state/"), 403)
        _error(client.put(f"{BASE}/sessions/{session.pk}/preferences/", {"visible_columns": ["name"]}), 403)
        _error(client.post(f"{BASE}/segments/{a.pk}/activate/"), 403)
        _error(client.post(f"{BASE}/segments/{a.pk}/complete/"), 403)
    assert not AuditEntry.objects.exists()
    assert not ColumnPreference.objects.exists()


def test_viewers_read_but_do_not_call_the_show(api_as, show):
    session, (a, *_rest) = show
    for role in ["director", "production_manager", "producer", "coordinator"]:
        client = api_as(role)
        assert client.get(f"{BASE}/sessions/{session.pk}/segments/").status_code == 200, role
        assert client.get(f"{BASE}/sessions/{session.pk}/state/").status_code == 200, role
        assert client.get(f"{BASE}/sessions/{session.pk}/audit/").status_code == 200, role
        _error(client.post(f"{BASE}/segments/{a.pk}/activate/"), 403)
    assert Segment.objects.get(pk=a.pk).status == "pending"


def test_director_cannot_edit_the_rundown_but_producer_can(api_as, show):
    _session, (a, *_rest) = show
    _error(api_as("director").patch(f"{BASE}/segments/{a.pk}/", {"name": "x"}), 403)
    assert api_as("producer").patch(f"{BASE}/segments/{a.pk}/", {"name": "y"}).status_code == 200


# --- The show call ----------------------------------------------------------------


def test_state_activate_complete_and_audit(api_as, show, show_clock):
    session, (a, b, *_rest) = show
    caller = api_as("show_caller")
    state_url = f"{BASE}/sessions/{session.pk}/state/"
    idle = caller.get(state_url).json()
    assert idle["active_segment"] is None
    assert idle["updated_by"] is None
    assert idle["timing"]["planned_end"] == "2030-05-01T20:50:00+01:00"

    show_clock(1)
    live = caller.post(f"{BASE}/segments/{a.pk}/activate/")
    assert live.status_code == 200, live.content
    assert live.json()["active_segment"]["id"] == a.pk
    assert live.json()["updated_by"] == caller.user.pk
    assert live.json()["updated_by_username"] == caller.user.username

    show_clock(12)
    state = caller.get(state_url).json()
    assert state["active_segment"]["status"] == "in_progress"
    assert state["timing"]["offset_seconds"] == 2 * 60  # started 1 min late, 1 min over: 2 min behind
    assert state["timing"]["ahead_behind"] == "behind"
    assert state["timing"]["segments"][0]["over_under_seconds"] == 60

    switched = caller.post(f"{BASE}/segments/{b.pk}/activate/", {"at": "2030-05-01T19:11:30Z"})
    assert switched.status_code == 200, switched.content
    assert switched.json()["active_segment"]["id"] == b.pk
    assert Segment.objects.get(pk=a.pk).actual_end.isoformat() == "2030-05-01T19:11:30+00:00"

    body = _error(caller.post(f"{BASE}/segments/{a.pk}/complete/"), 409)
    assert "not live" in body["detail"]
    done = caller.post(f"{BASE}/segments/{b.pk}/complete/")
    assert done.status_code == 200
    assert done.json()["active_segment"] is None

    audit = caller.get(f"{BASE}/sessions/{session.pk}/audit/").json()
    assert [(e["action"], e["from_segment"], e["to_segment"]) for e in audit["results"]] == [
        ("complete", b.pk, None),
        ("activate", a.pk, b.pk),
        ("activate", None, a.pk),
    ]
    assert audit["results"][0]["actor_username"] == caller.user.username
    assert caller.get(f"{BASE}/sessions/{session.pk}/audit/", {"action": "complete"}).json()["count"] == 1


def test_state_for_another_moment(api_as, show):
    session, _segments = show
    client = api_as("director")
    url = f"{BASE}/sessions/{session.pk}/state/"
    later = client.get(url, {"at": "2030-05-01T19:05:00Z"}).json()
    assert later["timing"]["now"] == "2030-05-01T20:05:00+01:00"
    assert later["timing"]["offset_seconds"] == 5 * 60
    assert later["timing"]["expected_segment_id"] == Segment.objects.order_by("order").first().pk
    _error(client.get(url, {"at": "soon"}), 400)
    _error(client.get(url, {"at": "9999-12-31T23:59:59Z"}), 400)


def test_bad_moments_are_400_and_change_nothing(api_as, show):
    _session, (a, *_rest) = show
    client = api_as("show_caller")
    for body in [{"at": "not a time"}, {"at": "2999-01-01T00:00:00Z"}, {"at": "0001-01-01T00:00:00Z"}, {"at": None}]:
        errors = _error(client.post(f"{BASE}/segments/{a.pk}/activate/", body, format="json"), 400)["errors"]
        assert "at" in errors, body
    assert Segment.objects.get(pk=a.pk).status == "pending"
    assert not AuditEntry.objects.exists()


def test_moment_before_the_last_change_is_400(api_as, show, show_clock):
    _session, (a, b, *_rest) = show
    caller = api_as("show_caller")
    show_clock(10)
    caller.post(f"{BASE}/segments/{a.pk}/activate/", {"at": "2030-05-01T19:05:00Z"})
    _error(caller.post(f"{BASE}/segments/{b.pk}/activate/", {"at": "2030-05-01T19:04:00Z"}), 400)
    assert Segment.objects.get(pk=a.pk).status == "in_progress"
    assert AuditEntry.objects.count() == 1


def test_deleting_the_live_segment_is_409(api_as, show, show_clock):
    _session, (a, *_rest) = show
    caller = api_as("show_caller")
    show_clock(0)
    caller.post(f"{BASE}/segments/{a.pk}/activate/")
    _error(caller.delete(f"{BASE}/segments/{a.pk}/"), 409)
    assert Segment.objects.filter(pk=a.pk).exists()


# --- Column preferences -----------------------------------------------------------


def test_preferences_default_save_and_persist(api_as, show):
    session, _segments = show
    client = api_as("director")
    url = f"{BASE}/sessions/{session.pk}/preferences/"
    default = client.get(url).json()
    assert default["is_default"] is True
    assert default["visible_columns"] == [
        "order",
        "name",
        "start_time",
        "end_time",
        "duration",
        "type",
        "status",
        "notes",
    ]
    assert "cues_count" in default["allowed_columns"]

    saved = client.put(url, {"visible_columns": ["order", "name", "cues_count", "created_by", "updated_at"]})
    assert saved.status_code == 200, saved.content
    assert saved.json()["is_default"] is False
    assert client.get(url).json()["visible_columns"] == ["order", "name", "cues_count", "created_by", "updated_at"]
    # Another user keeps the defaults.
    assert api_as("director").get(url).json()["is_default"] is True


BAD_PREFERENCES = [
    {"visible_columns": ["name", "budget"]},
    {"visible_columns": ["name", "name"]},
    {"visible_columns": []},
    {"visible_columns": "name"},
    {"visible_columns": [["name"]]},
    {"visible_columns": [None]},
    {},
]


def test_bad_preferences_are_400_and_nothing_is_saved(api_as, show):
    session, _segments = show
    client = api_as("director")
    url = f"{BASE}/sessions/{session.pk}/preferences/"
    client.put(url, {"visible_columns": ["name"]})
    for body in BAD_PREFERENCES:
        errors = _error(client.put(url, body, format="json"), 400)["errors"]
        assert "visible_columns" in errors, body
        assert client.get(url).json()["visible_columns"] == ["name"]
    assert ColumnPreference.objects.count() == 1


def test_unknown_column_message_names_it(api_as, show):
    session, _segments = show
    body = _error(
        api_as("director").put(f"{BASE}/sessions/{session.pk}/preferences/", {"visible_columns": ["name", "budget"]}),
        400,
    )
    assert "budget" in body["errors"]["visible_columns"][0]
    assert not ColumnPreference.objects.exists()


def test_session_list_filters(api_as, make_show):
    make_show(name="Spring gala")
    make_show(name="Autumn awards")
    client = api_as("director")
    assert client.get(f"{BASE}/sessions/", {"name": "gala"}).json()["count"] == 1
    assert client.get(f"{BASE}/sessions/", {"date": "2030-05-01"}).json()["count"] == 2
    _error(client.get(f"{BASE}/sessions/", {"date": "someday"}), 400)


def test_times_are_iso_with_offset(api_as, show):
    session, _segments = show
    row = api_as("director").get(f"{BASE}/sessions/{session.pk}/segments/").json()["results"][0]
    assert row["start_time"] == "2030-05-01T20:00:00+01:00"  # 19:00 UTC, in the show's zone


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("action", ["activate", "complete"])
def test_a_show_call_commits_before_its_answer_is_built(api_as, show, show_clock, monkeypatch, action):
    """Issue 9, per-event overhead: the event leaves when the show call commits, not after
    the view has built the show state (ATOMIC_REQUESTS held it until then)."""
    from django.db import connection

    from realtime.models import EventLog
    from runofshow.api import views

    session, (a, *_rest) = show
    caller = api_as("show_caller")
    show_clock(1)
    if action == "complete":
        assert caller.post(f"{BASE}/segments/{a.pk}/activate/").status_code == 200
    seen = {}
    real_show_state = views.selectors.show_state

    def observing(*args, **kwargs):
        seen["in_transaction"] = connection.in_atomic_block
        seen["events"] = EventLog.objects.filter(event_type=f"runofshow.segment.{action}d").count()
        return real_show_state(*args, **kwargs)

    monkeypatch.setattr(views.selectors, "show_state", observing)
    response = caller.post(f"{BASE}/segments/{a.pk}/{action}/")
    assert response.status_code == 200, response.content
    assert seen["in_transaction"] is False
    assert seen["events"] >= 1

    conflict = caller.post(f"{BASE}/segments/{a.pk}/{action}/")  # refused: nothing half-written
    assert conflict.status_code == 409
    assert AuditEntry.objects.filter(session=session).count() == (2 if action == "complete" else 1)
