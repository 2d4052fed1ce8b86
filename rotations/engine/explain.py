"""Why an event went unscheduled, who was ruled out and for what, and the run's warnings:
the words a supervisor reads. A mixin of the scheduler."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from rotations.engine.model import (
    BUMPED,
    CONSTRAINT_LABELS,
    COVER_ROLE,
    COVERAGE,
    DATE_RANGE,
    FALLBACK_FLAG,
    MAX_RULED_OUT,
    NO_SLOT,
    PAIRING,
    PAST_DUE,
    PRIMARY_LEAD_ROTATION,
    QUALIFICATION,
    ROTATION,
    ROTATION_OF_TYPE,
    SUPERVISOR,
    TOO_LONG,
    Event,
    Unscheduled,
    _max_gap,
    fmt_day,
    rotation_employee_id,
)


class Explain:
    def _why_no_days(self, event: Event) -> tuple[str, str]:
        """(code, reason) for an event none of whose workdays its supervisor events allow."""
        children = self.children.get(event.ref, [])
        late = [c.ref for c in children if c.ref in self.past_due]
        if late:
            refs = ", ".join(f"#{r}" for r in late)
            return PAIRING, f"its supervisor event {refs} is past its due date — both or neither"
        fixed = sorted(self.fixed_children.get(event.ref, ()))
        paired = self._paired_days(event)
        if fixed and not paired:
            on = ", ".join(fmt_day(d) for d in fixed)
            return PAIRING, (
                f"its supervisor event is fixed on {on}, where it cannot go (outside its dates or the window) — "
                "both or neither"
            )
        if not paired:
            return PAIRING, (
                "no workday of the window lies within both its dates and its supervisor events' — both or neither"
            )
        why = self._cover_why[event.ref] = self._cover_problem(paired)
        return COVERAGE, (
            f"its supervisor event cannot be overseen on any day within both events' dates ({why}) — both or neither"
        )

    # -- bookkeeping -----------------------------------------------------------------

    def _fail(self, event: Event, code: str, reason: str) -> None:
        self.unscheduled[event.ref] = (code, reason)

    def _warn(self, day: date, rotation: str, why: str) -> None:
        if (day, rotation) in self._warned:
            return
        self._warned.add((day, rotation))
        self.warnings.append(f"{FALLBACK_FLAG}: {why}")

    def _name(self, emp_id: int | None) -> str:
        emp = self.employees.get(emp_id) if emp_id is not None else None
        return emp.label if emp else f"employee {emp_id}"

    def _no_days_reason(self, event: Event) -> str:
        return f"no workday of the window between {event.start_date} and {event.due_date}"

    # -- explanations ------------------------------------------------------------------

    def _explain(self, event: Event, code: str, reason: str) -> Unscheduled:
        """Per candidate, which constraints ruled them out on the event's days (compact)."""
        if code == PAST_DUE:
            return Unscheduled(event_ref=event.ref, code=code, reason=reason)
        if event.type == SUPERVISOR:
            parent = self.items.get(event.parent_ref) if event.parent_ref is not None else None
            days = [parent.day] if parent is not None and parent.day in self.day_set else []
            free_code = COVERAGE
        else:
            allowed = self._allowed_days(event)
            days = allowed or self._range_days(event.start_date, event.due_date)
            free_code = BUMPED if allowed else (code if code in (COVERAGE, PAIRING) else COVERAGE)
        leads = {
            d: rotation_employee_id(d, PRIMARY_LEAD_ROTATION, self.p.rotations, self.p.exceptions)[0] for d in days
        }
        ruled: list[tuple[int, tuple[str, ...]]] = []
        not_qualified = 0
        for emp_id in self.emp_ids:
            emp = self.employees[emp_id]
            if not emp.qualifies(event.type):
                not_qualified += 1
                continue
            if event.type == SUPERVISOR:
                codes = set()
                for d in days:
                    c = emp.unavailable(d)
                    if c is None and "club_supervisor" not in emp.qualifications and leads[d] != emp_id:
                        c = COVER_ROLE
                    codes.add(c or free_code)
                if not days:
                    codes.add(PAIRING)
            else:
                codes = set()
                for d in days:
                    c = self._state_block(emp_id, d, event.minutes)
                    if c is None and event.type in ROTATION_OF_TYPE:
                        c = ROTATION
                    codes.add(c or free_code)
                if not days:
                    codes.add(code)
            ruled.append((emp_id, tuple(sorted(codes))))
        summary: dict[str, int] = defaultdict(int)
        for _emp, codes in ruled:
            for c in codes:
                summary[c] += 1
        if ruled and code not in (BUMPED, PAIRING, DATE_RANGE, TOO_LONG):
            counts = ", ".join(f"{CONSTRAINT_LABELS.get(c, c)}: {n}" for c, n in sorted(summary.items()))
            reason = f"{reason} (of {len(ruled)} qualified: {counts})"
        elif not ruled and code not in (DATE_RANGE, TOO_LONG, PAIRING, BUMPED, COVERAGE):
            code, reason = QUALIFICATION, f"no employee is qualified for {event.type}"
        return Unscheduled(
            event_ref=event.ref,
            code=code,
            reason=reason,
            ruled_out=tuple(ruled[:MAX_RULED_OUT]),
            more_ruled_out=max(0, len(ruled) - MAX_RULED_OUT),
            not_qualified=not_qualified,
        )

    def _state_block(self, emp_id: int, day: date, minutes: int) -> str | None:
        """Like :meth:`_block` without the qualification, cached per employee-day (final state)."""
        state = self._final_state.get((emp_id, day))
        if state is None:
            emp = self.employees[emp_id]
            code = emp.unavailable(day)
            if code is None:
                code, _ = self._fit(emp_id, day, 1)
            gap = _max_gap(self.slots.get((emp_id, day), []), self.window_start, self.window_end)
            state = self._final_state[(emp_id, day)] = (code, gap)
        code, gap = state
        if code is None and gap < minutes:
            return NO_SLOT
        return code
