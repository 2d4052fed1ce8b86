"""Fixtures for the rotations tests: a small world of employees, rotations and events, and a local HTTP server."""

from __future__ import annotations

import contextlib
import json
import threading
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from rotations.models import Employee, Event, RotationAssignment

MONDAY = date(2025, 10, 6)
# "Now" in the tests: the Friday before the window, at noon UTC.
NOW = datetime(2025, 10, 3, 12, 0, tzinfo=UTC)


def make_employee(name: str, *quals: str, **kw) -> Employee:
    kw.setdefault("max_events_per_day", 2)
    kw.setdefault("max_events_per_week", 8)
    return Employee.objects.create(name=name, external_id=name.lower(), qualifications=list(quals), **kw)


def make_event(ref: int, kind: str, start: date, due: date, minutes: int = 120, parent: int | None = None, **kw):
    return Event.objects.create(
        project_ref_num=ref,
        name=f"Event {ref}",
        event_type=kind,
        start_date=start,
        due_date=due,
        estimated_minutes=minutes,
        parent_event_id=parent,
        **kw,
    )


@dataclass
class World:
    ann: Employee
    ben: Employee
    cat: Employee
    dan: Employee
    events: dict[int, Event] = field(default_factory=dict)


@pytest.fixture
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def world(db, now) -> World:
    """Ann juices, Ben is primary lead (and a supervisor), Cat is the club supervisor, Dan does core."""
    ann = make_employee("Ann", "core", "juicer")
    ben = make_employee("Ben", "core", "digital", "lead", "supervisor")
    cat = make_employee("Cat", "core", "club_supervisor")
    dan = make_employee("Dan", "core", "other")
    for weekday in range(5):
        RotationAssignment.objects.create(weekday=weekday, rotation_type="juicer", employee=ann)
        RotationAssignment.objects.create(weekday=weekday, rotation_type="primary_lead", employee=ben)
    w = World(ann=ann, ben=ben, cat=cat, dan=dan)
    fri = MONDAY + timedelta(days=4)
    for ev in (
        make_event(1001, "core", MONDAY, fri, 240),
        make_event(1002, "core", MONDAY, fri, 240),
        make_event(1003, "juicer", MONDAY, MONDAY, 60),
        make_event(1004, "digital", MONDAY, fri, 60),
        make_event(1005, "other", MONDAY, fri, 120),
        make_event(1006, "supervisor", MONDAY, fri, 30, parent=1001),
        make_event(1007, "core", MONDAY, MONDAY, 600),  # longer than a working day: unscheduled
    ):
        w.events[ev.project_ref_num] = ev
    return w


# --- a real local HTTP server standing in for the client's system ------------------------------


@dataclass
class FakeClientSystem:
    url: str
    requests: list[dict] = field(default_factory=list)
    status: int = 201
    body: dict = field(default_factory=lambda: {"ok": True})
    hang: threading.Event | None = None  # set: answer; unset: keep the client waiting


@pytest.fixture
def client_system():
    state: dict = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's naming
            system: FakeClientSystem = state["system"]
            length = int(self.headers.get("Content-Length") or 0)
            payload = json.loads(self.rfile.read(length) or b"{}")
            system.requests.append({"json": payload, "idempotency_key": self.headers.get("Idempotency-Key")})
            if system.hang is not None:
                system.hang.wait(10)
            data = json.dumps(system.body).encode()
            self.send_response(system.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            with contextlib.suppress(OSError):
                self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    system = FakeClientSystem(url=f"http://127.0.0.1:{server.server_address[1]}/assignments")
    state["system"] = system
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield system
    if system.hang is not None:
        system.hang.set()
    server.shutdown()
    server.server_close()
