"""Catch-up suggestions (SPEC §1): pure — no Django, no ORM, no clock.

Given the day's schedule, its labour rules and ``now``, ``generate`` returns what a 1st AD
could do to catch up, each with its impact, the minutes it would recover and — for the
moves that touch a labour rule — a compliance warning. It reads the numbers from
``timeline.project`` and the meal clock from ``labour``.

- The overrun = how far the projected wrap runs past the target wrap (the extended wrap if the
  day was extended, else the planned wrap, else the schedule's planned end). The catch-up types
  (break shortening, walking lunch, skip activity, scene consolidation, schedule reordering,
  scene cut, scene move, extend day) are proposed only while the overrun is ≥
  ``trigger_minutes_behind``, and none claims to recover more than the overrun: once the day is
  back on time they stop.
- Every catch-up move is tried on the projected day: one that costs meal penalties (a meal
  pushed past due + grace, or a stretch without a real meal made longer) carries the compliance
  flag and says how many. Break shortening, walking lunch and extend day always carry it.
- Warnings, with their own triggers: meal penalty (the meal the clock runs towards now — the
  first or a later one — not started by its due time − the meal trigger), wrap extension
  (projected wrap past the target wrap + the wrap trigger, or past call + max_day_hours) and
  turnaround (projected rest before the next shoot day's call short of ``turnaround_hours``).
  Each carries a ``severity`` in minutes; a dismissed warning comes back when it gets worse by
  at least ``rearm_minutes`` (its trigger).
- Impact of a catch-up move: high when it recovers all of the overrun, medium when at least
  half of it, low otherwise. Warnings: high once the rule is broken / about to be, medium before.
- Set changes are estimated at ``SET_CHANGE_MINUTES`` each (a change of location at
  ``LOCATION_CHANGE_MINUTES``): consolidation and reordering recover the changes they save.

Each proposal has a ``target`` ("item:12", "day", "meal:2", ...): a session holds at most one
proposal per (type, target).

Why one module past ~450 lines: it is one algorithm read top to bottom — the inputs, the shared
arithmetic, ``generate``, then one section per proposal family (moves, then warnings) that each
call back into the same private helpers and the projected meal clock. Split, every family
module would import most of the others' private helpers, and the house-style purity check
(tests/core) covers exactly this module.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, tzinfo

from hotset import labour, timeline

SET_CHANGE_MINUTES = 10
LOCATION_CHANGE_MINUTES = 30

BREAK_SHORTENING = "break_shortening"
WALKING_LUNCH = "walking_lunch"
SKIP_ACTIVITY = "skip_activity"
SCENE_CONSOLIDATION = "scene_consolidation"
SCHEDULE_REORDERING = "schedule_reordering"
SCENE_CUT = "scene_cut"
SCENE_MOVE = "scene_move"
EXTEND_DAY = "extend_day"
MEAL_PENALTY_WARNING = "meal_penalty_warning"
WRAP_EXTENSION_WARNING = "wrap_extension_warning"

CATCH_UP_TYPES = (
    BREAK_SHORTENING,
    WALKING_LUNCH,
    SKIP_ACTIVITY,
    SCENE_CONSOLIDATION,
    SCHEDULE_REORDERING,
    SCENE_CUT,
    SCENE_MOVE,
    EXTEND_DAY,
)
TURNAROUND_WARNING = "turnaround_warning"
WARNING_TYPES = (MEAL_PENALTY_WARNING, WRAP_EXTENSION_WARNING, TURNAROUND_WARNING)
COMPLIANCE_TYPES = (BREAK_SHORTENING, WALKING_LUNCH, EXTEND_DAY)

LOW, MEDIUM, HIGH = "low", "medium", "high"

SCENE = "scene"
MEAL = "meal"
ACTIVITY = "activity"


@dataclass(frozen=True, slots=True)
class Rules(labour.Rules):
    """The project's labour rules (labour.Rules) and its suggestion triggers (HotSetSettings)."""

    trigger_minutes_behind: int = 15
    meal_penalty_trigger_minutes: int = 30
    wrap_extension_trigger_minutes: int = 30

    def labour(self) -> labour.Rules:
        return self


@dataclass(frozen=True, slots=True)
class Entry:
    """A schedule item with what the suggestions need besides the timeline maths."""

    item: timeline.Item
    kind: str = SCENE  # scene | block
    block_type: str = ""
    label: str = ""
    set_name: str = ""
    location: str = ""
    pages_eighths: int = 0

    @property
    def id(self) -> int:
        return self.item.id

    @property
    def status(self) -> str:
        return self.item.status

    @property
    def pending(self) -> bool:
        return self.item.status == timeline.PENDING

    @property
    def is_scene(self) -> bool:
        return self.kind == SCENE


@dataclass(frozen=True, slots=True)
class OtherDay:
    """A later shoot day of the project a scene could move to."""

    id: int
    day_number: int
    date: str  # ISO date


@dataclass(frozen=True, slots=True)
class Day:
    entries: tuple[Entry, ...]
    call_time: datetime  # general call (the planned timeline starts here)
    planned_wrap: datetime | None = None  # the day's planned wrap (None: the schedule's planned end)
    crew_call_at: datetime | None = None  # confirmed crew call (labour rules count from it)
    later_days: tuple[OtherDay, ...] = ()
    tz: tzinfo | None = None  # for the times in the texts
    extended_wrap: datetime | None = None  # "extend day" applied: the new target wrap
    next_call: datetime | None = None  # the project's next shoot day's call (turnaround)

    @property
    def clock_start(self) -> datetime:
        """Where the labour clocks start: the confirmed crew call, else the general call."""
        return self.crew_call_at or self.call_time


@dataclass(frozen=True, slots=True)
class Proposal:
    type: str
    target: str
    impact: str
    minutes_recoverable: int
    title: str
    description: str = ""
    compliance_flag: bool = False
    compliance_warning: str = ""
    payload: dict = field(default_factory=dict)
    severity: int = 0  # warnings: how bad, in minutes (a dismissed one re-arms when it grows)
    rearm_minutes: int = 0  # warnings: by how much it must grow to come back once dismissed

    @property
    def key(self) -> tuple[str, str]:
        return (self.type, self.target)


@dataclass(frozen=True, slots=True)
class Result:
    behind_minutes: int  # the overrun: projected wrap past the target wrap (0 when on time)
    projection: timeline.Projection
    proposals: tuple[Proposal, ...]


# --- helpers ---------------------------------------------------------------------------------


def impact_for(recoverable: int, behind: int) -> str:
    """High when it recovers the whole delay, medium when at least half, low otherwise."""
    if behind <= 0 or recoverable >= behind:
        return HIGH
    if 2 * recoverable >= behind:
        return MEDIUM
    return LOW


def _hm(moment: datetime, tz: tzinfo | None) -> str:
    return (moment.astimezone(tz) if tz is not None else moment).strftime("%H:%M")


def _day_hm(moment: datetime, tz: tzinfo | None) -> str:
    return (moment.astimezone(tz) if tz is not None else moment).strftime("%a %H:%M")


def duration(total_minutes: int) -> str:
    """475 → "7 h 55 min", 60 → "1 h", 45 → "45 min"."""
    hours, rest = divmod(abs(total_minutes), 60)
    sign = "−" if total_minutes < 0 else ""
    if not hours:
        return f"{sign}{rest} min"
    return f"{sign}{hours} h {rest} min" if rest else f"{sign}{hours} h"


def _penalties_text(count: int) -> str:
    return f"{count} meal penalty" if count == 1 else f"{count} meal penalties"


def target_wrap(day: Day, proj: timeline.Projection) -> datetime | None:
    """The wrap the day aims at: extended, else planned, else the schedule's planned end."""
    return day.extended_wrap or day.planned_wrap or proj.planned_end


def overrun_minutes(day: Day, proj: timeline.Projection) -> int:
    """Minutes the projected wrap runs past the target wrap (0 when on time or early)."""
    target = target_wrap(day, proj)
    if target is None or proj.projected_wrap is None:
        return 0
    return max(0, timeline.minutes(proj.projected_wrap - target))


def _set_key(entry: Entry) -> tuple[str, str]:
    return (entry.location.strip().lower(), entry.set_name.strip().lower())


def change_cost(previous: Entry | None, scenes: Sequence[Entry]) -> int:
    """Estimated minutes spent changing set / location along ``scenes`` (after ``previous``)."""
    cost = 0
    before = previous
    for scene in scenes:
        if before is not None:
            (loc_a, set_a), (loc_b, set_b) = _set_key(before), _set_key(scene)
            if loc_a != loc_b:
                cost += LOCATION_CHANGE_MINUTES
            elif set_a != set_b:
                cost += SET_CHANGE_MINUTES
        before = scene
    return cost


def grouped(previous: Entry | None, scenes: Sequence[Entry]) -> list[Entry]:
    """``scenes`` grouped by location, then set, in order of first appearance (stable within a
    group); the group of ``previous`` (the scene shooting or last shot) comes first."""
    order: dict[tuple[str, str], int] = {}
    loc_order: dict[str, int] = {}
    if previous is not None:
        loc_order[_set_key(previous)[0]] = 0
        order[_set_key(previous)] = 0
    for scene in scenes:
        loc, _ = key = _set_key(scene)
        loc_order.setdefault(loc, len(loc_order))
        order.setdefault(key, len(order))
    return sorted(scenes, key=lambda s: (loc_order[_set_key(s)[0]], order[_set_key(s)]))


def fill_order(entries: Sequence[Entry], scene_order: Sequence[Entry]) -> list[int]:
    """All item ids in order, the pending scenes' slots filled with ``scene_order``."""
    queue = iter(scene_order)
    return [next(queue).id if (e.pending and e.is_scene) else e.id for e in entries]


def _anchor(entries: Sequence[Entry]) -> Entry | None:
    """The scene shooting now, else the last scene shot (the set the crew is on)."""
    current = [e for e in entries if e.is_scene and e.status == timeline.IN_PROGRESS]
    if current:
        return current[-1]
    done = [e for e in entries if e.is_scene and e.status == timeline.COMPLETED]
    return done[-1] if done else None


# --- the generator -----------------------------------------------------------------------------


def generate(day: Day, rules: Rules, *, now: datetime) -> Result:
    """Every suggestion that applies to ``day`` at ``now`` (catch-up moves only while the
    projected wrap overruns the target wrap by the trigger)."""
    entries = list(day.entries)
    items = [e.item for e in entries]
    proj = timeline.project(items, call_time=day.call_time, now=now, crew_call_at=day.crew_call_at)
    overrun = overrun_minutes(day, proj)
    out: list[Proposal] = []
    if overrun >= rules.trigger_minutes_behind and overrun > 0:
        moves = [
            *_breaks(entries, rules, overrun),
            *_activities(entries, overrun),
            *_set_moves(entries, overrun),
            *_scene_cut_and_move(entries, day, overrun),
            *_extend_day(day, rules, proj, overrun),
        ]
        before = meal_periods(entries, day, rules, now)
        out += [_within_overrun(_meal_checked(p, entries, day, rules, now, before), overrun) for p in moves]
    out += _meal_warning(entries, day, rules, proj, now)
    out += _wrap_warning(day, rules, proj)
    out += _turnaround_warning(day, rules, proj)
    return Result(behind_minutes=overrun, projection=proj, proposals=tuple(out))


def _within_overrun(proposal: Proposal, overrun: int) -> Proposal:
    """No move claims more than the overrun: recovering 60 min of a 20-min overrun recovers 20."""
    recoverable = min(proposal.minutes_recoverable, overrun)
    return replace(proposal, minutes_recoverable=recoverable, impact=impact_for(recoverable, overrun))


# --- what a move does to the meal clock ---------------------------------------------------------


def apply_to(proposal: Proposal, entries: Sequence[Entry]) -> list[Entry]:
    """The day's entries as they would be once ``proposal`` is applied (extend day and the
    warnings change no item)."""
    payload = proposal.payload
    item_id = payload.get("item_id")
    if proposal.type in (BREAK_SHORTENING, WALKING_LUNCH):
        return [
            replace(e, item=replace(e.item, planned_minutes=payload["to_minutes"])) if e.id == item_id else e
            for e in entries
        ]
    if proposal.type in (SKIP_ACTIVITY, SCENE_CUT):
        return [replace(e, item=replace(e.item, status=timeline.SKIPPED)) if e.id == item_id else e for e in entries]
    if proposal.type == SCENE_MOVE:
        return [e for e in entries if e.id != item_id]
    if proposal.type in (SCENE_CONSOLIDATION, SCHEDULE_REORDERING):
        by_id = {e.id: e for e in entries}
        order = fill_order(entries, [by_id[i] for i in payload["new_scene_ids"]])
        return [by_id[i] for i in order]
    return list(entries)


def meal_periods(entries: Sequence[Entry], day: Day, rules: Rules, now: datetime) -> list[labour.MealPeriod]:
    """The meal clock of the day as projected at ``now`` (meals at their projected times)."""
    items = [e.item for e in entries]
    projected = timeline.projected_timeline(items, day.call_time, now)
    wrap = max((interval.end for interval in projected), default=now)
    meals = labour.meals_of(items, [e.block_type for e in entries], projected)
    return labour.meal_periods(
        clock_start=day.clock_start, meals=meals, end=max(wrap, day.clock_start), rules=rules.labour()
    )


def _meal_checked(
    proposal: Proposal,
    entries: Sequence[Entry],
    day: Day,
    rules: Rules,
    now: datetime,
    before: list[labour.MealPeriod],
) -> Proposal:
    """Flags a move that would cost meal penalties, saying how many and where."""
    after = meal_periods(apply_to(proposal, entries), day, rules, now)
    added = labour.total_penalties(after) - labour.total_penalties(before)
    if added <= 0:
        return proposal
    worse = next(
        (p for p in after if p.penalties > next((b.penalties for b in before if b.number == p.number), 0)), after[-1]
    )
    where = (
        f"meal {worse.number} would start at {_hm(worse.meal.start, day.tz)}"
        if worse.meal is not None
        else f"no real meal {worse.number} before wrap"
    )
    text = (
        f"Meal penalties: this costs {_penalties_text(added)} — {where}, past its due time "
        f"{_hm(worse.due_at, day.tz)} + {rules.grace_minutes} min grace."
    )
    warning = f"{proposal.compliance_warning} {text}".strip()
    return replace(
        proposal,
        compliance_flag=True,
        compliance_warning=warning,
        payload={**proposal.payload, "meal_penalties_added": added},
    )


def _meal_rule(rules: Rules) -> str:
    return (
        f"Meal rule: a meal break of at least {rules.meal_minutes} min is due within "
        f"{rules.meal_due_hours_after_call} h of call (grace {rules.grace_minutes} min); "
        f"then a meal penalty every {rules.meal_penalty_interval_minutes} min."
    )


def _breaks(entries: list[Entry], rules: Rules, behind: int) -> list[Proposal]:
    out = []
    for e in entries:
        if not (e.pending and e.kind == "block" and e.block_type == MEAL):
            continue
        planned = e.item.planned_minutes
        shortened = max(rules.meal_minutes, planned - behind)
        if shortened < planned:
            saved = planned - shortened
            out.append(
                Proposal(
                    type=BREAK_SHORTENING,
                    target=f"item:{e.id}",
                    impact=impact_for(saved, behind),
                    minutes_recoverable=saved,
                    title=f"Shorten {e.label or 'the meal'} to {shortened} min",
                    description=f"{e.label or 'Meal'}: {planned} → {shortened} min (saves {saved} min).",
                    compliance_flag=True,
                    compliance_warning=(
                        f"{_meal_rule(rules)} Shortening the break needs the crew's consent "
                        "(and the union's, where it applies)."
                    ),
                    payload={"item_id": e.id, "from_minutes": planned, "to_minutes": shortened},
                )
            )
        if planned > 0:
            out.append(
                Proposal(
                    type=WALKING_LUNCH,
                    target=f"item:{e.id}",
                    impact=impact_for(planned, behind),
                    minutes_recoverable=planned,
                    title=f"Walking lunch instead of {e.label or 'the meal'}",
                    description=f"Keep shooting while the crew eats in turns (saves {planned} min).",
                    compliance_flag=True,
                    compliance_warning=(
                        f"{_meal_rule(rules)} A walking lunch is not a meal break: it needs the crew's "
                        "consent, is paid as work time, and meal penalties still run until a real break."
                    ),
                    payload={"item_id": e.id, "from_minutes": planned, "to_minutes": 0},
                )
            )
    return out


def _activities(entries: list[Entry], behind: int) -> list[Proposal]:
    out = []
    for e in entries:
        if e.pending and e.kind == "block" and e.block_type == ACTIVITY and e.item.planned_minutes > 0:
            saved = e.item.planned_minutes
            out.append(
                Proposal(
                    type=SKIP_ACTIVITY,
                    target=f"item:{e.id}",
                    impact=impact_for(saved, behind),
                    minutes_recoverable=saved,
                    title=f"Skip {e.label or 'the activity'}",
                    description=f"Drop the {saved}-minute activity from today's schedule.",
                    payload={"item_id": e.id},
                )
            )
    return out


def _set_moves(entries: list[Entry], behind: int) -> list[Proposal]:
    anchor = _anchor(entries)
    scenes = [e for e in entries if e.pending and e.is_scene]
    if len(scenes) < 1 or (anchor is None and len(scenes) < 2):
        return []
    cost_now = change_cost(anchor, scenes)
    out = []
    # Consolidation: bring one later scene back to back with an earlier one on the same set.
    seen: set[tuple[str, str]] = set()
    for k, scene in enumerate(scenes):
        key = _set_key(scene)
        if key in seen or not scene.set_name.strip():
            continue
        chain = ([anchor] if anchor is not None else []) + scenes[:k]
        earlier = [i for i, e in enumerate(chain) if _set_key(e) == key]
        if not earlier:
            continue
        last = earlier[-1]
        if last == len(chain) - 1:
            continue  # already back to back
        # Move ``scene`` right after the last earlier scene on its set.
        rest = scenes[:k] + scenes[k + 1 :]
        # Index in ``rest`` right after chain[last] (with an anchor, chain[0] is the anchor).
        insert_at = last if anchor is not None else last + 1
        new_scenes = rest[:insert_at] + [scene] + rest[insert_at:]
        saved = cost_now - change_cost(anchor, new_scenes)
        if saved <= 0:
            continue
        seen.add(key)
        partner = chain[last]
        out.append(
            Proposal(
                type=SCENE_CONSOLIDATION,
                target=f"item:{scene.id}",
                impact=impact_for(saved, behind),
                minutes_recoverable=saved,
                title=f"Shoot {scene.label} right after {partner.label} ({scene.set_name})",
                description=f"Same set back to back: one set change fewer (about {saved} min).",
                payload={
                    "item_id": scene.id,
                    "after_item_id": partner.id,
                    "scene_ids": [s.id for s in scenes],
                    "new_scene_ids": [s.id for s in new_scenes],
                },
            )
        )
    # Reordering: group every pending scene by location and set.
    regrouped = grouped(anchor, scenes)
    saved = cost_now - change_cost(anchor, regrouped)
    if saved > 0 and [s.id for s in regrouped] != [s.id for s in scenes]:
        out.append(
            Proposal(
                type=SCHEDULE_REORDERING,
                target="session",
                impact=impact_for(saved, behind),
                minutes_recoverable=saved,
                title="Group the remaining scenes by location and set",
                description="New order: " + ", ".join(s.label for s in regrouped) + f" (saves about {saved} min).",
                payload={"scene_ids": [s.id for s in scenes], "new_scene_ids": [s.id for s in regrouped]},
            )
        )
    return out


def _pick_scene(scenes: list[Entry], behind: int) -> Entry | None:
    """The shortest pending scene that recovers the whole delay, else the longest one."""
    covering = [s for s in scenes if s.item.planned_minutes >= behind]
    if covering:
        return min(covering, key=lambda s: (s.item.planned_minutes, -s.item.id))
    return max(scenes, key=lambda s: (s.item.planned_minutes, s.item.id), default=None)


def _pages(eighths: int) -> str:
    whole, rest = divmod(eighths, 8)
    if not rest:
        return f"{whole}"
    return f"{whole} {rest}/8" if whole else f"{rest}/8"


def _scene_cut_and_move(entries: list[Entry], day: Day, behind: int) -> list[Proposal]:
    scenes = [e for e in entries if e.pending and e.is_scene and e.item.planned_minutes > 0]
    scene = _pick_scene(scenes, behind)
    if scene is None:
        return []
    saved = scene.item.planned_minutes
    impact = impact_for(saved, behind)
    what = f"{scene.label} ({saved} min, {_pages(scene.pages_eighths)} pages)"
    out = [
        Proposal(
            type=SCENE_CUT,
            target=f"item:{scene.id}",
            impact=impact,
            minutes_recoverable=saved,
            title=f"Cut {scene.label}",
            description=f"Drop {what}; check with the director and script.",
            payload={"item_id": scene.id},
        )
    ]
    target = day.later_days[0] if day.later_days else None
    where = f"day {target.day_number} ({target.date})" if target else "another day (pick one when applying)"
    out.append(
        Proposal(
            type=SCENE_MOVE,
            target=f"item:{scene.id}",
            impact=impact,
            minutes_recoverable=saved,
            title=f"Move {scene.label} to {where}",
            description=f"Take {what} off today and schedule it on {where}.",
            payload={"item_id": scene.id, "production_day_id": target.id if target else None},
        )
    )
    return out


def _extend_day(day: Day, rules: Rules, proj: timeline.Projection, behind: int) -> list[Proposal]:
    target = target_wrap(day, proj)
    if target is None or proj.projected_wrap is None or proj.projected_wrap <= target:
        return []
    # Never past 24 h after call (a shoot day's wrap must stay within it).
    new_wrap = min(proj.projected_wrap, day.call_time + timedelta(hours=24))
    extra = timeline.minutes(new_wrap - target)
    if extra <= 0:
        return []
    max_end = day.clock_start + timedelta(hours=rules.max_day_hours)
    beyond = new_wrap > max_end
    warning = (
        f"Overtime rule: extending the day past the planned wrap ({_hm(target, day.tz)}) is overtime "
        f"and needs the crew's consent; the maximum day is {rules.max_day_hours} h after call "
        f"({_hm(max_end, day.tz)})" + (" — this extension goes beyond it" if beyond else "") + "."
    )
    rest = labour.turnaround(wrap=new_wrap, next_call=day.next_call, rules=rules.labour())
    if rest is None:
        warning += f" The {rules.turnaround_hours} h turnaround before the next call still applies."
    elif rest.short_by_minutes:
        warning += (
            f" Turnaround: wrapping at {_hm(new_wrap, day.tz)} leaves {duration(rest.rest_minutes)} before the next "
            f"call ({_hm(rest.next_call, day.tz)}), {duration(rest.short_by_minutes)} short of the "
            f"{rules.turnaround_hours} h rule."
        )
    else:
        warning += (
            f" Turnaround: {duration(rest.rest_minutes)} before the next call ({_hm(rest.next_call, day.tz)}), "
            f"within the {rules.turnaround_hours} h rule."
        )
    return [
        Proposal(
            type=EXTEND_DAY,
            target="day",
            impact=impact_for(extra, behind),
            minutes_recoverable=extra,
            title=f"Extend the day by {duration(extra)} (wrap {_hm(new_wrap, day.tz)})",
            description=f"Move the target wrap from {_hm(target, day.tz)} to {_hm(new_wrap, day.tz)}; "
            "the planned wrap stays on record for overtime.",
            compliance_flag=True,
            compliance_warning=warning,
            payload={
                "from_wrap": target.isoformat(),
                "to_wrap": new_wrap.isoformat(),
                "beyond_max_day": beyond,
                "turnaround_short_by_minutes": rest.short_by_minutes if rest else None,
            },
        )
    ]


def meal_due(day: Day, rules: Rules) -> datetime:
    """When the first meal is due."""
    return day.clock_start + timedelta(hours=rules.meal_due_hours_after_call)


def _meal_warning(
    entries: list[Entry], day: Day, rules: Rules, proj: timeline.Projection, now: datetime
) -> list[Proposal]:
    """The meal the clock runs towards now (the first, or a later one) is due soon or overdue."""
    started = labour.started_meals([e.item for e in entries])
    period = labour.open_period(meal_periods(entries, day, rules, now), started)
    if now < period.due_at - timedelta(minutes=rules.meal_penalty_trigger_minutes):
        return []
    overdue = now >= period.due_at
    which = "Meal" if period.number == 1 else f"Meal {period.number}"
    if period.meal is not None:
        when = f"the meal is projected to start at {_hm(period.meal.start, day.tz)}"
    else:
        when = "no real meal is scheduled before wrap"
    since = "call" if period.number == 1 else "the last meal"
    text = (
        f"{which} due at {_hm(period.due_at, day.tz)} ({rules.meal_due_hours_after_call} h after {since}); penalties "
        f"from {_hm(period.penalty_at, day.tz)} ({rules.grace_minutes} min grace), then every "
        f"{rules.meal_penalty_interval_minutes} min; {when}"
        + (f": {_penalties_text(period.penalties)}." if period.penalties else ".")
    )
    return [
        Proposal(
            type=MEAL_PENALTY_WARNING,
            target=f"meal:{period.number}",
            impact=HIGH if overdue or period.penalties else MEDIUM,
            minutes_recoverable=0,
            title=f"{which} {'overdue' if overdue else 'due soon'} — due {_hm(period.due_at, day.tz)}",
            description=text,
            payload={
                "meal_number": period.number,
                "meal_due": period.due_at.isoformat(),
                "penalty_from": period.penalty_at.isoformat(),
                "projected_meal_start": period.meal.start.isoformat() if period.meal else None,
                "projected_penalties": period.penalties,
                "overdue": overdue,
            },
            severity=period.late_minutes,
            rearm_minutes=max(1, rules.meal_penalty_trigger_minutes),
        )
    ]


def _wrap_warning(day: Day, rules: Rules, proj: timeline.Projection) -> list[Proposal]:
    planned_wrap = target_wrap(day, proj)
    wrap = proj.projected_wrap
    if planned_wrap is None or wrap is None:
        return []
    max_end = day.clock_start + timedelta(hours=rules.max_day_hours)
    past_planned = wrap > planned_wrap + timedelta(minutes=rules.wrap_extension_trigger_minutes)
    past_max = wrap > max_end
    if not (past_planned or past_max):
        return []
    over = timeline.minutes(wrap - planned_wrap)
    what = "extended" if day.extended_wrap else "planned"
    parts = []
    if past_planned:
        parts.append(f"{duration(over)} past the {what} wrap {_hm(planned_wrap, day.tz)}")
    if past_max:
        parts.append(f"past the {rules.max_day_hours} h maximum day ({_hm(max_end, day.tz)})")
    text = f"Projected wrap {_hm(wrap, day.tz)} is " + " and ".join(parts)
    return [
        Proposal(
            type=WRAP_EXTENSION_WARNING,
            target="wrap:max_day" if past_max else "wrap:planned",
            impact=HIGH if past_max else MEDIUM,
            minutes_recoverable=0,
            title=f"Wrap running late — projected {_hm(wrap, day.tz)}",
            description=text + ".",
            payload={
                "planned_wrap": planned_wrap.isoformat(),
                "projected_wrap": wrap.isoformat(),
                "minutes_over": over,
                "max_day_end": max_end.isoformat(),
                "past_max_day": past_max,
            },
            severity=timeline.minutes(wrap - max_end) if past_max else over,
            rearm_minutes=max(1, rules.wrap_extension_trigger_minutes),
        )
    ]


def _turnaround_warning(day: Day, rules: Rules, proj: timeline.Projection) -> list[Proposal]:
    """The projected wrap leaves less rest than ``turnaround_hours`` before the next call."""
    rest = labour.turnaround(wrap=proj.projected_wrap, next_call=day.next_call, rules=rules.labour())
    if rest is None or rest.short_by_minutes <= 0:
        return []
    return [
        Proposal(
            type=TURNAROUND_WARNING,
            target="turnaround",
            impact=HIGH,
            minutes_recoverable=0,
            title=f"Turnaround short by {duration(rest.short_by_minutes)}",
            description=(
                f"Projected wrap {_hm(proj.projected_wrap, day.tz)} leaves {duration(rest.rest_minutes)} before the "
                f"next call ({_day_hm(rest.next_call, day.tz)}); the rule is {rules.turnaround_hours} h: wrap earlier "
                "or move the next call."
            ),
            payload={
                "projected_wrap": proj.projected_wrap.isoformat(),
                "next_call": rest.next_call.isoformat(),
                "rest_minutes": rest.rest_minutes,
                "short_by_minutes": rest.short_by_minutes,
            },
            severity=rest.short_by_minutes,
            rearm_minutes=max(1, rules.wrap_extension_trigger_minutes),
        )
    ]
