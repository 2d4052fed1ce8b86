"""Services against PostgreSQL: the show call, the state row, the audit log and events."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from config.errors import Conflict, InvalidInput
from realtime import groups
from realtime.groups import object_group
from realtime.models import EventLog
from runofshow import selectors, services
from runofshow.columns import DEFAULT_COLUMNS
from runofshow.models import AuditEntry, ColumnPreference, Segment, SessionState

pytestmark = pytest.mark.django_db


def _session_events(session):
    return list(
        EventLog.objects.filter(group_name=object_group(groups.RUNOFSHOW_SESSION, session.pk))
        .exclude(event_type="runofshow.rundown.changed")
        .order_by("seq")
        .values_list("event_type", "payload")
    )


def _fresh(segment):
    segment.refresh_from_db()
    return segment


def test_create_session_makes_its_idle_state_row(show):
    session, segments = show
    state = SessionState.objects.get(session=session)
    assert state.active_segment is None
    assert state.updated_at is None
    assert [s.order for s in segments] == [1, 2, 3, 4]


def test_create_segment_goes_last_and_starts_when_the_last_one_ends(show):
    session, segments = show
    added = services.create_segment(session=session, name="Encore", duration=5)
    assert added.order == 5
    assert added.start_time == segments[-1].end_time


def test_first_segment_needs_a_start_time(db):
    session = services.create_session(name="Empty", date=date(2030, 1, 1))
    with pytest.raises(InvalidInput) as error:
        services.create_segment(session=session, name="Opening", duration=5)
    assert "start_time" in error.value.errors
    assert not Segment.objects.exists()


def test_activate_makes_the_segment_live_and_audits_and_announces(show, show_clock, make_user):
    caller = make_user("show_caller")
    session, (first, *_rest) = show
    now = show_clock(1)
    state = services.activate_segment(segment=first, user=caller, now=timezone.now())

    assert state.active_segment_id == first.pk
    assert state.updated_by == caller
    assert state.updated_at == now
    first = _fresh(first)
    assert (first.status, first.actual_start, first.actual_end) == ("in_progress", now, None)
    entry = AuditEntry.objects.get(session=session)
    assert (entry.action, entry.actor, entry.at, entry.from_segment, entry.to_segment) == (
        "activate",
        caller,
        now,
        None,
        first,
    )
    assert entry.to_segment_name == first.name
    assert _session_events(session) == [
        (
            "runofshow.segment.activated",
            {"session_id": session.pk, "segment_id": first.pk, "updated_by": caller.pk},
        )
    ]


def test_activating_b_while_a_is_live_completes_a_at_the_same_moment(show, show_clock, make_user):
    caller = make_user("show_caller")
    session, (a, b, *_rest) = show
    started = show_clock(0)
    services.activate_segment(segment=a, user=caller, now=timezone.now())
    switched = show_clock(12)
    state = services.activate_segment(segment=b, user=caller, now=timezone.now())

    a, b = _fresh(a), _fresh(b)
    assert (a.status, a.actual_start, a.actual_end) == ("completed", started, switched)
    assert (b.status, b.actual_start, b.actual_end) == ("in_progress", switched, None)
    assert state.active_segment_id == b.pk
    assert Segment.objects.filter(session=session, status="in_progress").count() == 1
    latest = AuditEntry.objects.filter(session=session).first()
    assert (latest.action, latest.from_segment, latest.to_segment, latest.at) == ("activate", a, b, switched)
    assert [event for event, _ in _session_events(session)] == [
        "runofshow.segment.activated",
        "runofshow.segment.completed",
        "runofshow.segment.activated",
    ]
    assert _session_events(session)[1][1] == {"session_id": session.pk, "segment_id": a.pk}


def test_complete_the_live_segment_leaves_the_show_idle(show, show_clock, make_user):
    caller = make_user("show_caller")
    session, (a, *_rest) = show
    show_clock(0)
    services.activate_segment(segment=a, user=caller, now=timezone.now())
    ended = show_clock(9)
    state = services.complete_segment(segment=a, user=caller, now=timezone.now())
    a = _fresh(a)
    assert (a.status, a.actual_end) == ("completed", ended)
    assert state.active_segment is None
    entry = AuditEntry.objects.filter(session=session).first()
    assert (entry.action, entry.from_segment, entry.to_segment) == ("complete", a, None)
    assert _session_events(session)[-1] == (
        "runofshow.segment.completed",
        {"session_id": session.pk, "segment_id": a.pk},
    )


def test_completing_a_segment_that_is_not_live_is_a_conflict_and_changes_nothing(show, show_clock, make_user):
    caller = make_user("show_caller")
    session, (a, b, *_rest) = show
    show_clock(0)
    with pytest.raises(Conflict):
        services.complete_segment(segment=a, user=caller, now=timezone.now())
    services.activate_segment(segment=a, user=caller, now=timezone.now())
    with pytest.raises(Conflict):
        services.complete_segment(segment=b, user=caller, now=timezone.now())
    assert _fresh(b).status == "pending"
    assert AuditEntry.objects.filter(session=session).count() == 1


def test_activating_the_live_segment_again_is_a_conflict(show, show_clock, make_user):
    caller = make_user("show_caller")
    _session, (a, *_rest) = show
    show_clock(0)
    services.activate_segment(segment=a, user=caller, now=timezone.now())
    with pytest.raises(Conflict):
        services.activate_segment(segment=a, user=caller, now=timezone.now())


def test_activating_a_completed_segment_runs_it_again(show, show_clock, make_user):
    caller = make_user("show_caller")
    _session, (a, b, *_rest) = show
    show_clock(0)
    services.activate_segment(segment=a, user=caller, now=timezone.now())
    show_clock(10)
    services.activate_segment(segment=b, user=caller, now=timezone.now())
    again = show_clock(11)
    services.activate_segment(segment=a, user=caller, now=timezone.now())
    a, b = _fresh(a), _fresh(b)
    assert (a.status, a.actual_start, a.actual_end) == ("in_progress", again, None)
    assert b.status == "completed"


def test_a_past_moment_is_logged_but_never_before_the_last_change(show, show_clock, make_user):
    caller = make_user("show_caller")
    _session, (a, b, *_rest) = show
    now = show_clock(10)
    services.activate_segment(segment=a, user=caller, at=now - timedelta(minutes=10), now=timezone.now())
    assert _fresh(a).actual_start == now - timedelta(minutes=10)
    with pytest.raises(InvalidInput) as error:
        services.activate_segment(segment=b, user=caller, at=now - timedelta(minutes=11), now=timezone.now())
    assert "at" in error.value.errors


def test_the_live_segment_cannot_be_deleted(show, show_clock, make_user):
    caller = make_user("show_caller")
    _session, (a, b, *_rest) = show
    show_clock(0)
    services.activate_segment(segment=a, user=caller, now=timezone.now())
    with pytest.raises(Conflict):
        services.delete_segment(segment=a)
    services.delete_segment(segment=b)
    assert not Segment.objects.filter(pk=b.pk).exists()


def test_update_segment_never_touches_the_status(show, show_clock, make_user):
    caller = make_user("show_caller")
    _session, (a, *_rest) = show
    stale = Segment.objects.get(pk=a.pk)  # loaded before the activation
    show_clock(0)
    services.activate_segment(segment=a, user=caller, now=timezone.now())
    services.update_segment(segment=stale, name="Cold open")
    a = _fresh(a)
    assert (a.name, a.status) == ("Cold open", "in_progress")


def test_update_segment_refuses_fields_outside_the_plan(show):
    _session, (a, *_rest) = show
    with pytest.raises(InvalidInput) as error:
        services.update_segment(segment=a, status="completed")
    assert "status" in error.value.errors


def test_duplicate_cue_number_is_refused(show):
    _session, (a, *_rest) = show
    services.create_cue(segment=a, number="12", kind="lighting")
    services.create_cue(segment=a, number="12", kind="audio")
    with pytest.raises(ValidationError):  # rendered 400 by the API
        services.create_cue(segment=a, number="12", kind="lighting")


def test_visible_columns_are_validated_and_unique_per_user_and_session(show, make_user):
    session, _segments = show
    user = make_user("director")
    with pytest.raises(InvalidInput) as error:
        services.set_visible_columns(user=user, session=session, visible_columns=["name", "budget"])
    assert "budget" in error.value.errors["visible_columns"][0]
    assert not ColumnPreference.objects.exists()
    assert selectors.visible_columns(user=user, session_id=session.pk) == (list(DEFAULT_COLUMNS), True)

    services.set_visible_columns(user=user, session=session, visible_columns=["name", "cues_count"])
    services.set_visible_columns(user=user, session=session, visible_columns=["order", "name"])
    assert ColumnPreference.objects.count() == 1
    assert selectors.visible_columns(user=user, session_id=session.pk) == (["order", "name"], False)


def test_show_state_reads_the_live_segment_from_the_state_row(show, show_clock, make_user):
    caller = make_user("show_caller")
    session, (a, b, *_rest) = show
    show_clock(0)
    services.activate_segment(segment=a, user=caller, now=timezone.now())
    now = show_clock(13)
    state = selectors.show_state(session, now=now)
    assert state.active_segment.pk == a.pk
    assert state.timing.active_segment_id == a.pk
    assert state.timing.offset_seconds == 3 * 60
    assert state.timing.segments[0].over_under_seconds == 3 * 60
