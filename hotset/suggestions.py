"""Catch-up suggestions (SPEC §1): pure — no Django, no ORM, no clock.

Given the day's schedule, its labour rules and ``now``, ``generate`` returns what a 1st AD
could do to catch up, each with its impact, the minutes it would recover and — for the
moves that touch a labour rule — a compliance warning. It reads the numbers from
``timeline.project``.

- "Behind" = the larger of the real-time deviation behind schedule and the minutes the
  projected wrap runs past the schedule's planned end. The catch-up types (break shortening,
  walking lunch, skip activity, scene consolidation, schedule reordering, scene cut, scene
  move, extend day) are proposed only when behind ≥ ``trigger_minutes_behind``.
- The two warnings have their own triggers and are raised whenever they hold:
  meal penalty warning — no meal started by call + meal_due_hours − meal trigger;
  wrap extension warning — projected wrap past planned wrap + wrap trigger, or past
  call + max_day_hours.
- Impact of a catch-up move: high when it recovers all of the delay, medium when at least
  half of it, low otherwise. Warnings: high once the rule is broken / about to be
  (meal overdue, past the maximum day), medium before.
- Set changes are estimated at ``SET_CHANGE_MINUTES`` each (a change of location at
  ``LOCATION_CHANGE_MINUTES``): consolidation and reordering recover the changes they save.

Each proposal has a ``target`` ("item:12", "day", "meal:overdue", ...): a session holds at
most one proposal per (type, target).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo

from hotset import timeline

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
WARNING_TYPES = (MEAL_PENALTY_WARNING, WRAP_EXTENSION_WARNING)
COMPLIANCE_TYPES = (BREAK_SHORTENING, WALKING_LUNCH, EXTEND_DAY)

LOW, MEDIUM, HIGH = "low", "medium", "high"

SCENE = "scene"
MEAL = "meal"
ACTIVITY = "activity"


@dataclass(frozen=True, slots=True)
class Rules:
    """The project's suggestion triggers and labour rules (HotSetSettings)."""

    trigger_minutes_behind: int = 15
    meal_penalty_trigger_minutes: int = 30
    wrap_extension_trigger_minutes: int = 30
    meal_due_hours_after_call: int = 6
    meal_minutes: int = 30
    grace_minutes: int = 12
    meal_penalty_interval_minutes: int = 30
    max_day_hours: int = 12
    turnaround_hours: int = 10


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

    @property
    def key(self) -> tuple[str, str]:
        return (self.type, self.target)


@dataclass(frozen=True, slots=True)
class Result:
    behind_minutes: int
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


def behind_minutes(projection: timeline.Projection) -> int:
    """Minutes behind schedule (0 when on time or ahead)."""
    return max(0, -projection.realtime_deviation_minutes, -projection.wrap_variance_minutes)


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
    """Every suggestion that applies to ``day`` at ``now`` (catch-up moves only when behind)."""
    entries = list(day.entries)
    items = [e.item for e in entries]
    proj = timeline.project(items, call_time=day.call_time, now=now)
    behind = behind_minutes(proj)
    out: list[Proposal] = []
    if behind >= rules.trigger_minutes_behind and behind > 0:
        out += _breaks(entries, rules, behind)
        out += _activities(entries, behind)
        out += _set_moves(entries, behind)
        out += _scene_cut_and_move(entries, day, behind)
        out += _extend_day(day, rules, proj, behind)
    out += _meal_warning(entries, day, rules, proj, now)
    out += _wrap_warning(day, rules, proj)
    return Result(behind_minutes=behind, projection=proj, proposals=tuple(out))


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


def _planned_wrap(day: Day, proj: timeline.Projection) -> datetime | None:
    return day.planned_wrap or proj.planned_end


def _extend_day(day: Day, rules: Rules, proj: timeline.Projection, behind: int) -> list[Proposal]:
    planned_wrap = _planned_wrap(day, proj)
    if planned_wrap is None or proj.projected_wrap is None or proj.projected_wrap <= planned_wrap:
        return []
    # Never past 24 h after call (a shoot day's wrap must stay within it).
    new_wrap = min(proj.projected_wrap, day.call_time + timedelta(hours=24))
    extra = timeline.minutes(new_wrap - planned_wrap)
    if extra <= 0:
        return []
    call = day.crew_call_at or day.call_time
    max_end = call + timedelta(hours=rules.max_day_hours)
    beyond = new_wrap > max_end
    warning = (
        f"Overtime rule: extending the day past the planned wrap ({_hm(planned_wrap, day.tz)}) is overtime "
        f"and needs the crew's consent; the maximum day is {rules.max_day_hours} h after call "
        f"({_hm(max_end, day.tz)})"
        + (" — this extension goes beyond it" if beyond else "")
        + f", and the {rules.turnaround_hours} h turnaround before the next call still applies."
    )
    return [
        Proposal(
            type=EXTEND_DAY,
            target="day",
            impact=impact_for(extra, behind),
            minutes_recoverable=extra,
            title=f"Extend the day by {extra} min (wrap {_hm(new_wrap, day.tz)})",
            description=f"Move the planned wrap from {_hm(planned_wrap, day.tz)} to {_hm(new_wrap, day.tz)}.",
            compliance_flag=True,
            compliance_warning=warning,
            payload={
                "from_wrap": planned_wrap.isoformat(),
                "to_wrap": new_wrap.isoformat(),
                "beyond_max_day": beyond,
            },
        )
    ]


def meal_due(day: Day, rules: Rules) -> datetime:
    return (day.crew_call_at or day.call_time) + timedelta(hours=rules.meal_due_hours_after_call)


def _meal_warning(
    entries: list[Entry], day: Day, rules: Rules, proj: timeline.Projection, now: datetime
) -> list[Proposal]:
    meals = [e for e in entries if e.kind == "block" and e.block_type == MEAL]
    if any(e.status in (timeline.IN_PROGRESS, timeline.COMPLETED) for e in meals):
        return []
    due = meal_due(day, rules)
    if now < due - timedelta(minutes=rules.meal_penalty_trigger_minutes):
        return []
    penalty_from = due + timedelta(minutes=rules.grace_minutes)
    projected = {row.id: row for row in proj.items}
    pending = [e for e in meals if e.pending]
    planned_start = projected[pending[0].id].projected.start if pending else None
    overdue = now >= due
    if planned_start is not None:
        when = f"the meal is projected to start at {_hm(planned_start, day.tz)}"
        late = max(0, timeline.minutes(planned_start - due))
    else:
        when = "no meal is scheduled"
        late = max(0, timeline.minutes(now - due))
    penalties = (
        math.ceil(late / rules.meal_penalty_interval_minutes)
        if planned_start is None or planned_start > penalty_from
        else 0
    )
    text = (
        f"Meal due at {_hm(due, day.tz)} ({rules.meal_due_hours_after_call} h after call); penalties from "
        f"{_hm(penalty_from, day.tz)} ({rules.grace_minutes} min grace), then every "
        f"{rules.meal_penalty_interval_minutes} min; {when}."
    )
    return [
        Proposal(
            type=MEAL_PENALTY_WARNING,
            target="meal:overdue" if overdue else "meal:approaching",
            impact=HIGH if overdue or penalties else MEDIUM,
            minutes_recoverable=0,
            title=("Meal overdue" if overdue else "Meal due soon") + f" — due {_hm(due, day.tz)}",
            description=text,
            payload={
                "meal_due": due.isoformat(),
                "penalty_from": penalty_from.isoformat(),
                "projected_meal_start": planned_start.isoformat() if planned_start else None,
                "projected_penalties": penalties,
            },
        )
    ]


def _wrap_warning(day: Day, rules: Rules, proj: timeline.Projection) -> list[Proposal]:
    planned_wrap = _planned_wrap(day, proj)
    wrap = proj.projected_wrap
    if planned_wrap is None or wrap is None:
        return []
    max_end = (day.crew_call_at or day.call_time) + timedelta(hours=rules.max_day_hours)
    past_planned = wrap > planned_wrap + timedelta(minutes=rules.wrap_extension_trigger_minutes)
    past_max = wrap > max_end
    if not (past_planned or past_max):
        return []
    over = timeline.minutes(wrap - planned_wrap)
    parts = []
    if past_planned:
        parts.append(f"{over} min past the planned wrap {_hm(planned_wrap, day.tz)}")
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
        )
    ]
