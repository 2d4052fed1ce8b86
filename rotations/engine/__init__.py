"""The auto-scheduler engine: dataclasses in, proposals and reasons out.

Pure and deterministic: no Django, no database, no clock (the run's "today" is an
input), and the same problem always gives the same result whatever the order of its
inputs (everything is sorted by natural keys first).

Over the window's workdays the engine works in three phases, events taken in priority
order — due date first (fewer days left = more urgent), then type, and among equals the
most constrained (fewest employee-days that could take it) first:

1. rotation events: ``juicer`` events to the day's juicer, ``digital`` events to the
   day's primary lead (the date's exception first, else the weekday's rotation), on the
   earliest day that person can take it. If on no day they can, another employee
   qualified for the rotation takes it on the earliest feasible day, and the run is
   flagged "rotation employee unavailable — add an exception"; if none, unscheduled.
2. core and other events to qualified, available employees on the earliest feasible
   day, the least loaded first (week count, then day count, then booked minutes).
   A core event with supervisor events only goes on a day where they can be covered.
   Then a repair pass: an event that found no place may bump a lower-priority
   assignment (never one due within 2 days of the run's today; the one due furthest
   away first) when that makes room for it; the bumped event is placed elsewhere if it
   can be, else reported unscheduled. The swap is recorded with its reason.
3. supervisor events on their core event's day (both or neither) with the day's club
   supervisor, else the day's primary lead. They are oversight, not shifts: they may
   overlap and do not count toward the daily and weekly limits.

Hard constraints, never broken: qualification, availability (active, weekday, time
off), per-day and per-week limits, no overlap (supervisor events excepted: events of an
employee's day are placed in the first free gap of the working window), within the
event's start..due dates, within the working day (``day_start`` for ``day_minutes``).

Fixed inputs: ``bookings`` (events already assigned) and ``pins`` (proposals a supervisor
edited or approved) count as commitments for every constraint — limits, overlap, the day of
a core event's supervisor events — and their events are not proposed again. A pin is never
bumped; a pin that breaks a rule now (time off added since, say) is kept and flagged in the
warnings. Events already past their due date are reported unscheduled (``past_due``), never
dropped.
"""

from __future__ import annotations

from rotations.engine.checks import check_assignment, pairing_violation, rotation_violation
from rotations.engine.model import (
    AVAILABILITY,
    BUMP_PROTECTED_DAYS,
    BUMPED,
    CONSTRAINT_LABELS,
    CORE,
    COVER_ROLE,
    COVERAGE,
    DAILY_LIMIT,
    DATE_RANGE,
    DIGITAL,
    EVENT_TYPES,
    FALLBACK_FLAG,
    INACTIVE,
    JUICER,
    JUICER_ROTATION,
    MAX_DAYS_SHOWN,
    MAX_RULED_OUT,
    NO_SLOT,
    OTHER,
    OVERLAP,
    PAIRING,
    PAST_DUE,
    PRIMARY_LEAD_ROTATION,
    QUALIFICATION,
    QUALIFICATIONS,
    ROTATION,
    ROTATION_LABEL,
    ROTATION_OF_TYPE,
    ROTATION_QUALIFICATION,
    SUPERVISOR,
    TIME_OFF,
    TOO_LONG,
    TYPE_PRIORITY,
    UNAVAILABLE_CODES,
    WEEKDAY_ABBR,
    WEEKLY_LIMIT,
    WORKING_DAY,
    Booking,
    Employee,
    Event,
    Pin,
    Problem,
    ProgressCallback,
    Proposal,
    Result,
    Unscheduled,
    Violation,
    fmt_day,
    rotation_employee_id,
    week_of,
    workdays,
)
from rotations.engine.scheduler import schedule

__all__ = [
    "AVAILABILITY",
    "BUMPED",
    "BUMP_PROTECTED_DAYS",
    "Booking",
    "CONSTRAINT_LABELS",
    "CORE",
    "COVERAGE",
    "COVER_ROLE",
    "DAILY_LIMIT",
    "DATE_RANGE",
    "DIGITAL",
    "EVENT_TYPES",
    "Employee",
    "Event",
    "FALLBACK_FLAG",
    "INACTIVE",
    "JUICER",
    "JUICER_ROTATION",
    "MAX_DAYS_SHOWN",
    "MAX_RULED_OUT",
    "NO_SLOT",
    "OTHER",
    "OVERLAP",
    "PAIRING",
    "PAST_DUE",
    "PRIMARY_LEAD_ROTATION",
    "Pin",
    "Problem",
    "ProgressCallback",
    "Proposal",
    "QUALIFICATION",
    "QUALIFICATIONS",
    "ROTATION",
    "ROTATION_LABEL",
    "ROTATION_OF_TYPE",
    "ROTATION_QUALIFICATION",
    "Result",
    "SUPERVISOR",
    "TIME_OFF",
    "TOO_LONG",
    "TYPE_PRIORITY",
    "UNAVAILABLE_CODES",
    "Unscheduled",
    "Violation",
    "WEEKDAY_ABBR",
    "WEEKLY_LIMIT",
    "WORKING_DAY",
    "check_assignment",
    "fmt_day",
    "pairing_violation",
    "rotation_employee_id",
    "rotation_violation",
    "schedule",
    "week_of",
    "workdays",
]
