"""Checking one assignment against every hard constraint (an edit or an approval of a
proposal), and the rotation and pairing rules a kept pin may break since."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from rotations.engine.model import (
    AVAILABILITY,
    COVERAGE,
    DAILY_LIMIT,
    DATE_RANGE,
    INACTIVE,
    OVERLAP,
    PAIRING,
    QUALIFICATION,
    ROTATION,
    ROTATION_LABEL,
    ROTATION_OF_TYPE,
    ROTATION_QUALIFICATION,
    SUPERVISOR,
    TIME_OFF,
    WEEKDAY_ABBR,
    WEEKLY_LIMIT,
    WORKING_DAY,
    Booking,
    Employee,
    Event,
    Violation,
    week_of,
)


def check_assignment(
    *,
    event: Event,
    employee: Employee,
    start: datetime,
    commitments: Iterable[Booking],
    day_start: time | None = None,
    day_minutes: int | None = None,
) -> list[Violation]:
    """The hard constraints for ``employee`` doing ``event`` at ``start`` given their other ``commitments``.

    ``commitments`` are the employee's other assigned events (this one excluded). Rotation and
    supervisor-pairing rules depend on the day's rotation and on the core event; see
    :func:`rotation_violation` and :func:`pairing_violation`. With ``day_start`` and
    ``day_minutes`` the event must also lie within the working day.
    """
    out: list[Violation] = []
    day = start.date()
    if day_start is not None and day_minutes is not None:
        opens = datetime.combine(day, day_start)
        closes = opens + timedelta(minutes=day_minutes)
        if start < opens or start + timedelta(minutes=event.minutes) > closes:
            out.append(
                Violation(
                    WORKING_DAY,
                    f"{start:%H:%M}–{start + timedelta(minutes=event.minutes):%H:%M} is outside the working day "
                    f"({opens:%H:%M}–{closes:%H:%M})",
                )
            )
    if not employee.active:
        out.append(Violation(INACTIVE, f"{employee.label} is inactive"))
    if not employee.qualifies(event.type):
        out.append(Violation(QUALIFICATION, f"{employee.label} is not qualified for {event.type}"))
    if not (event.start_date <= day <= event.due_date):
        out.append(Violation(DATE_RANGE, f"{day} is outside the event's dates {event.start_date}–{event.due_date}"))
    if day.weekday() not in employee.weekdays:
        out.append(Violation(AVAILABILITY, f"{employee.label} does not work on {WEEKDAY_ABBR[day.weekday()]}"))
    if employee.is_off(day):
        out.append(Violation(TIME_OFF, f"{employee.label} has time off on {day}"))
    if event.type == SUPERVISOR:
        return out
    counted = [c for c in commitments if c.type != SUPERVISOR and c.event_ref != event.ref]
    same_day = [c for c in counted if c.start.date() == day]
    same_week = [c for c in counted if week_of(c.start.date()) == week_of(day)]
    if len(same_day) + 1 > employee.max_per_day:
        out.append(Violation(DAILY_LIMIT, f"{employee.label} already has {len(same_day)} event(s) on {day}"))
    if len(same_week) + 1 > employee.max_per_week:
        out.append(Violation(WEEKLY_LIMIT, f"{employee.label} already has {len(same_week)} event(s) that week"))
    end = start + timedelta(minutes=event.minutes)
    for c in same_day:
        c_end = c.start + timedelta(minutes=c.minutes)
        if c.start < end and start < c_end:
            out.append(Violation(OVERLAP, f"overlaps #{c.event_ref} ({c.start:%H:%M}–{c_end:%H:%M})"))
    return out


def rotation_violation(
    *,
    event: Event,
    employee: Employee,
    day: date,
    rotation_employee: Employee | None,
    rotation_employee_violations: list[Violation],
) -> Violation | None:
    """A rotation event goes to the day's rotation employee unless they cannot take it (the recorded fallback)."""
    if event.type not in ROTATION_OF_TYPE:
        return None
    rotation = ROTATION_OF_TYPE[event.type]
    label = ROTATION_LABEL[rotation]
    if rotation_employee is not None and employee.id == rotation_employee.id:
        return None
    if rotation_employee is not None and not rotation_employee_violations:
        return Violation(
            ROTATION,
            f"{rotation_employee.label} is the {label} on {day} and is available; add an exception to change it",
        )
    if ROTATION_QUALIFICATION[rotation] not in employee.qualifications:
        return Violation(ROTATION, f"{employee.label} is not qualified for the {label} rotation")
    return None


def pairing_violation(
    *, event: Event, employee: Employee, day: date, parent_day: date | None, is_primary_lead: bool
) -> Violation | None:
    """A supervisor event is on its core event's day, with a club supervisor or else the primary lead."""
    if event.type != SUPERVISOR:
        return None
    if parent_day is None:
        return Violation(PAIRING, f"its core event #{event.parent_ref} is not scheduled — both or neither")
    if parent_day != day:
        return Violation(PAIRING, f"must be on its core event's day ({parent_day})")
    if "club_supervisor" not in employee.qualifications and not is_primary_lead:
        return Violation(COVERAGE, f"{employee.label} is neither a club supervisor nor the day's primary lead")
    return None
