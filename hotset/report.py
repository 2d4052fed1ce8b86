"""The daily production report (SPEC §1): pure — no Django, no ORM, no clock.

``build`` turns a day's logged times into the report a 1st AD hands in at wrap: call, crew
call confirmed, first shot, meals, camera wrap, wrap, scenes completed / partial / not shot,
pages shot (eighths), setups, variance and the meal penalties incurred. ``to_csv`` renders it.

Meal penalties, overtime and turnaround follow the labour rules of ``hotset.labour`` (SPEC §1):
meals shorter than ``meal_minutes`` do not stop the meal clock; each meal period is listed with
its penalties. Overtime is measured against the original planned wrap (an extended day keeps
it); turnaround is the rest from wrap to the next shoot day's call.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from config.spreadsheets import cell
from hotset import labour, timeline

SCENE = "scene"


@dataclass(frozen=True, slots=True)
class Row:
    """One schedule item as logged."""

    id: int
    kind: str
    planned_minutes: int
    status: str = timeline.PENDING
    block_type: str = ""
    label: str = ""
    scene_number: str = ""
    set_name: str = ""
    is_partial: bool = False
    pages_eighths: int = 0
    setups: int = 0
    planned_start: datetime | None = None
    actual_start: datetime | None = None
    actual_end: datetime | None = None

    def item(self) -> timeline.Item:
        return timeline.Item(
            id=self.id,
            planned_minutes=self.planned_minutes,
            status=self.status,
            planned_start=self.planned_start,
            actual_start=self.actual_start,
            actual_end=self.actual_end,
        )


LabourRules = labour.Rules


@dataclass(frozen=True, slots=True)
class MovedScene:
    """A scene taken off this day by "move to another day"."""

    scene_number: str
    label: str
    pages_eighths: int
    setups: int
    planned_minutes: int
    to_day_number: int
    to_date: str  # ISO date
    moved_at: datetime


@dataclass(frozen=True, slots=True)
class Day:
    rows: tuple[Row, ...]
    call_time: datetime
    status: str = "wrapped"
    planned_wrap: datetime | None = None
    crew_call_confirmed_at: datetime | None = None
    first_shot_confirmed_at: datetime | None = None
    wrapped_at: datetime | None = None
    extended_wrap: datetime | None = None  # "extend day": the new target; planned_wrap stays
    next_call: datetime | None = None  # the project's next shoot day's call (turnaround)
    moved: tuple[MovedScene, ...] = ()


def pages(eighths: int) -> str:
    """12 → "1 4/8", 8 → "1", 3 → "3/8", 0 → "0"."""
    whole, rest = divmod(eighths, 8)
    if not rest:
        return str(whole)
    return f"{whole} {rest}/8" if whole else f"{rest}/8"


def meal_penalties(
    *, clock_start: datetime, meals: Sequence[tuple[datetime, datetime | None]], end: datetime, rules: LabourRules
) -> list[dict]:
    """The meal periods of a day that had a meal or penalties: when each meal was due, when it
    started, and the penalties. ``meals`` are (start, end) in order; an end of None is a meal
    still going on at ``end`` (taken as a real meal: it ends the stretch)."""
    logged = [
        labour.Meal(
            start, meal_end if meal_end is not None else max(end, start + timedelta(minutes=rules.meal_minutes))
        )
        for start, meal_end in meals
    ]
    periods = labour.meal_periods(clock_start=clock_start, meals=logged, end=end, rules=rules)
    return [_period_out(p) for p in periods if p.meal is not None or p.penalties]


def _period_out(period: labour.MealPeriod) -> dict:
    return {
        "number": period.number,
        "due_at": period.due_at,
        "meal_start": period.meal.start if period.meal else None,
        "late_minutes": period.late_minutes,
        "penalties": period.penalties,
    }


def build(day: Day, rules: LabourRules, *, now: datetime, tz: tzinfo | None = None) -> dict:
    """The report as a JSON-ready dict (times ISO 8601 in ``tz``)."""

    def iso(value: datetime | None) -> str | None:
        if value is None:
            return None
        # Local times of the project's zone, to the second (a payroll sheet has no microseconds).
        return (value.astimezone(tz) if tz is not None else value).isoformat(timespec="seconds")

    rows = list(day.rows)
    items = [row.item() for row in rows]
    wrapped = day.status == "wrapped" and day.wrapped_at is not None
    wrap_blocks = [r for r in rows if r.block_type == "wrap" and r.actual_start is not None]
    wrap_at = day.wrapped_at if wrapped else (wrap_blocks[-1].actual_start if wrap_blocks else None)
    # The day's end so far: wrap, else now; a day that never started has no working time.
    end = wrap_at or now
    if day.status == "not_started":
        end = min(end, day.crew_call_confirmed_at or day.call_time)
    scenes = [r for r in rows if r.kind == SCENE]

    def scene_out(r: Row) -> dict:
        return {
            "id": r.id,
            "scene_number": r.scene_number,
            "label": r.label,
            "set_name": r.set_name,
            "status": r.status,
            "pages_eighths": r.pages_eighths,
            "pages": pages(r.pages_eighths),
            "setups": r.setups,
            "planned_minutes": r.planned_minutes,
            "actual_minutes": (
                timeline.minutes(r.actual_end - r.actual_start) if r.actual_start and r.actual_end else None
            ),
        }

    completed = [r for r in scenes if r.status == timeline.COMPLETED and not r.is_partial]
    partial = [r for r in scenes if r.status == timeline.COMPLETED and r.is_partial]
    not_shot = [r for r in scenes if r.status != timeline.COMPLETED]
    meal_rows = sorted(
        (r for r in rows if r.block_type == "meal" and r.actual_start is not None), key=lambda r: r.actual_start
    )
    clock_start = day.crew_call_confirmed_at or day.call_time
    # A meal still going on counts as lasting what it was planned for, or until now if longer.
    logged = [
        labour.Meal(
            r.actual_start, r.actual_end or max(r.actual_start + timedelta(minutes=r.planned_minutes), end), r.id
        )
        for r in meal_rows
    ]
    all_periods = labour.meal_periods(clock_start=clock_start, meals=logged, end=end, rules=rules)
    penalties_by_meal = {p.meal.item_id: p.penalties for p in all_periods if p.meal is not None}
    meals = [
        {
            "item_id": r.id,
            "label": r.label,
            "start": iso(r.actual_start),
            "end": iso(r.actual_end),
            "minutes": timeline.minutes(r.actual_end - r.actual_start) if r.actual_end else None,
            "shorter_than_rule": not meal.qualifies(rules),
            # A meal shorter than the rule does not stop the meal clock (a walking lunch).
            "qualifies": meal.qualifies(rules),
            "penalties": penalties_by_meal.get(r.id, 0),
        }
        for r, meal in zip(meal_rows, logged, strict=True)
    ]
    periods = [_period_out(p) for p in all_periods if p.meal is not None or p.penalties]
    camera_wraps = [r for r in rows if r.block_type == "camera_wrap" and r.actual_start is not None]
    shot_ends = [r.actual_end for r in scenes if r.actual_end is not None]
    # The camera-wrap block when logged, else the end of the last scene shot.
    camera_wrap = camera_wraps[-1].actual_start if camera_wraps else max(shot_ends, default=None)
    first_shot = day.first_shot_confirmed_at or min(
        (r.actual_start for r in scenes if r.actual_start is not None), default=None
    )
    planned = timeline.planned_timeline(items, day.call_time)
    planned_wrap = day.planned_wrap or (planned[-1].end if planned else None)
    rest = labour.turnaround(wrap=wrap_at, next_call=day.next_call, rules=rules)
    return {
        "final": wrapped,
        "status": day.status,
        "general_call_time": iso(day.call_time),
        "crew_call_confirmed_at": iso(day.crew_call_confirmed_at),
        "first_shot_at": iso(first_shot),
        "meals": meals,
        "camera_wrap_at": iso(camera_wrap),
        "wrap_at": iso(wrap_at),
        "planned_wrap": iso(planned_wrap),
        "extended_wrap": iso(day.extended_wrap),
        # Against the original planned wrap: extending the day does not make overtime disappear.
        "overtime_minutes": max(0, timeline.minutes(wrap_at - planned_wrap)) if wrap_at and planned_wrap else 0,
        "turnaround": (
            {
                "next_call": iso(rest.next_call),
                "rest_minutes": rest.rest_minutes,
                "short_by_minutes": rest.short_by_minutes,
            }
            if rest is not None
            else None
        ),
        "day_length_minutes": timeline.minutes(end - clock_start) if end >= clock_start else 0,
        "over_max_day": end > clock_start + timedelta(hours=rules.max_day_hours),
        "scenes": {
            "completed": [scene_out(r) for r in completed],
            "partial": [scene_out(r) for r in partial],
            "not_shot": [scene_out(r) for r in not_shot],
        },
        "scenes_completed": len(completed),
        "scenes_partial": len(partial),
        "scenes_not_shot": len(not_shot),
        "scenes_moved": [
            {
                "scene_number": m.scene_number,
                "label": m.label,
                "pages_eighths": m.pages_eighths,
                "pages": pages(m.pages_eighths),
                "setups": m.setups,
                "planned_minutes": m.planned_minutes,
                "to_day_number": m.to_day_number,
                "to_date": m.to_date,
                "moved_at": iso(m.moved_at),
            }
            for m in day.moved
        ],
        "pages_scheduled_eighths": sum(r.pages_eighths for r in scenes),
        "pages_shot_eighths": sum(r.pages_eighths for r in completed),
        "pages_partial_eighths": sum(r.pages_eighths for r in partial),
        "pages_not_shot_eighths": sum(r.pages_eighths for r in not_shot),
        "pages_shot": pages(sum(r.pages_eighths for r in completed)),
        "setups": sum(r.setups for r in completed + partial),
        "cumulative_variance_minutes": timeline.cumulative_variance(
            items, call_time=day.call_time, crew_call_at=day.crew_call_confirmed_at
        ),
        "wrap_variance_minutes": (timeline.minutes(planned_wrap - wrap_at) if planned_wrap and wrap_at else None),
        "meal_penalties": sum(p["penalties"] for p in periods),
        "meal_periods": [{**p, "due_at": iso(p["due_at"]), "meal_start": iso(p["meal_start"])} for p in periods],
    }


_SUMMARY = (
    ("Status", "status"),
    ("Final", "final"),
    ("General call", "general_call_time"),
    ("Crew call confirmed", "crew_call_confirmed_at"),
    ("First shot", "first_shot_at"),
    ("Camera wrap", "camera_wrap_at"),
    ("Wrap", "wrap_at"),
    ("Planned wrap", "planned_wrap"),
    ("Extended wrap", "extended_wrap"),
    ("Overtime (min)", "overtime_minutes"),
    ("Day length (min)", "day_length_minutes"),
    ("Scenes completed", "scenes_completed"),
    ("Scenes partial", "scenes_partial"),
    ("Scenes not shot", "scenes_not_shot"),
    ("Pages shot", "pages_shot"),
    ("Pages shot (eighths)", "pages_shot_eighths"),
    ("Pages partial (eighths)", "pages_partial_eighths"),
    ("Pages not shot (eighths)", "pages_not_shot_eighths"),
    ("Setups", "setups"),
    ("Cumulative variance (min)", "cumulative_variance_minutes"),
    ("Wrap variance (min)", "wrap_variance_minutes"),
    ("Meal penalties", "meal_penalties"),
    ("Next call", "turnaround_next_call"),
    ("Rest to next call (min)", "turnaround_rest_minutes"),
    ("Turnaround short by (min)", "turnaround_short_by_minutes"),
)


_cell = cell  # spreadsheet-safe (config/spreadsheets.py)


def to_csv(report: dict) -> str:
    """The report as CSV: a two-column summary, the meals, then one row per scene."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    rest = report.get("turnaround") or {}
    flat = {**report, **{f"turnaround_{name}": value for name, value in rest.items()}}
    w.writerow(["Field", "Value"])
    for title, key in _SUMMARY:
        w.writerow([title, _cell(flat.get(key))])
    w.writerow([])
    w.writerow(["Meal", "Start", "End", "Minutes", "Qualifies", "Penalties"])
    for meal in report["meals"]:
        w.writerow(
            [
                _cell(meal["label"]),
                _cell(meal["start"]),
                _cell(meal["end"]),
                _cell(meal["minutes"]),
                _cell(meal["qualifies"]),
                meal["penalties"],
            ]
        )
    w.writerow([])
    w.writerow(["Meal period", "Due", "Meal start", "Late (min)", "Penalties"])
    for period in report["meal_periods"]:
        w.writerow(
            [
                period["number"],
                _cell(period["due_at"]),
                _cell(period["meal_start"]) or "no meal by wrap",
                period["late_minutes"],
                period["penalties"],
            ]
        )
    w.writerow([])
    w.writerow(["Scene", "Set", "Result", "Pages", "Pages (eighths)", "Setups", "Planned min", "Actual min"])
    for result, key in (("completed", "completed"), ("partial", "partial"), ("not shot", "not_shot")):
        for s in report["scenes"][key]:
            w.writerow(
                [
                    _cell(s["scene_number"] or s["label"]),
                    _cell(s["set_name"]),
                    result,
                    s["pages"],
                    s["pages_eighths"],
                    s["setups"],
                    s["planned_minutes"],
                    _cell(s["actual_minutes"]),
                ]
            )
    if report.get("scenes_moved"):
        w.writerow([])
        w.writerow(["Scene moved", "To day", "Date", "Pages", "Planned min"])
        for m in report["scenes_moved"]:
            w.writerow(
                [
                    _cell(m["scene_number"] or m["label"]),
                    m["to_day_number"],
                    m["to_date"],
                    m["pages"],
                    m["planned_minutes"],
                ]
            )
    return out.getvalue()
