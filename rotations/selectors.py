"""Reads shaped for the services, the API and the pages: the rotations' clock and working day,
rotations, reviews, feeds and the dashboard. What a run gives the engine is in
``rotations.problem``."""

from __future__ import annotations

from collections import defaultdict
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
    PendingSchedule,
    RotationAssignment,
    ScheduleException,
    SchedulerRun,
)


def working_day() -> tuple[time, int]:
    """(start, minutes) of the working day the engine places events in and edits are held to:
    ROTATIONS_DAY_START to ROTATIONS_DAY_END, local time of ROTATIONS_TIME_ZONE (09:00–17:00)."""
    start = time.fromisoformat(settings.ROTATIONS_DAY_START)
    end = time.fromisoformat(settings.ROTATIONS_DAY_END)
    minutes = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
    return start, minutes


ASSIGNED = (Event.Status.SCHEDULED, Event.Status.SUBMITTED)


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
        status__in=OPEN_PROPOSAL_STATUSES + (PendingSchedule.Status.FAILED,),
        event__parent_event_id=proposal.event.project_ref_num,
    ).select_related("event", "employee")


def parent_proposal(proposal: PendingSchedule) -> PendingSchedule | None:
    if proposal.event.parent_event_id is None:
        return None
    return (
        PendingSchedule.objects.filter(run_id=proposal.run_id, event__project_ref_num=proposal.event.parent_event_id)
        .exclude(status=PendingSchedule.Status.REJECTED)
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
    RUN_COMPLETED = SchedulerRun.Status.COMPLETED  # noqa: N806 - read as the constant it is
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
                "past": p.status in OPEN_PROPOSAL_STATUSES + (PendingSchedule.Status.FAILED,) and p.scheduled_at < now,
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
