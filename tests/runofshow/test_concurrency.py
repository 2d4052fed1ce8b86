"""Two show callers acting at once, with real threads against PostgreSQL: the state row lock
serialises them into one consistent state, and both actions are in the audit log."""

from __future__ import annotations

import threading
from functools import partial

import pytest
from django.db import connection, transaction
from django.utils import timezone
from rest_framework.test import APIClient

from runofshow import services
from runofshow.models import AuditEntry, Segment, SessionState
from tests.factories import bearer

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 3


def _in_thread(fn, results, key):
    try:
        results[key] = fn()
    except Exception as exc:  # surfaced by the assertions below
        results[key] = exc
    finally:
        connection.close()


def _activate_at_once(barrier, client, segment, *expected):
    """``expected``: the ``expected_active`` to state, if any."""
    body = {"expected_active": expected[0]} if expected else {}
    barrier.wait(timeout=10)
    return client.post(f"/api/v1/runofshow/segments/{segment.pk}/activate/", body, format="json")


def _race(calls) -> list:
    """POSTs activate for each (client, segment) from its own thread, released together."""
    barrier = threading.Barrier(len(calls))
    results: dict = {}
    threads = [
        threading.Thread(target=_in_thread, args=(partial(_activate_at_once, barrier, *call), results, index))
        for index, call in enumerate(calls)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    return [results[index] for index in range(len(calls))]


def _assert_one_consistent_state(session, first, second):
    """``first`` was activated, then ``second`` (which completed ``first``)."""
    first.refresh_from_db()
    second.refresh_from_db()
    state = SessionState.objects.get(session=session)
    assert Segment.objects.filter(session=session, status="in_progress").count() == 1
    assert state.active_segment_id == second.pk
    assert second.status == "in_progress"
    assert first.status == "completed"
    assert first.actual_end == second.actual_start
    entries = list(AuditEntry.objects.filter(session=session).order_by("recorded_at", "id"))
    jumped = [("skip", second.pk, None)] if second.order < first.order else []  # activating `first` skipped it
    assert [(e.action, e.from_segment_id, e.to_segment_id) for e in entries] == [
        *jumped,
        ("activate", None, first.pk),
        ("activate", first.pk, second.pk),
    ]


def test_two_show_callers_activating_different_segments_at_once(make_user, make_show):
    callers = [make_user("show_caller"), make_user("show_caller")]
    clients = []
    for caller in callers:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=bearer(caller))
        clients.append(client)

    for round_number in range(ROUNDS):
        session, (a, b, *_rest) = make_show(name=f"Round {round_number}")
        results = _race([(clients[0], a), (clients[1], b)])
        assert results[0].status_code == 200, results[0]
        assert results[1].status_code == 200, results[1]

        winner = SessionState.objects.get(session=session).active_segment_id
        first, second = (a, b) if winner == b.pk else (b, a)
        _assert_one_consistent_state(session, first, second)
        actors = set(AuditEntry.objects.filter(session=session).values_list("actor_id", flat=True))
        assert actors == {callers[0].pk, callers[1].pk}


def test_second_caller_waits_for_the_first_and_sees_its_result(make_user, make_show):
    """Deterministic: while one caller holds the state row, the other's activate blocks;
    when the first commits, the second completes the first's segment."""
    first_caller, second_caller = make_user("show_caller"), make_user("show_caller")
    session, (a, b, *_rest) = make_show()
    results: dict = {}
    waiting = threading.Thread(
        target=_in_thread,
        args=(lambda: services.activate_segment(segment=b, user=second_caller, now=timezone.now()), results, "b"),
    )
    with transaction.atomic():
        SessionState.objects.select_for_update().get(session=session)
        waiting.start()
        waiting.join(timeout=0.5)
        assert waiting.is_alive(), "activate did not wait for the state row lock"
        services.activate_segment(segment=a, user=first_caller, now=timezone.now())
    waiting.join(timeout=30)
    assert not waiting.is_alive()
    assert not isinstance(results["b"], Exception), results["b"]
    _assert_one_consistent_state(session, a, b)


def test_activate_and_complete_racing_end_consistently(make_user, make_show):
    """One caller completes the live segment while another activates the next: whichever goes
    first, the show ends with one or no live segment and a matching state row."""
    caller_one, caller_two = make_user("show_caller"), make_user("show_caller")
    session, (a, b, *_rest) = make_show()
    services.activate_segment(segment=a, user=caller_one, now=timezone.now())
    barrier = threading.Barrier(2)
    results: dict = {}

    def complete():
        barrier.wait(timeout=10)
        return services.complete_segment(segment=a, user=caller_one, now=timezone.now())

    def activate():
        barrier.wait(timeout=10)
        return services.activate_segment(segment=b, user=caller_two, now=timezone.now())

    threads = [
        threading.Thread(target=_in_thread, args=(complete, results, "complete")),
        threading.Thread(target=_in_thread, args=(activate, results, "activate")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not isinstance(results["activate"], Exception)
    state = SessionState.objects.get(session=session)
    live = list(Segment.objects.filter(session=session, status="in_progress").values_list("pk", flat=True))
    assert live == [b.pk] == [state.active_segment_id]
    a.refresh_from_db()
    assert a.status == "completed"
    actions = list(
        AuditEntry.objects.filter(session=session).order_by("recorded_at", "id").values_list("action", flat=True)
    )
    if isinstance(results["complete"], Exception):
        # activate went first and completed A itself; completing A then found it not live (409).
        assert type(results["complete"]).__name__ == "Conflict"
        assert actions == ["activate", "activate"]
    else:
        assert actions == ["activate", "complete", "activate"]


def test_two_callers_stating_what_they_saw_end_in_one_200_and_one_409(make_user, make_show):
    """Both saw A live and press Go on B and C at once: one wins, the other is told who moved
    the show, and nothing of the loser's is written (no segment completed at 0 s)."""
    callers = [make_user("show_caller"), make_user("show_caller")]
    clients = []
    for caller in callers:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=bearer(caller))
        clients.append(client)
    for round_number in range(ROUNDS):
        session, (a, b, c, *_rest) = make_show(name=f"Stated {round_number}")
        services.activate_segment(segment=a, user=callers[0], now=timezone.now())
        results = _race([(clients[0], b, a.pk), (clients[1], c, a.pk)])
        codes = sorted(response.status_code for response in results)
        assert codes == [200, 409], [response.content for response in results]
        winner = results[0] if results[0].status_code == 200 else results[1]
        loser = results[1] if winner is results[0] else results[0]
        live = SessionState.objects.get(session=session).active_segment
        assert winner.json()["active_segment"]["id"] == live.pk
        assert f"Segment {live.pk}" in loser.json()["detail"]
        assert Segment.objects.get(pk=live.pk).status == "in_progress"
        activations = AuditEntry.objects.filter(session=session, action="activate", from_segment=a)
        assert activations.count() == 1  # the winner's; the loser wrote nothing
        assert Segment.objects.filter(session=session, status="completed").count() == 1  # A only
