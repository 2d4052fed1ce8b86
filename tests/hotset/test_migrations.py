"""Data migrations of the hot set keep (or deliberately forget) existing rows."""

from datetime import UTC, date, datetime

from django.utils import timezone

from realtime.models import EventLog  # unchanged by these migrations

BEFORE = ("hotset", "0002_suggestion_target")
AFTER = ("hotset", "0003_forget_role_only_events_on_session_groups")
BEFORE_EXTENDED_WRAP = AFTER
EXTENDED_WRAP = ("hotset", "0004_day_extended_wrap_scene_moves")


def test_role_only_events_logged_on_session_groups_are_forgotten_and_the_rest_kept(migrate):
    migrate(BEFORE)
    now = timezone.now()
    rows = [
        ("hotset.session.7", 1, "hotset.item.started"),
        ("hotset.session.7", 2, "hotset.settings.updated"),
        ("hotset.session.7", 3, "hotset.suggestion.proposed"),
        ("role.first_ad", 1, "hotset.suggestion.proposed"),
        ("role.first_ad", 2, "hotset.settings.updated"),
    ]
    for group, seq, event_type in rows:
        EventLog.objects.create(group_name=group, epoch="e", seq=seq, event_type=event_type, ts=now, payload={})

    migrate(AFTER)
    kept = sorted(EventLog.objects.values_list("group_name", "event_type"))
    assert kept == [
        ("hotset.session.7", "hotset.item.started"),
        ("role.first_ad", "hotset.settings.updated"),
        ("role.first_ad", "hotset.suggestion.proposed"),
    ]


def _at(hour: int, minute: int = 0, day: int = 10) -> datetime:
    return datetime(2025, 6, day, hour, minute, tzinfo=UTC)


def test_old_extensions_and_scene_moves_are_recovered_for_the_report(migrate):
    apps = migrate(BEFORE_EXTENDED_WRAP)
    Project = apps.get_model("hotset", "Project")
    ProductionDay = apps.get_model("hotset", "ProductionDay")
    HotSetSession = apps.get_model("hotset", "HotSetSession")
    ScheduleItem = apps.get_model("hotset", "ScheduleItem")
    Suggestion = apps.get_model("hotset", "Suggestion")
    project = Project.objects.create(name="Old data", timezone="UTC")
    # Day 1 was extended twice (18:00 → 19:00 → 19:30), which overwrote its planned wrap.
    day1 = ProductionDay.objects.create(
        project=project, date=date(2025, 6, 10), day_number=1, general_call_time=_at(7), planned_wrap=_at(19, 30)
    )
    day2 = ProductionDay.objects.create(
        project=project, date=date(2025, 6, 11), day_number=2, general_call_time=_at(7, day=11),
        planned_wrap=_at(20, day=11),
    )  # fmt: skip
    session1 = HotSetSession.objects.create(production_day=day1, status="in_progress", started_at=_at(7))
    session2 = HotSetSession.objects.create(production_day=day2)
    for when, start, end in ((_at(15), "18:00", "19:00"), (_at(16), "19:00", "19:30")):
        Suggestion.objects.create(
            session=session1, type="extend_day", target="day", title="Extend", status="applied", resolved_at=when,
            payload={"from_wrap": f"2025-06-10T{start}:00+00:00", "to_wrap": f"2025-06-10T{end}:00+00:00"},
        )  # fmt: skip
    # Day 2 was extended once, then someone set its planned wrap by hand: that choice stays.
    Suggestion.objects.create(
        session=session2, type="extend_day", target="day", title="Extend", status="applied", resolved_at=_at(9),
        payload={"from_wrap": "2025-06-11T18:00:00+00:00", "to_wrap": "2025-06-11T19:00:00+00:00"},
    )  # fmt: skip
    # Scene 5 moved from day 1 to day 2: only the copy on day 2 and the suggestion remain.
    moved = ScheduleItem.objects.create(
        session=session2, position=0, kind="scene", scene_number="5", pages_eighths=12, setups=3,
        planned_duration_minutes=45,
    )  # fmt: skip
    Suggestion.objects.create(
        session=session1, type="scene_move", target=f"item:{moved.pk + 100}", title="Move Sc. 5", status="applied",
        resolved_at=_at(14), payload={"result": {"production_day_id": day2.pk, "item_id": moved.pk}},
    )  # fmt: skip

    apps = migrate(EXTENDED_WRAP)
    ProductionDay = apps.get_model("hotset", "ProductionDay")
    SceneMove = apps.get_model("hotset", "SceneMove")
    day1, day2 = ProductionDay.objects.get(pk=day1.pk), ProductionDay.objects.get(pk=day2.pk)
    assert (day1.planned_wrap, day1.extended_wrap) == (_at(18), _at(19, 30))
    assert (day2.planned_wrap, day2.extended_wrap) == (_at(20, day=11), None)
    (move,) = SceneMove.objects.all()
    assert (move.session_id, move.to_day_id, move.to_item_id) == (session1.pk, day2.pk, moved.pk)
    assert move.scene_number == "5"
    assert (move.label, move.pages_eighths, move.setups, move.planned_duration_minutes) == ("Sc. 5", 12, 3, 45)
    assert move.moved_at == _at(14)


BEFORE_CALENDAR_TOKEN = ("hotset", "0006_scene_int_ext_day_night")
CALENDAR_TOKEN = ("hotset", "0007_project_calendar_token")


def test_existing_projects_each_get_their_own_calendar_token(migrate):
    apps = migrate(BEFORE_CALENDAR_TOKEN)
    Project = apps.get_model("hotset", "Project")
    for name in ("The Long Shot", "Night Shift", "Pilot"):
        Project.objects.create(name=name, timezone="Europe/London")

    apps = migrate(CALENDAR_TOKEN)
    tokens = list(apps.get_model("hotset", "Project").objects.values_list("calendar_token", flat=True))
    assert len(tokens) == 3 and len(set(tokens)) == 3 and all(len(token) >= 40 for token in tokens)
    # A project made after the migration gets one of its own too (the column's default).
    made = apps.get_model("hotset", "Project").objects.create(name="Later", timezone="UTC")
    assert made.calendar_token and made.calendar_token not in tokens


BEFORE_THIS_SESSION = ("hotset", "0005_idempotent_requests")
UP_NEXT = ("hotset", "0008_schedule_view_up_next")


def test_a_filled_day_keeps_its_rows_through_the_stripboard_headings_and_the_up_next_label(migrate):
    """0006 adds int_ext / day_night (blank), 0007 the calendar token, 0008 relabels a choice:
    every row written before keeps every value it had."""
    apps = migrate(BEFORE_THIS_SESSION)
    Project = apps.get_model("hotset", "Project")
    project = Project.objects.create(name="Filled", timezone="Europe/London")
    apps.get_model("hotset", "HotSetSettings").objects.create(project=project, default_schedule_view="full")
    day = apps.get_model("hotset", "ProductionDay").objects.create(
        project=project, date=date(2025, 6, 10), day_number=1, general_call_time=_at(7)
    )
    session = apps.get_model("hotset", "HotSetSession").objects.create(production_day=day)
    ScheduleItem = apps.get_model("hotset", "ScheduleItem")
    ScheduleItem.objects.create(
        session=session, position=0, kind="scene", scene_number="12", set_name="Kitchen", pages_eighths=19,
        setups=4, planned_duration_minutes=45, notes="keep me",
    )  # fmt: skip
    ScheduleItem.objects.create(
        session=session, position=1, kind="block", block_type="meal", planned_duration_minutes=30
    )
    fields = ("position", "kind", "block_type", "scene_number", "set_name", "pages_eighths", "setups",
              "planned_duration_minutes", "notes")  # fmt: skip
    before = list(ScheduleItem.objects.order_by("position").values_list(*fields))

    apps = migrate(UP_NEXT)
    ScheduleItem = apps.get_model("hotset", "ScheduleItem")
    assert list(ScheduleItem.objects.order_by("position").values_list(*fields)) == before
    assert set(ScheduleItem.objects.values_list("int_ext", "day_night")) == {("", "")}
    assert apps.get_model("hotset", "HotSetSettings").objects.get().default_schedule_view == "full"
    assert apps.get_model("hotset", "Project").objects.get().calendar_token
