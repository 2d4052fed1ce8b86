"""Builders for the rotations tests (through the services, so test data obeys their rules): the
window's Monday and the tests' "now", employees, events and a small world of them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from rotations import services
from rotations.models import Employee, Event

MONDAY = date(2025, 10, 6)
# "Now" in the tests: the Friday before the window, at noon UTC.
NOW = datetime(2025, 10, 3, 12, 0, tzinfo=UTC)


def make_employee(name: str, *quals: str, **kw) -> Employee:
    kw.setdefault("max_events_per_day", 2)
    kw.setdefault("max_events_per_week", 8)
    kw.setdefault("external_id", name.lower())
    return services.create_employee(name=name, qualifications=list(quals), **kw)


def make_event(ref: int, kind: str, start: date, due: date, minutes: int = 120, parent: int | None = None, **kw):
    return services.create_event(
        project_ref_num=ref,
        name=f"Event {ref}",
        event_type=kind,
        start_date=start,
        due_date=due,
        estimated_minutes=minutes,
        parent_event=Event.objects.get(project_ref_num=parent) if parent is not None else None,
        **kw,
    )


@dataclass
class World:
    ann: Employee
    ben: Employee
    cat: Employee
    dan: Employee
    events: dict[int, Event] = field(default_factory=dict)


def build_world() -> World:
    """Ann juices, Ben is primary lead (and a supervisor), Cat is the club supervisor, Dan does core."""
    ann = make_employee("Ann", "core", "juicer")
    ben = make_employee("Ben", "core", "digital", "lead", "supervisor")
    cat = make_employee("Cat", "core", "club_supervisor")
    dan = make_employee("Dan", "core", "other")
    for weekday in range(5):
        services.create_rotation_assignment(weekday=weekday, rotation_type="juicer", employee=ann)
        services.create_rotation_assignment(weekday=weekday, rotation_type="primary_lead", employee=ben)
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


@dataclass
class FakeClientSystem:
    """A real local HTTP server standing in for the client's system (the ``client_system`` fixture)."""

    url: str
    requests: list[dict] = field(default_factory=list)
    status: int = 201
    body: dict = field(default_factory=lambda: {"ok": True})
    hang: object | None = None  # a threading.Event: set = answer; unset = keep the client waiting
