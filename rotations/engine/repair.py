"""The repair pass: an event that found no place may bump a lower-priority assignment (never
one due within ``BUMP_PROTECTED_DAYS`` of the run's today) when that makes room for it. A mixin
of the scheduler."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from rotations.engine.model import (
    BUMP_PROTECTED_DAYS,
    BUMPED,
    FALLBACK_FLAG,
    ROTATION_LABEL,
    ROTATION_OF_TYPE,
    WEEKLY_LIMIT,
    Event,
    _first_fit,
    _Item,
    _prio_num,
    fmt_day,
)


class Repair:
    # -- repair: bump a lower-priority assignment -----------------------------------

    def _bumpable(self, item: _Item, priority: tuple[date, int]) -> bool:
        return (
            item.priority > priority
            and item.counts
            and item.bumpable
            and item.ref not in self.bumped
            and (item.due_date - self.today).days > BUMP_PROTECTED_DAYS
        )

    def _build_holders(self) -> None:
        """Per employee-week, the lowest priority among the assignments that may be bumped."""
        self._holder_top: dict[tuple[int, date], tuple[date, int]] = {}
        for item in self.items.values():
            if item.counts and item.bumpable and (item.due_date - self.today).days > BUMP_PROTECTED_DAYS:
                key = (item.employee_id, self._week(item.day))
                if key not in self._holder_top or item.priority > self._holder_top[key]:
                    self._holder_top[key] = item.priority
        self._holder_order: dict[date, list[tuple[tuple[date, int], int]]] = defaultdict(list)
        for (emp_id, week), top in self._holder_top.items():
            self._holder_order[week].append((top, emp_id))
        for entries in self._holder_order.values():
            entries.sort(key=lambda entry: (entry[0], -entry[1]), reverse=True)

    def _refresh_holder(self, emp_id: int, week: date) -> None:
        top = None
        for ref in self.week_items.get((emp_id, week), ()):
            item = self.items[ref]
            if (
                item.bumpable
                and item.ref not in self.bumped
                and (item.due_date - self.today).days > BUMP_PROTECTED_DAYS
            ):
                top = item.priority if top is None or item.priority > top else top
        entries = [e for e in self._holder_order.get(week, []) if e[1] != emp_id]
        if top is not None:
            entries.append((top, emp_id))
        entries.sort(key=lambda entry: (entry[0], -entry[1]), reverse=True)
        self._holder_order[week] = entries

    def _victim_holders(self, week: date, priority: tuple[date, int]) -> list[int]:
        """Employees holding, in ``week``, something of lower priority than ``priority`` (ids ascending)."""
        out = []
        for top, emp_id in self._holder_order.get(week, ()):
            if top <= priority:
                break
            out.append(emp_id)
        out.sort()
        return out

    def _fits_without(self, emp_id: int, day: date, minutes: int, victim: _Item) -> int | None:
        emp = self.employees[emp_id]
        key = (emp_id, day)
        same_day = victim.employee_id == emp_id and victim.day == day
        same_week = victim.employee_id == emp_id and self._week(victim.day) == self._week(day)
        if self.day_count[key] - (1 if same_day else 0) >= emp.max_per_day:
            return None
        if self.week_count[(emp_id, self._week(day))] - (1 if same_week else 0) >= emp.max_per_week:
            return None
        busy = self.slots[key]
        if same_day:
            busy = [b for b in busy if b[2] != victim.ref]
        return _first_fit(busy, self.window_start, self.window_end, minutes)

    def _repair(self, event: Event) -> bool:
        """Bump the lower-priority assignment due furthest away when that makes room for ``event``."""
        priority = event.priority
        if self._worst_bumpable is None or priority >= self._worst_bumpable:
            return False  # nothing of lower priority could make room
        best = None
        for day in self._allowed_days(event):
            week = self._week(day)
            # Only employees holding something of lower priority that week can make room.
            holders = self._victim_holders(week, priority)
            if not holders:
                continue
            if event.type in ROTATION_OF_TYPE:
                rid, _, fallbacks = self._rotation_candidates(event, day)
                rotation_emp = self.employees.get(rid) if rid is not None else None
                rotation_ok = (
                    rotation_emp is not None
                    and rotation_emp.unavailable(day) is None
                    and rotation_emp.qualifies(event.type)
                )
                allowed = set(([rid] if rotation_ok else []) + fallbacks)
            else:
                allowed = self.eligible_set[(event.type, day)]
            for emp_id in holders:
                if emp_id not in allowed:
                    continue
                code, _ = self._fit(emp_id, day, event.minutes)
                if code is None:  # free after all (a bump elsewhere made room)
                    return self._schedule(event)
                if code == WEEKLY_LIMIT:  # any day of the week frees the weekly count
                    refs = self.week_items.get((emp_id, week), ())
                else:
                    refs = [b[2] for b in self.slots.get((emp_id, day), ())]
                victims = [self.items[r] for r in refs if self._bumpable(self.items[r], priority)]
                for victim in victims:
                    start = self._fits_without(emp_id, day, event.minutes, victim)
                    if start is None:
                        continue
                    # Furthest due first, then the earliest day, then the lowest priority, then ids.
                    key = (-victim.due_date.toordinal(), day, tuple(-x for x in _prio_num(victim)), emp_id, victim.ref)
                    if best is None or key < best[0]:
                        best = (key, emp_id, day, start, victim)
        if best is None:
            return False
        _, emp_id, day, _start, victim = best
        self._take(victim.ref)
        self.bumped.add(victim.ref)
        self._refresh_holder(victim.employee_id, self._week(victim.day))
        start = _first_fit(self.slots[(emp_id, day)], self.window_start, self.window_end, event.minutes)
        fallback = False
        if event.type in ROTATION_OF_TYPE:
            rid, _, _ = self._rotation_candidates(event, day)
            fallback = emp_id != rid
        swap_reason = (
            f"#{event.ref} ({event.type}, due {event.due_date}) had no other place; it takes "
            f"{self.employees[emp_id].label}'s slot on {fmt_day(day)} from #{victim.ref} ({victim.type}, due "
            f"{victim.due_date}, {(victim.due_date - self.today).days} days away — the furthest due of the "
            f"lower-priority assignments that make room)"
        )
        if fallback:
            label = ROTATION_LABEL[ROTATION_OF_TYPE[event.type]]
            reason = f"{self.employees[emp_id].label} is qualified for {label} — {FALLBACK_FLAG}; by a swap"
            self._warn(day, ROTATION_OF_TYPE[event.type], f"the {label} on {fmt_day(day)} could not take #{event.ref}")
        elif event.type in ROTATION_OF_TYPE:
            reason = f"{self.employees[emp_id].label} is the day's {ROTATION_LABEL[ROTATION_OF_TYPE[event.type]]}"
        else:
            reason = f"qualified for {event.type}; free on {fmt_day(day)} once #{victim.ref} is moved"
        self._place(
            event,
            emp_id,
            day,
            start,
            phase="repair",
            reason=reason,
            is_fallback=fallback,
            is_swap=True,
            bumped_ref=victim.ref,
            swap_reason=swap_reason,
        )
        # The bumped event goes elsewhere if it can (no further bumping).
        if victim.source == "booking":
            self.bumped_bookings.append(victim.ref)
            moved = self._booking_event(victim.ref)
        else:
            moved = self.events[victim.ref]
        if self._schedule(moved):
            item = self.items[victim.ref]
            item.phase = "repair"
            item.reason = f"moved after being bumped by #{event.ref}: {item.reason}"
        else:
            _code, why = self.unscheduled[victim.ref]
            self.unscheduled[victim.ref] = (BUMPED, f"bumped by #{event.ref} (a swap); no other place: {why}")
        return True

    def _booking_event(self, ref: int) -> Event:
        for booking in self.p.bookings:
            if booking.event_ref == ref:
                return booking.as_event()
        raise KeyError(ref)
