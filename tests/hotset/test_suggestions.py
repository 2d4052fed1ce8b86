"""hotset/suggestions.py: the catch-up suggestions, pure (no database), with worked numbers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from hotset import suggestions as sg
from hotset import timeline as tl

CALL = datetime(2025, 3, 10, 7, 0, tzinfo=UTC)


def at(hhmm: str) -> datetime:
    hours, mins = hhmm.split(":")
    return CALL.replace(hour=int(hours), minute=int(mins))


def scene(id, minutes, set_name="", status=tl.PENDING, start=None, end=None, location="", pages=0):
    item = tl.Item(id=id, planned_minutes=minutes, status=status, actual_start=start, actual_end=end)
    return sg.Entry(
        item=item, kind="scene", label=f"Sc. {id}", set_name=set_name, location=location, pages_eighths=pages
    )


def block(id, minutes, block_type, status=tl.PENDING, start=None, end=None):
    item = tl.Item(id=id, planned_minutes=minutes, status=status, actual_start=start, actual_end=end)
    return sg.Entry(item=item, kind="block", block_type=block_type, label=block_type.title())


def by_type(result: sg.Result) -> dict[str, list[sg.Proposal]]:
    out: dict[str, list[sg.Proposal]] = {}
    for p in result.proposals:
        out.setdefault(p.type, []).append(p)
    return out


def behind_day(planned_wrap=None, later_days=()):
    """Crew call 07:00–09:30 done; 1A (Kitchen) planned 09:30–10:12 still shooting at 10:30;
    then 2B (Street) 30, meal 60, activity 20, 3C (Kitchen) 60, 4D (Street) 45 → planned end 13:47."""
    entries = (
        block(1, 150, "crew_call", tl.COMPLETED, at("07:00"), at("09:30")),
        scene(2, 42, "Kitchen", tl.IN_PROGRESS, at("09:30"), pages=12),
        scene(3, 30, "Street", pages=6),
        block(4, 60, "meal"),
        block(5, 20, "activity"),
        scene(6, 60, "Kitchen", pages=16),
        scene(7, 45, "Street", pages=5),
    )
    return sg.Day(entries=entries, call_time=CALL, planned_wrap=planned_wrap, later_days=later_days)


def test_behind_18_minutes_proposes_every_catch_up_move_with_worked_numbers():
    day = behind_day(later_days=(sg.OtherDay(id=99, day_number=2, date="2025-03-11"),))
    result = sg.generate(day, sg.Rules(), now=at("10:30"))
    assert result.behind_minutes == 18  # 1A should have ended at 10:12
    found = by_type(result)
    assert set(found) == set(sg.CATCH_UP_TYPES)  # no warning yet: meal due 13:00, wrap on time-ish

    (shorten,) = found[sg.BREAK_SHORTENING]
    assert (shorten.minutes_recoverable, shorten.impact, shorten.payload["to_minutes"]) == (18, "high", 42)
    # No move claims more than the 18-minute overrun, whatever it saves.
    (walking,) = found[sg.WALKING_LUNCH]
    assert (walking.minutes_recoverable, walking.impact, walking.payload["to_minutes"]) == (18, "high", 0)
    assert "saves 60 min" in walking.description
    (activity,) = found[sg.SKIP_ACTIVITY]
    assert (activity.target, activity.minutes_recoverable, activity.impact) == ("item:5", 18, "high")

    # Consolidation: 3C (Kitchen) right after 1A saves 2 set changes; 4D after 2B saves one.
    consolidations = {p.target: p for p in found[sg.SCENE_CONSOLIDATION]}
    assert consolidations["item:6"].minutes_recoverable == 18  # saves 2 × SET_CHANGE_MINUTES = 20
    assert consolidations["item:6"].payload["new_scene_ids"] == [6, 3, 7]
    assert consolidations["item:6"].payload["after_item_id"] == 2
    assert (consolidations["item:7"].minutes_recoverable, consolidations["item:7"].impact) == (10, "medium")
    assert consolidations["item:7"].payload["new_scene_ids"] == [3, 7, 6]

    (reorder,) = found[sg.SCHEDULE_REORDERING]
    assert reorder.payload == {"scene_ids": [3, 6, 7], "new_scene_ids": [6, 3, 7]}
    assert reorder.minutes_recoverable == 18

    # The shortest scene that covers the 18 minutes: 2B (30 min).
    (cut,) = found[sg.SCENE_CUT]
    (move,) = found[sg.SCENE_MOVE]
    assert (cut.target, cut.minutes_recoverable, cut.impact) == ("item:3", 18, "high")
    assert (move.target, move.payload["production_day_id"]) == ("item:3", 99)
    assert "day 2 (2025-03-11)" in move.title

    # Extend day: projected wrap 14:05 vs the schedule's planned end 13:47.
    (extend,) = found[sg.EXTEND_DAY]
    assert extend.minutes_recoverable == 18
    assert extend.payload["to_wrap"] == at("14:05").isoformat()
    assert extend.payload["beyond_max_day"] is False


def test_compliance_flag_and_warning_text_only_on_breaks_and_extend_day():
    result = sg.generate(behind_day(), sg.Rules(), now=at("10:30"))
    for p in result.proposals:
        assert p.compliance_flag == (p.type in sg.COMPLIANCE_TYPES)
        if p.compliance_flag:
            assert "consent" in p.compliance_warning
    found = by_type(result)
    assert "Meal rule" in found[sg.BREAK_SHORTENING][0].compliance_warning
    assert "within 6 h of call" in found[sg.WALKING_LUNCH][0].compliance_warning
    assert "Overtime rule" in found[sg.EXTEND_DAY][0].compliance_warning
    assert "12 h after call (19:00)" in found[sg.EXTEND_DAY][0].compliance_warning


def test_below_the_trigger_nothing_is_proposed():
    # At 10:26 the day is 14 min behind: under the 15-minute trigger.
    result = sg.generate(behind_day(), sg.Rules(), now=at("10:26"))
    assert result.behind_minutes == 14
    assert result.proposals == ()
    # A lower trigger proposes.
    assert sg.generate(behind_day(), sg.Rules(trigger_minutes_behind=10), now=at("10:26")).proposals


def test_a_meal_at_the_minimum_is_not_shortened_but_may_become_a_walking_lunch():
    entries = (scene(1, 60, status=tl.IN_PROGRESS, start=at("07:00")), block(2, 30, "meal"), scene(3, 30))
    result = sg.generate(sg.Day(entries=entries, call_time=CALL), sg.Rules(), now=at("08:30"))
    found = by_type(result)
    assert result.behind_minutes == 30
    assert sg.BREAK_SHORTENING not in found
    assert found[sg.WALKING_LUNCH][0].minutes_recoverable == 30


def test_break_shortening_stops_at_the_meal_minimum():
    entries = (scene(1, 60, status=tl.IN_PROGRESS, start=at("07:00")), block(2, 60, "meal"), scene(3, 30))
    found = by_type(sg.generate(sg.Day(entries=entries, call_time=CALL), sg.Rules(), now=at("09:00")))
    (shorten,) = found[sg.BREAK_SHORTENING]  # 60 behind, but the meal keeps its 30 minutes
    assert (shorten.payload["to_minutes"], shorten.minutes_recoverable, shorten.impact) == (30, 30, "medium")


def test_scene_cut_falls_back_to_the_longest_scene_when_none_covers_the_delay():
    entries = (scene(1, 60, status=tl.IN_PROGRESS, start=at("07:00")), scene(2, 10), scene(3, 25), scene(4, 5))
    found = by_type(sg.generate(sg.Day(entries=entries, call_time=CALL), sg.Rules(), now=at("09:00")))
    (cut,) = found[sg.SCENE_CUT]
    assert (cut.target, cut.minutes_recoverable, cut.impact) == ("item:3", 25, "low")  # 25 of 60 behind
    (move,) = found[sg.SCENE_MOVE]
    assert move.payload["production_day_id"] is None  # no later day: pick one when applying


def test_scenes_already_back_to_back_are_not_consolidated():
    entries = (
        scene(1, 60, "Kitchen", tl.IN_PROGRESS, at("07:00")),
        scene(2, 30, "Kitchen"),
        scene(3, 30, "Street"),
        scene(4, 30, "Street"),
    )
    found = by_type(sg.generate(sg.Day(entries=entries, call_time=CALL), sg.Rules(), now=at("08:30")))
    assert sg.SCENE_CONSOLIDATION not in found
    assert sg.SCHEDULE_REORDERING not in found


def test_reordering_groups_by_location_before_set():
    entries = (
        scene(1, 60, "Kitchen", tl.IN_PROGRESS, at("07:00"), location="Stage 4"),
        scene(2, 30, "Porch", location="Farm"),
        scene(3, 30, "Hall", location="Stage 4"),
        scene(4, 30, "Barn", location="Farm"),
        scene(5, 30, "Kitchen", location="Stage 4"),
    )
    found = by_type(sg.generate(sg.Day(entries=entries, call_time=CALL), sg.Rules(), now=at("08:30")))
    (reorder,) = found[sg.SCHEDULE_REORDERING]
    assert reorder.payload["new_scene_ids"] == [5, 3, 2, 4]
    # Before: 3 location moves + 1 set change (1→2, 2→3, 3→4, 4→5 = 30+30+30+30); after: 0+10+30+10.
    assert f"saves about {120 - 50} min" in reorder.description
    assert reorder.minutes_recoverable == 30  # the whole overrun (scene 1 is 30 min over), no more


def test_meal_penalty_warning_approaching_then_overdue():
    entries = (scene(1, 300, status=tl.IN_PROGRESS, start=at("07:00")), block(2, 30, "meal"), scene(3, 60))
    day = sg.Day(entries=entries, call_time=CALL)
    # Before 12:30 (call + 6 h − 30 min): no warning.
    assert not by_type(sg.generate(day, sg.Rules(), now=at("12:29"))).get(sg.MEAL_PENALTY_WARNING)
    (warn,) = by_type(sg.generate(day, sg.Rules(), now=at("12:40")))[sg.MEAL_PENALTY_WARNING]
    assert (warn.target, warn.impact, warn.payload["projected_penalties"]) == ("meal:1", "medium", 0)
    assert warn.payload["overdue"] is False
    assert warn.payload["meal_due"] == at("13:00").isoformat()
    assert warn.payload["penalty_from"] == at("13:12").isoformat()
    assert warn.minutes_recoverable == 0 and not warn.compliance_flag
    # 13:20, still shooting: the meal cannot start before 13:20 → 20 min late → one penalty.
    (warn,) = by_type(sg.generate(day, sg.Rules(), now=at("13:20")))[sg.MEAL_PENALTY_WARNING]
    assert (warn.target, warn.impact, warn.payload["projected_penalties"]) == ("meal:1", "high", 1)
    assert warn.payload["overdue"] is True and warn.severity == 20
    assert "13:00" in warn.description and "13:12" in warn.description


def test_meal_penalty_warning_counts_from_the_confirmed_crew_call_and_stops_once_the_meal_starts():
    entries = (scene(1, 300, status=tl.IN_PROGRESS, start=at("07:30")), block(2, 30, "meal"))
    late_call = sg.Day(entries=entries, call_time=CALL, crew_call_at=at("07:30"))
    assert not by_type(sg.generate(late_call, sg.Rules(), now=at("12:45"))).get(sg.MEAL_PENALTY_WARNING)
    assert by_type(sg.generate(late_call, sg.Rules(), now=at("13:00")))[sg.MEAL_PENALTY_WARNING]
    eating = (
        scene(1, 300, status=tl.COMPLETED, start=at("07:00"), end=at("12:30")),
        block(2, 30, "meal", tl.IN_PROGRESS, at("12:30")),
    )
    day = sg.Day(entries=eating, call_time=CALL)
    assert not by_type(sg.generate(day, sg.Rules(), now=at("12:50"))).get(sg.MEAL_PENALTY_WARNING)


def test_wrap_extension_warning_past_planned_wrap_and_past_the_maximum_day():
    entries = (scene(1, 600, status=tl.IN_PROGRESS, start=at("07:00")), scene(2, 60))
    # Planned end 18:00; at 17:40 still on scene 1 (due 17:00) → wrap 18:40: 40 min over planned.
    day = sg.Day(entries=entries, call_time=CALL)
    (warn,) = by_type(sg.generate(day, sg.Rules(), now=at("17:40")))[sg.WRAP_EXTENSION_WARNING]
    assert (warn.target, warn.impact, warn.payload["minutes_over"]) == ("wrap:planned", "medium", 40)
    # 20 min over is under the 30-minute trigger.
    assert not by_type(sg.generate(day, sg.Rules(), now=at("17:20"))).get(sg.WRAP_EXTENSION_WARNING)
    # At 18:30 → wrap 19:30, past call + 12 h (19:00).
    (warn,) = by_type(sg.generate(day, sg.Rules(), now=at("18:30")))[sg.WRAP_EXTENSION_WARNING]
    assert (warn.target, warn.impact, warn.payload["past_max_day"]) == ("wrap:max_day", "high", True)
    # Past the maximum day even within the planned wrap (a planned wrap of 20:00).
    late_plan = sg.Day(entries=entries, call_time=CALL, planned_wrap=at("20:00"))
    (warn,) = by_type(sg.generate(late_plan, sg.Rules(), now=at("18:30")))[sg.WRAP_EXTENSION_WARNING]
    assert warn.target == "wrap:max_day"
    (extend,) = by_type(sg.generate(day, sg.Rules(), now=at("18:30")))[sg.EXTEND_DAY]
    assert extend.payload["beyond_max_day"] is True and "goes beyond it" in extend.compliance_warning


def test_impact_thresholds():
    assert [sg.impact_for(m, 20) for m in (20, 25, 10, 9, 0)] == ["high", "high", "medium", "low", "low"]


# --- properties --------------------------------------------------------------------------------

_KINDS = st.sampled_from(["scene", "scene", "scene", "meal", "activity", "custom"])


@st.composite
def days(draw):
    n = draw(st.integers(1, 8))
    done = draw(st.integers(0, n))
    running = done < n and draw(st.booleans())
    entries = []
    cursor = CALL
    for i in range(n):
        kind = draw(_KINDS)
        planned = draw(st.integers(0, 120))
        status, start, end = tl.PENDING, None, None
        if i < done:
            status, start = tl.COMPLETED, cursor
            end = start + timedelta(minutes=draw(st.integers(0, 150)))
            cursor = end
        elif i == done and running:
            status, start = tl.IN_PROGRESS, cursor
        elif draw(st.integers(0, 5)) == 0:
            status = tl.SKIPPED
        item = tl.Item(id=i + 1, planned_minutes=planned, status=status, actual_start=start, actual_end=end)
        if kind == "scene":
            entries.append(
                sg.Entry(item=item, kind="scene", set_name=draw(st.sampled_from(["A", "B", "C", ""])), label=str(i))
            )
        else:
            entries.append(sg.Entry(item=item, kind="block", block_type=kind, label=kind))
    now = cursor + timedelta(minutes=draw(st.integers(0, 400)))
    later = (sg.OtherDay(id=50, day_number=2, date="2025-03-11"),) if draw(st.booleans()) else ()
    return sg.Day(entries=tuple(entries), call_time=CALL, later_days=later), now


def _penalties(entries, day, rules, now) -> int:
    from hotset import labour

    return labour.total_penalties(sg.meal_periods(entries, day, rules, now))


@settings(max_examples=200, deadline=None)
@given(days(), st.integers(0, 60), st.integers(1, 6))
def test_properties_of_every_proposal(day_now, trigger, meal_due_hours):
    day, now = day_now
    rules = sg.Rules(trigger_minutes_behind=trigger, meal_due_hours_after_call=meal_due_hours)
    result = sg.generate(day, rules, now=now)
    keys = [p.key for p in result.proposals]
    assert len(keys) == len(set(keys))  # one per (type, target)
    by_id = {e.id: e for e in day.entries}
    before = _penalties(day.entries, day, rules, now)
    for p in result.proposals:
        assert p.impact in ("low", "medium", "high")
        if p.type in sg.COMPLIANCE_TYPES:
            assert p.compliance_flag
        assert bool(p.compliance_warning) == p.compliance_flag
        if p.type in sg.WARNING_TYPES:
            assert p.minutes_recoverable == 0
            continue
        # No move that carries no compliance flag ever costs a meal penalty once applied.
        if not p.compliance_flag:
            assert _penalties(sg.apply_to(p, day.entries), day, rules, now) <= before
        assert result.behind_minutes >= max(trigger, 1)  # catch-up moves only while the wrap overruns
        assert 0 < p.minutes_recoverable <= result.behind_minutes  # never more than the overrun
        assert p.impact == sg.impact_for(p.minutes_recoverable, result.behind_minutes)
        if "item_id" in p.payload:
            assert by_id[p.payload["item_id"]].pending  # only pending work is touched
        if "new_scene_ids" in p.payload:
            old, new = p.payload["scene_ids"], p.payload["new_scene_ids"]
            assert sorted(old) == sorted(new) and old != new
            anchor = sg._anchor(day.entries)
            cost = sg.change_cost(anchor, [by_id[i] for i in old]) - sg.change_cost(anchor, [by_id[i] for i in new])
            assert min(cost, result.behind_minutes) == p.minutes_recoverable


def test_wrap_warning_for_the_maximum_day_alone_does_not_claim_a_late_planned_wrap():
    """An early crew call can break the maximum day while the wrap is still before plan:
    the warning must not say "-75 min past the planned wrap"."""
    from hotset.suggestions import _wrap_warning

    class _Proj:
        projected_wrap = datetime(2026, 11, 22, 17, 15, tzinfo=UTC)
        planned_end = None

    class _Day:
        planned_wrap = datetime(2026, 11, 22, 18, 30, tzinfo=UTC)
        extended_wrap = None
        crew_call_at = datetime(2026, 11, 22, 4, 31, tzinfo=UTC)
        clock_start = crew_call_at
        call_time = datetime(2026, 11, 22, 7, 0, tzinfo=UTC)
        tz = UTC

    class _Rules:
        max_day_hours = 12
        wrap_extension_trigger_minutes = 30

    (warning,) = _wrap_warning(_Day(), _Rules(), _Proj())
    assert warning.target == "wrap:max_day"
    assert "past the planned wrap" not in warning.description
    assert "12 h maximum day" in warning.description


# --- meal-aware moves, convergence, later meals, turnaround ------------------------------------


def lunch_day():
    """Crew call 07:00–08:00 done; A (Kitchen) 08:00–09:00 still shooting at 09:20 (20 min over);
    then B (Street) 120 → lunch at 11:20, then C (Kitchen) 300. Grouping by set would shoot C
    first and push lunch to 14:20: due 13:00, 80 min late → 3 penalties."""
    entries = (
        block(1, 60, "crew_call", tl.COMPLETED, at("07:00"), at("08:00")),
        scene(2, 60, "Kitchen", tl.IN_PROGRESS, at("08:00")),
        scene(3, 120, "Street"),
        block(4, 30, "meal"),
        scene(5, 300, "Kitchen"),
    )
    return sg.Day(entries=entries, call_time=CALL, crew_call_at=at("07:00"))


def test_grouping_by_set_that_pushes_lunch_past_grace_carries_the_flag_and_the_count():
    found = by_type(sg.generate(lunch_day(), sg.Rules(), now=at("09:20")))
    (reorder,) = found[sg.SCHEDULE_REORDERING]
    assert reorder.payload["new_scene_ids"] == [5, 3]
    assert reorder.compliance_flag is True
    assert reorder.payload["meal_penalties_added"] == 3
    assert "costs 3 meal penalties" in reorder.compliance_warning
    assert "meal 1 would start at 14:20" in reorder.compliance_warning
    (consolidation,) = found[sg.SCENE_CONSOLIDATION]
    assert consolidation.compliance_flag and consolidation.payload["meal_penalties_added"] == 3
    # Moves that keep lunch where it is carry no flag.
    assert not found[sg.SCENE_CUT][0].compliance_flag


def test_catch_up_stops_once_the_projected_wrap_is_back_on_target():
    day = behind_day(planned_wrap=at("13:47"))
    assert by_type(sg.generate(day, sg.Rules(), now=at("10:30")))[sg.SCENE_CUT]
    # Drop the activity and 2B: the projected wrap is 50 min early; nothing to catch up.
    caught_up = sg.Day(
        entries=tuple(
            sg.Entry(
                item=tl.Item(id=e.id, planned_minutes=e.item.planned_minutes, status=tl.SKIPPED),
                kind=e.kind,
                block_type=e.block_type,
                label=e.label,
            )  # fmt: skip
            if e.id in (3, 5)
            else e
            for e in day.entries
        ),
        call_time=CALL,
        planned_wrap=at("13:47"),
    )
    result = sg.generate(caught_up, sg.Rules(), now=at("10:30"))
    assert result.behind_minutes == 0
    assert not [p for p in result.proposals if p.type in sg.CATCH_UP_TYPES]


def test_an_extended_day_is_caught_up_against_its_extended_wrap():
    day = behind_day(planned_wrap=at("13:47"))
    extended = sg.Day(entries=day.entries, call_time=CALL, planned_wrap=at("13:47"), extended_wrap=at("14:05"))
    result = sg.generate(extended, sg.Rules(), now=at("10:30"))
    assert result.behind_minutes == 0
    assert not [p for p in result.proposals if p.type in sg.CATCH_UP_TYPES]


def test_the_second_meal_is_warned_too():
    entries = (
        scene(1, 300, status=tl.COMPLETED, start=at("07:00"), end=at("12:00")),
        block(2, 30, "meal", tl.COMPLETED, at("12:00"), at("12:30")),
        scene(3, 420, status=tl.IN_PROGRESS, start=at("12:30")),
    )
    day = sg.Day(entries=entries, call_time=CALL)
    assert not by_type(sg.generate(day, sg.Rules(), now=at("17:59"))).get(sg.MEAL_PENALTY_WARNING)
    (warn,) = by_type(sg.generate(day, sg.Rules(), now=at("18:00")))[sg.MEAL_PENALTY_WARNING]
    assert (warn.target, warn.payload["meal_due"]) == ("meal:2", at("18:30").isoformat())
    assert warn.title.startswith("Meal 2 due soon")
    # No second meal planned and the scene runs to 19:30: 60 min past due → 2 penalties.
    assert warn.payload["projected_penalties"] == 2 and warn.impact == "high"


def test_a_walking_lunch_does_not_silence_the_meal_warning():
    entries = (
        scene(1, 310, status=tl.COMPLETED, start=at("07:00"), end=at("12:10")),
        block(2, 5, "meal", tl.COMPLETED, at("12:10"), at("12:15")),
        scene(3, 120, status=tl.IN_PROGRESS, start=at("12:15")),
    )
    (warn,) = by_type(sg.generate(sg.Day(entries=entries, call_time=CALL), sg.Rules(), now=at("13:10")))[
        sg.MEAL_PENALTY_WARNING
    ]
    assert (warn.target, warn.payload["overdue"]) == ("meal:1", True)


def test_turnaround_warning_and_extend_day_say_the_rest_before_the_next_call():
    entries = (scene(1, 600, status=tl.IN_PROGRESS, start=at("07:00")), scene(2, 60))
    next_call = CALL + timedelta(days=1, hours=-3)  # 04:00 tomorrow
    day = sg.Day(entries=entries, call_time=CALL, planned_wrap=at("18:00"), next_call=next_call)
    found = by_type(sg.generate(day, sg.Rules(), now=at("18:30")))  # wrap projected 19:30
    (turnaround,) = found[sg.TURNAROUND_WARNING]
    assert (turnaround.payload["rest_minutes"], turnaround.payload["short_by_minutes"]) == (510, 90)
    assert turnaround.severity == 90 and turnaround.impact == "high"
    assert "short by 1 h 30 min" in turnaround.title.lower()
    (extend,) = found[sg.EXTEND_DAY]
    assert extend.title == "Extend the day by 1 h 30 min (wrap 19:30)"
    assert "1 h 30 min short of the 10 h rule" in extend.compliance_warning
    assert extend.payload["turnaround_short_by_minutes"] == 90


def test_warnings_carry_a_severity_that_grows_with_the_problem():
    entries = (scene(1, 600, status=tl.IN_PROGRESS, start=at("07:00")), scene(2, 60))
    day = sg.Day(entries=entries, call_time=CALL)
    early = by_type(sg.generate(day, sg.Rules(), now=at("17:40")))[sg.WRAP_EXTENSION_WARNING][0]
    later = by_type(sg.generate(day, sg.Rules(), now=at("18:00")))[sg.WRAP_EXTENSION_WARNING][0]
    assert (early.severity, later.severity, early.rearm_minutes) == (40, 60, 30)


def test_durations_read_in_hours_and_minutes():
    assert [sg.duration(m) for m in (475, 60, 45, 0, -90)] == ["7 h 55 min", "1 h", "45 min", "0 min", "−1 h 30 min"]


@st.composite
def days_with_meals(draw):
    """A day running late with meals among the pending work: where reordering, consolidating or
    shortening moves a meal across its due time."""
    entries = [
        block(1, 30, "crew_call", tl.COMPLETED, at("07:00"), at("07:30")),
        scene(2, 30, draw(st.sampled_from(["A", "B"])), tl.IN_PROGRESS, at("07:30")),
    ]
    for index in range(draw(st.integers(3, 8))):
        kind = draw(st.sampled_from(["scene", "scene", "scene", "meal", "activity"]))
        if kind == "scene":
            entries.append(scene(index + 3, draw(st.integers(10, 180)), draw(st.sampled_from(["A", "B", "C"]))))
        else:
            entries.append(block(index + 3, draw(st.integers(0, 60)), kind))
    now = at("08:00") + timedelta(minutes=draw(st.integers(15, 120)))
    rules = sg.Rules(trigger_minutes_behind=draw(st.integers(0, 15)), meal_due_hours_after_call=draw(st.integers(1, 4)))
    return sg.Day(entries=tuple(entries), call_time=CALL, crew_call_at=at("07:00")), now, rules


@settings(max_examples=300, deadline=None)
@given(days_with_meals())
def test_no_move_without_the_compliance_flag_costs_a_meal_penalty(case):
    day, now, rules = case
    before = _penalties(day.entries, day, rules, now)
    for p in sg.generate(day, rules, now=now).proposals:
        if p.type in sg.WARNING_TYPES:
            continue
        after = _penalties(sg.apply_to(p, day.entries), day, rules, now)
        if not p.compliance_flag:
            assert after <= before, p
        elif p.type not in sg.COMPLIANCE_TYPES:
            assert after > before and p.payload["meal_penalties_added"] == after - before
