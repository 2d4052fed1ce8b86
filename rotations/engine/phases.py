"""Placing events (phases 1–3 of the engine's docstring): rotation events on their rotation
employee, core and other events on the least loaded fit, supervisor events beside their core
event. A mixin of the scheduler: it reads and books through the scheduler's state."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from rotations.engine.model import (
    CONSTRAINT_LABELS,
    COVERAGE,
    DATE_RANGE,
    FALLBACK_FLAG,
    MAX_DAYS_SHOWN,
    NO_SLOT,
    PAIRING,
    PRIMARY_LEAD_ROTATION,
    ROTATION,
    ROTATION_LABEL,
    ROTATION_OF_TYPE,
    ROTATION_QUALIFICATION,
    SUPERVISOR,
    TOO_LONG,
    Event,
    _cannot,
    _first_fit,
    fmt_day,
    rotation_employee_id,
)


class PlacingPhases:
    def _rotation_candidates(self, event: Event, day: date) -> tuple[int | None, bool, list[int]]:
        """(rotation employee, from an exception?, fallback employees qualified for the rotation)."""
        rotation = ROTATION_OF_TYPE[event.type]
        rid, from_exception = rotation_employee_id(day, rotation, self.p.rotations, self.p.exceptions)
        needed = ROTATION_QUALIFICATION[rotation]
        fallbacks = [
            i for i in self.eligible[(event.type, day)] if i != rid and needed in self.employees[i].qualifications
        ]
        return rid, from_exception, fallbacks

    def _least_loaded_fit(self, candidates: Iterable[int], day: date, minutes: int) -> tuple[int, int, int] | None:
        """(employee, start minute, free candidates) of the least loaded candidate that fits, or None.

        Least loaded: fewest events that week, then that day, then fewest booked minutes, then id.
        (The hot loop of the engine: the checks of :meth:`_fit` inlined.)
        """
        if minutes > self.window_end - self.window_start:
            return None
        week = self._week(day)
        day_count, week_count, day_used, slots = self.day_count, self.week_count, self.day_used, self.slots
        employees, ws, we = self.employees, self.window_start, self.window_end
        best: tuple | None = None
        free = 0
        for emp_id in candidates:
            emp = employees[emp_id]
            key = (emp_id, day)
            n_day = day_count.get(key, 0)
            if n_day >= emp.max_per_day:
                continue
            n_week = week_count.get((emp_id, week), 0)
            if n_week >= emp.max_per_week:
                continue
            busy = slots.get(key)
            start = _first_fit(busy, ws, we, minutes) if busy else ws
            if start is None:
                continue
            free += 1
            load = (n_week, n_day, day_used.get(key, 0), emp_id)
            if best is None or load < best[0]:
                best = (load, emp_id, start)
        if best is None:
            return None
        return best[1], best[2], free

    def _schedule_rotation_event(self, event: Event) -> bool:
        rotation = ROTATION_OF_TYPE[event.type]
        label = ROTATION_LABEL[rotation]
        days = self._allowed_days(event)
        first_miss: tuple[date, int | None, str | None] | None = None
        for day in days:
            rid, from_exception, _ = self._rotation_candidates(event, day)
            if rid is None:
                first_miss = first_miss or (day, None, None)
                continue
            code = self._block(rid, event, day)
            if code is None:
                start = self._fit(rid, day, event.minutes)[1]
                source = f"the exception for {day.isoformat()}" if from_exception else "the weekly rotation"
                reason = (
                    f"{self.employees[rid].label} is the {label} on {fmt_day(day)} ({source}); "
                    f"earliest day they can take it between {event.start_date} and {event.due_date}"
                )
                self._place(event, rid, day, start, phase="rotation", reason=reason)
                return True
            first_miss = first_miss or (day, rid, code)
        # Nobody on rotation could take it on any day: another employee qualified for the rotation.
        for day in days:
            rid, _, fallbacks = self._rotation_candidates(event, day)
            found = self._least_loaded_fit(fallbacks, day, event.minutes)
            if found is None:
                continue
            emp_id, start, _free = found
            if rid is None:
                why = f"no {label} rotation set for {fmt_day(day)}"
            else:
                code = self._block(rid, event, day)
                why = f"{self._name(rid)}, the {label} on {fmt_day(day)}, {_cannot(code, event.type)}"
            reason = (
                f"{why}; {self.employees[emp_id].label} is qualified for {label} and the least loaded — {FALLBACK_FLAG}"
            )
            self._place(event, emp_id, day, start, phase="rotation", reason=reason, is_fallback=True)
            self._warn(day, rotation, why)
            return True
        if not days:
            self._fail(event, DATE_RANGE, self._no_days_reason(event))
        else:
            day, rid, code = first_miss or (days[0], None, None)
            if rid is None:
                why = f"no {label} rotation set for {fmt_day(day)}"
            else:
                why = f"{self._name(rid)}, the {label} on {fmt_day(day)}, {_cannot(code, event.type)}"
            self._fail(
                event,
                ROTATION,
                f"{FALLBACK_FLAG}: {why}, and no other employee qualified for {label} is free on any day between "
                f"{event.start_date} and {event.due_date}",
            )
        return False

    def _schedule_shift_event(self, event: Event) -> bool:
        days = self._allowed_days(event)
        for day in days:
            found = self._least_loaded_fit(self.eligible[(event.type, day)], day, event.minutes)
            if found is None:
                continue
            emp_id, start, free = found
            weekly = self.week_count[(emp_id, self._week(day))]
            reason = (
                f"qualified for {event.type} and free on {fmt_day(day)}, the earliest feasible day between "
                f"{event.start_date} and {event.due_date}; least loaded of {free} free candidate(s) "
                f"({weekly} other event(s) that week)"
            )
            if self.children.get(event.ref):
                reason += "; its supervisor event can be covered that day"
            self._place(event, emp_id, day, start, phase="core", reason=reason)
            return True
        if event.minutes > self.p.day_minutes:
            self._fail(event, TOO_LONG, f"longer than a working day ({event.minutes} > {self.p.day_minutes} min)")
        elif not self._range_days(event.start_date, event.due_date):
            self._fail(event, DATE_RANGE, self._no_days_reason(event))
        elif not days:
            code, reason = self._why_no_days(event)
            self._fail(event, code, reason)
        else:
            self._fail(event, NO_SLOT, f"no qualified employee is free on any day between {days[0]} and {days[-1]}")
        return False

    def _schedule(self, event: Event) -> bool:
        if event.type in ROTATION_OF_TYPE:
            return self._schedule_rotation_event(event)
        return self._schedule_shift_event(event)

    # -- phase 3: supervisor events -------------------------------------------------

    def _cover_candidates(self, day: date) -> tuple[int | None, str]:
        clubs = [
            i
            for i in self.available.get(day, [])
            if "club_supervisor" in self.employees[i].qualifications and self.employees[i].qualifies(SUPERVISOR)
        ]
        if clubs:
            return min(clubs, key=lambda i: (self.sup_count[(i, day)], i)), "club"
        lead, _ = rotation_employee_id(day, PRIMARY_LEAD_ROTATION, self.p.rotations, self.p.exceptions)
        emp = self.employees.get(lead) if lead is not None else None
        if emp is not None and emp.unavailable(day) is None and emp.qualifies(SUPERVISOR):
            return lead, "lead"
        return None, ""

    def _cover_problem_on(self, day: date) -> str:
        """Why nobody can oversee a supervisor event on ``day``: each ruled-out candidate and the
        constraint (never "not available" for "not qualified")."""
        parts = []
        clubs = [e for e in self.employees.values() if "club_supervisor" in e.qualifications]
        if not clubs:
            parts.append("no employee is a club supervisor")
        for emp in sorted(clubs, key=lambda e: e.id):
            why = emp.unavailable(day)
            if why:
                parts.append(f"club supervisor {emp.label} {_cannot(why, SUPERVISOR)}")
        lead, _ = rotation_employee_id(day, PRIMARY_LEAD_ROTATION, self.p.rotations, self.p.exceptions)
        emp = self.employees.get(lead) if lead is not None else None
        if emp is None:
            parts.append("there is no primary lead on the rotation that day")
        elif not emp.qualifies(SUPERVISOR):
            parts.append(f"primary lead {emp.label} is not qualified to oversee (needs supervisor or club_supervisor)")
        elif emp.unavailable(day):
            parts.append(f"primary lead {emp.label} {_cannot(emp.unavailable(day), SUPERVISOR)}")
        return ", ".join(parts)

    def _cover_problem(self, days: Iterable[date]) -> str:
        """:meth:`_cover_problem_on` over ``days``, the days with the same explanation together."""
        groups: dict[str, list[date]] = {}
        for day in days:
            groups.setdefault(self._cover_problem_on(day), []).append(day)
        out = []
        for why, on in groups.items():
            shown = ", ".join(fmt_day(d) for d in on[:MAX_DAYS_SHOWN])
            if len(on) > MAX_DAYS_SHOWN:
                shown += f" and {len(on) - MAX_DAYS_SHOWN} more day(s)"
            out.append(f"on {shown}: {why}")
        return "; ".join(out)

    def _schedule_supervisor(self, event: Event) -> bool:
        parent = self.items.get(event.parent_ref) if event.parent_ref is not None else None
        if event.parent_ref is None:
            self._fail(event, PAIRING, "a supervisor event needs its core event (parent_event_ref_num)")
            return False
        if parent is None:
            failed = self.unscheduled.get(event.parent_ref)
            if failed is not None and failed[0] == COVERAGE and event.parent_ref in self._cover_why:
                # The core event stayed unscheduled for this event's sake: say why nobody can oversee it.
                self._fail(
                    event,
                    COVERAGE,
                    f"nobody can oversee it on any day within both events' dates ({self._cover_why[event.parent_ref]})"
                    f" — its core event #{event.parent_ref} stays unscheduled too (both or neither)",
                )
            elif failed is not None:
                why = CONSTRAINT_LABELS.get(failed[0], failed[0])
                self._fail(
                    event, PAIRING, f"its core event #{event.parent_ref} is not scheduled ({why}) — both or neither"
                )
            else:
                self._fail(event, PAIRING, f"its core event #{event.parent_ref} is not scheduled — both or neither")
            return False
        day = parent.day
        if not (event.start_date <= day <= event.due_date):
            self._fail(event, DATE_RANGE, f"its core event #{event.parent_ref} is on {day}, outside this event's dates")
            return False
        if day not in self.day_set:
            self._fail(event, DATE_RANGE, f"its core event #{event.parent_ref} is on {day}, not a workday of this run")
            return False
        emp_id, how = self._cover_candidates(day)
        if emp_id is None:
            self._fail(event, COVERAGE, f"nobody can oversee it {self._cover_problem([day])}")
            return False
        if how == "club":
            reason = f"club supervisor on duty on {fmt_day(day)}, the day of core event #{event.parent_ref}"
        else:
            reason = (
                f"primary lead on {fmt_day(day)} (no club supervisor available), the day of core event "
                f"#{event.parent_ref}"
            )
        self._place(event, emp_id, day, parent.start_min, phase="supervisor", reason=reason)
        return True
