"""The models → the engine, and back: what a run gives ``rotations.engine`` (``run_input``:
a fixed number of queries whatever the size), one employee's commitments for re-checking an
edit or an approval, and the engine's unscheduled events as the run stores them."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Q

from rotations import engine
from rotations.models import (
    OPEN_PROPOSAL_STATUSES,
    Employee,
    Event,
    PendingSchedule,
    RotationAssignment,
    ScheduleException,
    SchedulerRun,
    TimeOff,
)
from rotations.selectors import ASSIGNED, to_local, week_bounds, working_day


def engine_employee(row: dict, time_off: list[tuple[date, date]]) -> engine.Employee:
    return engine.Employee(
        id=row["id"],
        name=row["name"],
        qualifications=frozenset(row["qualifications"] or ()),
        active=row["active"],
        max_per_day=row["max_events_per_day"],
        max_per_week=row["max_events_per_week"],
        weekdays=frozenset(int(d) for d in (row["available_weekdays"] or ())),
        time_off=tuple(sorted(time_off)),
    )


def employee_to_engine(employee: Employee) -> engine.Employee:
    time_off = list(employee.time_off.values_list("start_date", "end_date"))
    return engine_employee(
        {
            "id": employee.id,
            "name": employee.name,
            "qualifications": employee.qualifications,
            "active": employee.active,
            "max_events_per_day": employee.max_events_per_day,
            "max_events_per_week": employee.max_events_per_week,
            "available_weekdays": employee.available_weekdays,
        },
        time_off,
    )


def event_to_engine(event: Event) -> engine.Event:
    return engine.Event(
        ref=event.project_ref_num,
        type=event.event_type,
        start_date=event.start_date,
        due_date=event.due_date,
        minutes=event.estimated_minutes,
        parent_ref=event.parent_event_id,
    )


EMPLOYEE_FIELDS = (
    "id",
    "name",
    "qualifications",
    "active",
    "max_events_per_day",
    "max_events_per_week",
    "available_weekdays",
)
EVENT_FIELDS = ("id", "project_ref_num", "event_type", "start_date", "due_date", "estimated_minutes", "parent_event_id")


@dataclass
class RunInput:
    problem: engine.Problem | None = None
    event_ids: dict[int, int] = field(default_factory=dict)  # ref → Event.id
    employee_names: dict[int, str] = field(default_factory=dict)
    event_types: dict[int, str] = field(default_factory=dict)
    due_dates: dict[int, date] = field(default_factory=dict)
    booked_at: dict[int, datetime] = field(default_factory=dict)  # ref → scheduled_at of assigned events
    pinned: dict[int, int] = field(default_factory=dict)  # ref → the id of the proposal pinned as a fixed input


# Open proposals a supervisor decided on: their employee and time are fixed inputs of later runs.
PINNED_STATUSES = (PendingSchedule.Status.USER_EDITED, PendingSchedule.Status.APPROVED)


def pinned_proposals():
    """The proposals of completed runs that a supervisor edited or approved and that are still
    open (their events not yet assigned): a new run keeps them as they are (SPEC §3)."""
    return PendingSchedule.objects.filter(
        status__in=PINNED_STATUSES, run__status=SchedulerRun.Status.COMPLETED, event__status=Event.Status.UNSCHEDULED
    )


def _remember(info: RunInput, row: dict) -> None:
    ref = row["project_ref_num"]
    info.event_ids[ref] = row["id"]
    info.event_types[ref] = row["event_type"]
    info.due_dates[ref] = row["due_date"]


def _engine_event(row: dict) -> engine.Event:
    return engine.Event(
        ref=row["project_ref_num"],
        type=row["event_type"],
        start_date=row["start_date"],
        due_date=row["due_date"],
        minutes=row["estimated_minutes"],
        parent_ref=row["parent_event_id"],
    )


def run_input(*, run: SchedulerRun) -> RunInput:
    """Everything the engine needs for ``run``'s window, in eight queries whatever the size.

    Fixed inputs: the events already assigned in the window's weeks (bookings) and the open
    edited or approved proposals of earlier runs (pins; their events are not scheduled again).
    Unscheduled events already past due go to the engine too, which lists them as ``past_due``.
    """
    start, end = run.window_start, run.window_end
    days = engine.workdays(start, (end - start).days + 1)
    week_start, week_end = week_bounds(start, end)

    off: dict[int, list[tuple[date, date]]] = defaultdict(list)
    for emp_id, s, e in TimeOff.objects.filter(end_date__gte=start, start_date__lte=end).values_list(
        "employee_id", "start_date", "end_date"
    ):
        off[emp_id].append((s, e))
    employee_rows = list(Employee.objects.values(*EMPLOYEE_FIELDS))
    employees = tuple(engine_employee(row, off.get(row["id"], [])) for row in employee_rows)

    rotations = {
        (w, t): emp for w, t, emp in RotationAssignment.objects.values_list("weekday", "rotation_type", "employee_id")
    }
    exceptions = {
        (d, t): emp
        for d, t, emp in ScheduleException.objects.filter(date__gte=start, date__lte=end).values_list(
            "date", "rotation_type", "employee_id"
        )
    }

    info = RunInput()
    # A supervisor's decisions stay (SPEC §3): the latest open edited or approved proposal of each
    # event is a pin, wherever it lies (one in the past is flagged in the run's warnings).
    pins: dict[int, tuple[dict, int, datetime, int]] = {}
    for p in (
        pinned_proposals()
        .exclude(run=run)
        .order_by("run__started_at", "run_id", "updated_at", "id")
        .values("id", "employee_id", "scheduled_at", *(f"event__{name}" for name in EVENT_FIELDS))
    ):
        row = {name: p[f"event__{name}"] for name in EVENT_FIELDS}
        pins[row["id"]] = (row, p["employee_id"], p["scheduled_at"], p["id"])

    events = []
    # Unscheduled events of the window, and those already past due (listed by the engine, never dropped).
    schedulable = Event.objects.filter(status=Event.Status.UNSCHEDULED).filter(
        Q(start_date__lte=end, due_date__gte=max(start, run.reference_date)) | Q(due_date__lt=run.reference_date)
    )
    for row in schedulable.exclude(pk__in=list(pins)).values(*EVENT_FIELDS):
        events.append(_engine_event(row))
        _remember(info, row)

    bookings = []
    # Approved and on their way to the client's system (the outbox): reserved, never bumped.
    sending = set(
        PendingSchedule.objects.filter(status=PendingSchedule.Status.APPROVED).values_list("event_id", flat=True)
    )
    for row in Event.objects.filter(
        status__in=ASSIGNED, scheduled_at__gte=week_start, scheduled_at__lt=week_end, assigned_employee__isnull=False
    ).values(*EVENT_FIELDS, "status", "assigned_employee_id", "scheduled_at"):
        bookings.append(
            engine.Booking(
                event_ref=row["project_ref_num"],
                employee_id=row["assigned_employee_id"],
                type=row["event_type"],
                start=to_local(row["scheduled_at"]),
                minutes=row["estimated_minutes"],
                start_date=row["start_date"],
                due_date=row["due_date"],
                parent_ref=row["parent_event_id"],
                # Scheduled here but not yet sent to the client's system: may be moved by a swap.
                bumpable=row["status"] == Event.Status.SCHEDULED and row["id"] not in sending,
            )
        )
        _remember(info, row)
        info.booked_at[row["project_ref_num"]] = row["scheduled_at"]

    engine_pins = []
    for row, employee_id, scheduled_at, proposal_id in pins.values():
        engine_pins.append(engine.Pin(_engine_event(row), employee_id, to_local(scheduled_at)))
        _remember(info, row)
        info.pinned[row["project_ref_num"]] = proposal_id

    info.employee_names = {row["id"]: row["name"] for row in employee_rows}
    day_start, day_minutes = working_day()
    info.problem = engine.Problem(
        days=days,
        today=run.reference_date,
        employees=employees,
        events=tuple(events),
        rotations=rotations,
        exceptions=exceptions,
        bookings=tuple(bookings),
        day_start=day_start,
        day_minutes=day_minutes,
        pins=tuple(engine_pins),
    )
    return info


# --- one employee's commitments (edits, approvals) -------------------------------------


def commitments(
    *,
    employee_id: int,
    day: date,
    exclude_event_ids: set[int],
    run: SchedulerRun | None = None,
    exclude_proposal_ids: set[int] = frozenset(),
) -> list[engine.Booking]:
    """The employee's assigned events in ``day``'s week, plus (with ``run``) the live proposals: the
    run's open ones and the pins a new run keeps — what a supervisor edited or approved in an
    earlier run — so that an edit cannot collide with an earlier edit."""
    week_start, week_end = week_bounds(day, day)
    out: list[engine.Booking] = []
    seen: set[int] = set()
    rows = (
        Event.objects.filter(
            assigned_employee_id=employee_id,
            status__in=ASSIGNED,
            scheduled_at__gte=week_start,
            scheduled_at__lt=week_end,
        )
        .exclude(id__in=exclude_event_ids)
        .values(*EVENT_FIELDS, "scheduled_at")
    )
    for row in rows:
        seen.add(row["id"])
        out.append(_booking(row, employee_id, row["scheduled_at"]))
    if run is not None:
        of_run = Q(run=run, status__in=[*OPEN_PROPOSAL_STATUSES, PendingSchedule.Status.APPROVED])
        live = (
            PendingSchedule.objects.filter(of_run | Q(pk__in=pinned_proposals().values("pk")))
            .filter(employee_id=employee_id, scheduled_at__gte=week_start, scheduled_at__lt=week_end)
            .exclude(id__in=exclude_proposal_ids)
            .exclude(event_id__in=exclude_event_ids)
            .select_related("event")
        )
        for proposal in live.order_by("id"):
            if proposal.event_id in seen:
                continue
            seen.add(proposal.event_id)
            ev = proposal.event
            row = {f: getattr(ev, f) for f in EVENT_FIELDS}
            out.append(_booking(row, employee_id, proposal.scheduled_at))
    return out


def _booking(row: dict, employee_id: int, scheduled_at: datetime) -> engine.Booking:
    return engine.Booking(
        event_ref=row["project_ref_num"],
        employee_id=employee_id,
        type=row["event_type"],
        start=to_local(scheduled_at),
        minutes=row["estimated_minutes"],
        start_date=row["start_date"],
        due_date=row["due_date"],
        parent_ref=row["parent_event_id"],
    )


# --- engine → the run's record -------------------------------------------------------


def unscheduled_json(data: RunInput, result: engine.Result) -> list[dict]:
    out = []
    for u in result.unscheduled:
        out.append(
            {
                "event_id": data.event_ids.get(u.event_ref),
                "project_ref_num": u.event_ref,
                "type": data.event_types.get(u.event_ref),
                "due_date": data.due_dates[u.event_ref].isoformat() if u.event_ref in data.due_dates else None,
                "code": u.code,
                "reason": u.reason,
                "ruled_out": [
                    {"employee_id": emp_id, "employee": data.employee_names.get(emp_id, ""), "constraints": list(codes)}
                    for emp_id, codes in u.ruled_out
                ],
                "more_ruled_out": u.more_ruled_out,
                "not_qualified": u.not_qualified,
            }
        )
    return out
