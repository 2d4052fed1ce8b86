"""Reads: what the engine needs for a run (a fixed number of queries, whatever the size), and
one employee's commitments for re-checking an edit or an approval."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from rotations import engine
from rotations.models import (
    OPEN_PROPOSAL_STATUSES,
    Employee,
    Event,
    EventStatus,
    PendingSchedule,
    ProposalStatus,
    RotationAssignment,
    RunStatus,
    ScheduleException,
    SchedulerRun,
    TimeOff,
)


def working_day() -> tuple[time, int]:
    """(start, minutes) of the working day the engine places events in and edits are held to:
    ROTATIONS_DAY_START to ROTATIONS_DAY_END, local time of ROTATIONS_TIME_ZONE (09:00–17:00)."""
    start = time.fromisoformat(settings.ROTATIONS_DAY_START)
    end = time.fromisoformat(settings.ROTATIONS_DAY_END)
    minutes = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
    return start, minutes


ASSIGNED = (EventStatus.SCHEDULED, EventStatus.SUBMITTED)


def local_tz() -> ZoneInfo:
    return ZoneInfo(settings.ROTATIONS_TIME_ZONE or settings.TIME_ZONE)


def to_local(moment: datetime) -> datetime:
    """Aware → naive local (what the engine works in)."""
    return timezone.localtime(moment, local_tz()).replace(tzinfo=None)


def from_local(naive: datetime) -> datetime:
    return naive.replace(tzinfo=local_tz())


def local_today(now: datetime) -> date:
    """The rotations' calendar day at ``now`` (the caller's clock)."""
    return timezone.localtime(now, local_tz()).date()


def week_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """Aware [Monday of ``start``'s week 00:00, Monday after ``end``'s week 00:00)."""
    first = engine.week_of(start)
    last = engine.week_of(end) + timedelta(days=7)
    return from_local(datetime.combine(first, time())), from_local(datetime.combine(last, time()))


# --- model → engine ------------------------------------------------------------------


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
PINNED_STATUSES = (ProposalStatus.USER_EDITED, ProposalStatus.APPROVED)


def pinned_proposals():
    """The proposals of completed runs that a supervisor edited or approved and that are still
    open (their events not yet assigned): a new run keeps them as they are (SPEC §3)."""
    return PendingSchedule.objects.filter(
        status__in=PINNED_STATUSES, run__status=RunStatus.COMPLETED, event__status=EventStatus.UNSCHEDULED
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
    schedulable = Event.objects.filter(status=EventStatus.UNSCHEDULED).filter(
        Q(start_date__lte=end, due_date__gte=max(start, run.reference_date)) | Q(due_date__lt=run.reference_date)
    )
    for row in schedulable.exclude(pk__in=list(pins)).values(*EVENT_FIELDS):
        events.append(_engine_event(row))
        _remember(info, row)

    bookings = []
    # Approved and on their way to the client's system (the outbox): reserved, never bumped.
    sending = set(PendingSchedule.objects.filter(status=ProposalStatus.APPROVED).values_list("event_id", flat=True))
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
                bumpable=row["status"] == EventStatus.SCHEDULED and row["id"] not in sending,
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
        of_run = Q(run=run, status__in=[*OPEN_PROPOSAL_STATUSES, ProposalStatus.APPROVED])
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


def rotation_employee(day: date, rotation_type: str) -> Employee | None:
    """The date's exception first, else the weekday's rotation."""
    exception = ScheduleException.objects.filter(date=day, rotation_type=rotation_type).select_related("employee")
    exception = exception.first()
    if exception is not None:
        return exception.employee
    assignment = (
        RotationAssignment.objects.filter(weekday=day.weekday(), rotation_type=rotation_type)
        .select_related("employee")
        .first()
    )
    return assignment.employee if assignment else None


def run_proposals(run: SchedulerRun):
    return PendingSchedule.objects.filter(run=run).select_related("event", "employee")


def live_child_proposals(proposal: PendingSchedule):
    """The same run's open supervisor proposals whose core event is ``proposal``'s event."""
    return PendingSchedule.objects.filter(
        run_id=proposal.run_id,
        status__in=OPEN_PROPOSAL_STATUSES + (ProposalStatus.FAILED,),
        event__parent_event_id=proposal.event.project_ref_num,
    ).select_related("event", "employee")


def parent_proposal(proposal: PendingSchedule) -> PendingSchedule | None:
    if proposal.event.parent_event_id is None:
        return None
    return (
        PendingSchedule.objects.filter(run_id=proposal.run_id, event__project_ref_num=proposal.event.parent_event_id)
        .exclude(status=ProposalStatus.REJECTED)
        .select_related("event", "employee")
        .first()
    )


def run_review(run: SchedulerRun) -> dict:
    """The run's review: new, swaps, failed (with reasons) and a day-by-day preview."""
    new = 0
    swaps = []
    by_day: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    statuses: dict[str, int] = defaultdict(int)
    for p in (
        PendingSchedule.objects.filter(run=run)
        .order_by("scheduled_at", "id")
        .values(
            "id",
            "status",
            "is_swap",
            "bumped_event_ref_num",
            "swap_reason",
            "scheduled_at",
            "employee__name",
            "event__project_ref_num",
        )
    ):
        statuses[p["status"]] += 1
        if p["is_swap"]:
            swaps.append(
                {
                    "proposal_id": p["id"],
                    "project_ref_num": p["event__project_ref_num"],
                    "bumped_event_ref_num": p["bumped_event_ref_num"],
                    "swap_reason": p["swap_reason"],
                }
            )
        else:
            new += 1
        day = to_local(p["scheduled_at"]).date().isoformat()
        by_day[day][p["employee__name"]].append(p["event__project_ref_num"])
    days = [
        {
            "date": day,
            "count": sum(len(v) for v in employees.values()),
            "employees": [{"employee": name, "events": refs} for name, refs in sorted(employees.items())],
        }
        for day, employees in sorted(by_day.items())
    ]
    return {
        "new": new,
        "swaps": swaps,
        "failed": run.unscheduled,
        "statuses": dict(statuses),
        "days": days,
    }


def runs_older_than(cutoff: datetime):
    return SchedulerRun.objects.filter(Q(started_at__lt=cutoff))


def approved_assignments(employee: Employee, *, since: datetime) -> list:
    """The employee's approved assignments from ``since`` on, for the calendar feed."""
    from rotations.calendar import Assignment

    rows = (
        Event.objects.filter(assigned_employee=employee, status__in=ASSIGNED, scheduled_at__gte=since)
        .order_by("scheduled_at", "pk")
        .values_list(
            "pk", "project_ref_num", "name", "event_type", "location", "scheduled_at", "estimated_minutes", "status",
            "updated_at",
        )
    )  # fmt: skip
    return [Assignment(*row) for row in rows]


def dashboard(*, now: datetime) -> dict:
    """What /dash/rotations/ shows: the runs (superseded ones marked), and the latest completed
    run as an employee × workday grid of its proposals, with its unscheduled events."""
    RUN_COMPLETED = RunStatus.COMPLETED  # noqa: N806 - read as the constant it is
    recent = list(SchedulerRun.objects.order_by("-started_at", "-id")[:8])
    completed = [run for run in recent if run.status == RUN_COMPLETED]
    latest = (
        completed[0]
        if completed
        else SchedulerRun.objects.filter(status=RUN_COMPLETED).order_by("-started_at", "-id").first()
    )
    runs = []
    for run in recent:
        newer = [c for c in completed if (c.started_at, c.pk) > (run.started_at, run.pk)]
        runs.append({
            "id": run.pk, "kind": run.kind, "status": run.status, "progress": run.progress,
            "progress_message": run.progress_message, "started_at": run.started_at.isoformat(),
            "window_start": run.window_start.isoformat(), "window_end": run.window_end.isoformat(),
            "events_scheduled": run.events_scheduled, "events_failed": run.events_failed,
            "approved_at": run.approved_at.isoformat() if run.approved_at else None,
            "superseded_by": newer[-1].pk if newer and run.status == RUN_COMPLETED else None,
        })  # fmt: skip
    grid = None
    if latest is not None:
        days = [
            latest.window_start + timedelta(days=n)
            for n in range((latest.window_end - latest.window_start).days + 1)
            if (latest.window_start + timedelta(days=n)).weekday() < 5
        ]
        cells: dict[tuple[int, str], list[dict]] = defaultdict(list)
        employees: dict[int, str] = {}
        for p in (
            PendingSchedule.objects.filter(run=latest)
            .select_related("event", "employee")
            .order_by("scheduled_at", "id")
        ):
            start = to_local(p.scheduled_at)
            employees[p.employee_id] = p.employee.name
            cells[(p.employee_id, start.date().isoformat())].append({
                "id": p.pk, "ref": p.event.project_ref_num, "type": p.event.event_type,
                "time": start.strftime("%H:%M"), "minutes": p.event.estimated_minutes, "status": p.status,
                "reason": p.reason, "failure_reason": p.failure_reason, "is_swap": p.is_swap,
                "is_fallback": p.is_fallback, "swap_reason": p.swap_reason,
                "past": p.status in OPEN_PROPOSAL_STATUSES + (ProposalStatus.FAILED,) and p.scheduled_at < now,
            })  # fmt: skip
        day_keys = [d.isoformat() for d in days]
        grid = {
            "run_id": latest.pk,
            "days": day_keys,
            "employees": [
                {"id": emp_id, "name": name, "cells": {d: cells.get((emp_id, d), []) for d in day_keys}}
                for emp_id, name in sorted(employees.items(), key=lambda item: item[1])
            ],
            "unscheduled": latest.unscheduled,
            "warnings": latest.warnings,
        }
    return {"runs": runs, "grid": grid, "time_zone": str(local_tz())}
