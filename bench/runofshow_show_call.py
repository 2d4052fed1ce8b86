"""Run-of-show benchmark: the pure timing, the locked show call, the state endpoint, and two
show callers contending for one show.

    .venv/bin/python bench/runofshow_show_call.py

Prints medians and ratios; exits non-zero only on error. Cleans up its own rows.
"""

from __future__ import annotations

import contextlib
import statistics
import sys
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import median_seconds, setup_django  # noqa: E402

setup_django()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402
from rest_framework_simplejwt.tokens import RefreshToken  # noqa: E402

from realtime.models import EventLog, GroupCursor  # noqa: E402
from runofshow import services, timing  # noqa: E402
from runofshow.models import ShowSession  # noqa: E402

PREFIX = "bench-runofshow"
START = datetime(2030, 5, 1, 19, 0, tzinfo=UTC)


def cleanup() -> None:
    sessions = list(ShowSession.objects.filter(name__startswith=PREFIX).values_list("pk", flat=True))
    groups = [f"runofshow.session.{pk}" for pk in sessions]
    EventLog.objects.filter(group_name__in=groups).delete()
    GroupCursor.objects.filter(group_name__in=groups).delete()
    ShowSession.objects.filter(pk__in=sessions).delete()
    get_user_model().objects.filter(username__startswith=PREFIX).delete()


def make_show(name: str, count: int, user):
    session = services.create_session(name=f"{PREFIX} {name}", date=date(2030, 5, 1), user=user)
    segments = [
        services.create_segment(
            session=session, name=f"S{i}", start_time=START + timedelta(minutes=5 * i), duration=5, user=user
        )
        for i in range(count)
    ]
    return session, segments


def pure_inputs(count: int) -> list[timing.SegmentInput]:
    out = []
    for i in range(count):
        planned = START + timedelta(minutes=5 * i)
        if i < count // 2:
            out.append(
                timing.SegmentInput(
                    i, i, planned, 5, timing.COMPLETED, planned, planned + timedelta(minutes=5, seconds=i)
                )
            )
        elif i == count // 2:
            out.append(timing.SegmentInput(i, i, planned, 5, timing.IN_PROGRESS, planned))
        else:
            out.append(timing.SegmentInput(i, i, planned, 5))
    return out


def contended(segments, users, per_thread: int) -> float:
    """Wall time for len(users) threads each activating ``per_thread`` segments of one show at once."""
    barrier = threading.Barrier(len(users))

    def work(index: int, user) -> None:
        try:
            barrier.wait()
            for n in range(per_thread):
                segment = segments[(index + n * len(users)) % len(segments)]
                # Conflict: the other caller made this segment live a moment ago.
                with contextlib.suppress(services.Conflict):
                    services.activate_segment(segment=segment, user=user, now=timezone.now())
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i, u)) for i, u in enumerate(users)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def main() -> None:
    cleanup()
    User = get_user_model()
    caller = User.objects.create_superuser(username=f"{PREFIX}-caller", password=None)
    second = User.objects.create_superuser(username=f"{PREFIX}-caller2", password=None)
    try:
        inputs_12, inputs_500 = pure_inputs(12), pure_inputs(500)
        pure_12 = median_seconds(lambda: timing.compute(inputs_12, now=START + timedelta(minutes=40)), repeat=200)
        pure_500 = median_seconds(lambda: timing.compute(inputs_500, now=START + timedelta(hours=22)), repeat=50)
        print(f"timing.compute  12 segments: {pure_12 * 1e6:8.1f} µs (median)")
        print(f"timing.compute 500 segments: {pure_500 * 1e6:8.1f} µs (median)   ratio {pure_500 / pure_12:.1f}x")

        _session, segments = make_show("service", 12, caller)
        state = {"i": 0}

        def activate_next():
            state["i"] += 1
            services.activate_segment(segment=segments[state["i"] % len(segments)], user=caller, now=timezone.now())

        activate = median_seconds(activate_next, repeat=40, warmup=3)
        print(f"activate_segment (lock, complete previous, audit, 2 events): {activate * 1e3:6.2f} ms (median)")

        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(caller).access_token}")
        small, _ = make_show("state-12", 12, caller)
        large, _ = make_show("state-200", 200, caller)

        def get_state(session):
            response = client.get(f"/api/v1/runofshow/sessions/{session.pk}/state/")
            assert response.status_code == 200, response.content

        state_12 = median_seconds(lambda: get_state(small), repeat=30)
        state_200 = median_seconds(lambda: get_state(large), repeat=30)
        print(f"GET state  12 segments: {state_12 * 1e3:6.2f} ms (median)")
        print(f"GET state 200 segments: {state_200 * 1e3:6.2f} ms (median)   ratio {state_200 / state_12:.1f}x")

        per_thread = 30
        _session, contended_segments = make_show("contended", 12, caller)
        runs = [contended(contended_segments, [caller, second], per_thread) for _ in range(3)]
        per_action = statistics.median(runs) / (2 * per_thread)
        print(
            f"2 callers × {per_thread} activations on one show: {statistics.median(runs) * 1e3:7.1f} ms "
            f"(median of 3) = {per_action * 1e3:.2f} ms per action   ratio to uncontended {per_action / activate:.2f}x"
        )
    finally:
        cleanup()


if __name__ == "__main__":
    main()
