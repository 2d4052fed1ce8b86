"""Reads of the hot set: the projection (two queries whatever the number of items) and friends.

Past ~450 lines: the projection, the report, the suggestions' input and the calendar feed share
the same row-to-timeline conversion and the range checks that turn a stored time the maths
cannot take into a 409 (or, in the feed, leave it out); kept together so every read checks them
the same way.
"""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime, timedelta

from django.db import connection
from django.http import Http404
from django.utils import timezone

from config.errors import Conflict
from config.validators import MAX_YEAR, MIN_YEAR, in_range, in_zone
from hotset import calendar, labour, suggestions, timeline
from hotset import report as report_module
from hotset.models import HotSetSession, HotSetSettings, ProductionDay, Project, SceneMove, ScheduleItem

_ITEM_FIELDS = (
    "id",
    "position",
    "kind",
    "block_type",
    "title",
    "scene_number",
    "set_name",
    "location",
    "int_ext",
    "day_night",
    "pages_eighths",
    "setups",
    "planned_start",
    "planned_duration_minutes",
    "status",
    "actual_start",
    "actual_end",
    "skipped_at",
    "is_partial",
)

_DATETIME_FIELDS = ("planned_start", "actual_start", "actual_end", "skipped_at")

_BLOCK_LABELS = {str(value): str(label) for value, label in ScheduleItem.BlockType.choices}


def _aware(value):
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if timezone.is_aware(value) else value.replace(tzinfo=UTC)


# --- stored times out of range --------------------------------------------------------------
# The API refuses times outside the years (config.validators) and items longer than a day, but
# rows written before that check, or straight to the database, may still hold them: the day's
# maths would overflow (9999-12-31 + 1 day) into a 500 on every read. Reads check the rows
# first and answer 409 naming what to correct instead.

MAX_ITEM_MINUTES = 24 * 60

_DAY_TIMES = (
    ("date", "date"),
    ("general_call_time", "general call time"),
    ("planned_wrap", "planned wrap"),
    ("extended_wrap", "extended wrap"),
    ("next_call", "next shoot day's call"),
)
_SESSION_TIMES = (
    ("started_at", "start"),
    ("crew_call_confirmed_at", "crew call confirmed"),
    ("first_shot_confirmed_at", "first shot confirmed"),
    ("wrapped_at", "wrap"),
)
_ITEM_TIMES = (
    ("planned_start", "planned start"),
    ("actual_start", "actual start"),
    ("actual_end", "actual end"),
    ("skipped_at", "skipped at"),
)


def _item_problems(row: dict) -> list[str]:
    bad = [f"{title} {row[name].isoformat()}" for name, title in _ITEM_TIMES if not in_range(row.get(name))]
    minutes = row.get("planned_duration_minutes") or 0
    if minutes > MAX_ITEM_MINUTES:
        bad.append(f"planned duration {minutes} min (at most {MAX_ITEM_MINUTES})")
    return bad


def _row_ok(row: dict) -> bool:
    # The projection's hot path: plain comparisons, the messages only when something is off.
    for name, _title in _ITEM_TIMES:
        value = row[name]
        if value is not None and not MIN_YEAR <= value.year <= MAX_YEAR:
            return False
    return row["planned_duration_minutes"] <= MAX_ITEM_MINUTES


def ensure_in_range(*, day: dict, session: dict | None = None, items=()) -> None:
    """409 naming the day's, session's or items' stored times outside the years (or items longer
    than a day) — what the day's maths cannot compute with. ``items`` are dicts with ``id``,
    ``label``, the item times and ``planned_duration_minutes``."""
    errors: dict[str, list[str]] = {}
    for fields, source in ((_DAY_TIMES, day), (_SESSION_TIMES, session or {})):
        for name, title in fields:
            value = source.get(name)
            if name in source and not in_range(value):
                errors[name] = [f"The {title} {value.isoformat()} is outside the years {MIN_YEAR}–{MAX_YEAR}."]
    for row in items:
        if _row_ok(row):
            continue
        problems = ", ".join(_item_problems(row))
        errors.setdefault("items", []).append(f"Item {row['id']} ({row['label']}): {problems} — out of range.")
    if errors:
        raise Conflict(
            f"A stored time of this day is outside the years {MIN_YEAR}–{MAX_YEAR} (or an item is longer than a "
            "day); correct it before the day can be computed.",
            errors=errors,
        )


def _orm_item(row: ScheduleItem) -> dict:
    return {
        "id": row.pk,
        "label": row.label,
        "planned_duration_minutes": row.planned_duration_minutes,
        **{name: getattr(row, name) for name, _title in _ITEM_TIMES},
    }


def labour_rules(settings: HotSetSettings) -> labour.Rules:
    return labour.Rules(**{name: getattr(settings, name) for name in _RULE_FIELDS})


def next_call(day: ProductionDay) -> datetime | None:
    """The general call of the project's next shoot day (turnaround counts to it)."""
    return (
        ProductionDay.objects.filter(project_id=day.project_id, date__gt=day.date)
        .order_by("date")
        .values_list("general_call_time", flat=True)
        .first()
    )


def settings_for(project: Project) -> HotSetSettings:
    """The project's settings, created with the defaults if it has none yet."""
    settings, _ = HotSetSettings.objects.get_or_create(project=project)
    return settings


_SCENE = str(ScheduleItem.Kind.SCENE.value)


def _label(row: dict) -> str:
    """As ``ScheduleItem.label``, from a values() row."""
    if row["kind"] == _SCENE:
        base = "Sc. " + row["scene_number"] if row["scene_number"] else "Scene"
    else:
        base = _BLOCK_LABELS.get(row["block_type"], row["block_type"])
    return base + " — " + row["title"] if row["title"] else base


_RULE_FIELDS = (
    "meal_due_hours_after_call",
    "meal_minutes",
    "grace_minutes",
    "meal_penalty_interval_minutes",
    "max_day_hours",
    "turnaround_hours",
)


def _projection_sql() -> tuple[str, str]:
    """Two plain statements (no ORM compile on the hot path): the session with its day, project,
    labour rules and the next shoot day's call, then its items in order. Built from the models'
    own table and column names (no input in them; the id is a parameter). Not one JOIN: that
    would repeat — and make the driver parse again — the day's times on every item row."""
    item = ScheduleItem._meta
    session, day, project, rules = HotSetSession._meta, ProductionDay._meta, Project._meta, HotSetSettings._meta
    rule_columns = ", ".join(f'r."{name}"' for name in _RULE_FIELDS)
    head = (
        f'SELECT s."status", d."general_call_time", d."planned_wrap", p."timezone", '  # noqa: S608 - model names only
        f's."crew_call_confirmed_at", s."wrapped_at", d."extended_wrap", {rule_columns}, '
        f'(SELECT n."general_call_time" FROM "{day.db_table}" n WHERE n."project_id" = d."project_id" '
        f'AND n."date" > d."date" ORDER BY n."date" LIMIT 1) '
        f'FROM "{session.db_table}" s '
        f'JOIN "{day.db_table}" d ON d."id" = s."production_day_id" '
        f'JOIN "{project.db_table}" p ON p."id" = d."project_id" '
        f'LEFT JOIN "{rules.db_table}" r ON r."project_id" = p."id" '
        f'WHERE s."id" = %s'
    )
    columns = ", ".join(f'"{item.get_field(name).column}"' for name in _ITEM_FIELDS)
    items = f'SELECT {columns} FROM "{item.db_table}" WHERE "session_id" = %s ORDER BY "position"'  # noqa: S608
    return head, items


_HEAD_SQL, _ITEMS_SQL = _projection_sql()


def projection(session_id: int, *, now: datetime, at: datetime | None = None) -> dict:
    """The session's projection at ``at`` (default ``now``), times in the project's zone.

    With ``at`` the items are taken as they stood at that moment (later actions unknown).
    Two queries whatever the number of items (this is the dashboard's hot path; the benchmark
    holds it to ≤ 3× a bare fetch of the same rows). 404 when the session does not exist.
    """
    if not 0 < session_id < 2**63:
        raise Http404("No such hot set session.")
    with connection.cursor() as cursor:
        cursor.execute(_HEAD_SQL, [session_id])
        head = cursor.fetchone()
        if head is None:
            raise Http404("No such hot set session.")
        cursor.execute(_ITEMS_SQL, [session_id])
        fetched = cursor.fetchall()
    status, call_time, planned_wrap_at, tz_name, crew_call_at, wrapped_at, extended_wrap = head[:7]
    rule_values, next_call = head[7:-1], head[-1]
    rules = labour.Rules(*rule_values) if rule_values[0] is not None else labour.Rules()
    tz = zoneinfo.ZoneInfo(tz_name)
    rows = [dict(zip(_ITEM_FIELDS, row, strict=True)) for row in fetched]
    if connection.vendor != "postgresql":
        # SQLite hands back naive UTC text: make it aware, as the ORM would.
        call_time, planned_wrap_at, next_call = _aware(call_time), _aware(planned_wrap_at), _aware(next_call)
        crew_call_at, wrapped_at, extended_wrap = _aware(crew_call_at), _aware(wrapped_at), _aware(extended_wrap)
        for row in rows:
            for name in _DATETIME_FIELDS:
                row[name] = _aware(row[name])
    day_times = (call_time, planned_wrap_at, crew_call_at, wrapped_at, extended_wrap, next_call)
    if not all(_row_ok(row) for row in rows) or not all(in_range(value) for value in day_times):
        ensure_in_range(
            day={
                "general_call_time": call_time,
                "planned_wrap": planned_wrap_at,
                "extended_wrap": extended_wrap,
                "next_call": next_call,
            },
            session={"crew_call_confirmed_at": crew_call_at, "wrapped_at": wrapped_at},
            items=[{**row, "label": _label(row)} for row in rows],
        )
    moment = in_zone(at, tz) or now
    items = [
        timeline.Item(
            id=row["id"],
            planned_minutes=row["planned_duration_minutes"],
            status=row["status"],
            planned_start=row["planned_start"],
            actual_start=row["actual_start"],
            actual_end=row["actual_end"],
            skipped_at=row["skipped_at"],
        )
        for row in rows
    ]
    if at is not None:
        items = timeline.state_at(items, moment)
        if crew_call_at is not None and crew_call_at > moment:
            crew_call_at = None  # not confirmed yet at that moment
        if wrapped_at is not None and wrapped_at > moment:
            wrapped_at = None
    result = timeline.project(items, call_time=call_time, now=moment, crew_call_at=crew_call_at)

    # Many boundaries repeat (an item's end is the next one's start): format each moment once.
    formatted: dict[datetime, str] = {}

    def iso(value: datetime | None) -> str | None:
        if value is None:
            return None
        text = formatted.get(value)
        if text is None:
            text = formatted[value] = value.astimezone(tz).isoformat()
        return text

    out_items = []
    for row, item, calc in zip(rows, items, result.items, strict=True):
        out_items.append(
            {
                "id": row["id"],
                "position": row["position"],
                "kind": row["kind"],
                "block_type": row["block_type"],
                "label": _label(row),
                "title": row["title"],
                "scene_number": row["scene_number"],
                "set_name": row["set_name"],
                "location": row["location"],
                "int_ext": row["int_ext"],
                "day_night": row["day_night"],
                "pages_eighths": row["pages_eighths"],
                "setups": row["setups"],
                "status": item.status,
                "is_partial": row["is_partial"] and item.status == timeline.COMPLETED,
                "planned_duration_minutes": item.planned_minutes,
                "planned": {"start": iso(calc.planned.start), "end": iso(calc.planned.end)},
                "projected": {"start": iso(calc.projected.start), "end": iso(calc.projected.end)},
                "actual": {"start": iso(item.actual_start), "end": iso(item.actual_end)},
                "variance_minutes": calc.variance_minutes,
                "elapsed_minutes": calc.elapsed_minutes,
            }
        )
    planned_wrap = planned_wrap_at or result.planned_end
    labour_block = _labour_block(
        items,
        [row["block_type"] for row in rows],
        result,
        clock_start=crew_call_at or call_time,
        wrap=wrapped_at or result.projected_wrap or moment,
        next_call=next_call,
        rules=rules,
        iso=iso,
    )
    return {
        "session_id": session_id,
        "status": status,
        "timezone": tz_name,
        "at": iso(moment),
        "general_call_time": iso(call_time),
        "cumulative_variance_minutes": result.cumulative_variance_minutes,
        "realtime_deviation_minutes": result.realtime_deviation_minutes,
        "schedule_position": iso(result.schedule_position),
        "current_item_id": result.current_item_id,
        "expected_item_id": result.expected_item_id,
        "next_item_id": result.next_item_id,
        "planned_wrap": iso(planned_wrap),
        "schedule_planned_end": iso(result.planned_end),
        "projected_wrap": iso(result.projected_wrap),
        "wrap_variance_minutes": (
            timeline.minutes(planned_wrap - result.projected_wrap) if planned_wrap and result.projected_wrap else 0
        ),
        "remaining_minutes": result.remaining_minutes,
        "extended_wrap": iso(extended_wrap),
        "labour": labour_block,
        "items": out_items,
    }


def _labour_block(items, block_types, result, *, clock_start, wrap, next_call, rules, iso) -> dict:
    """SPEC §1's ``labour`` block: the meal clock as projected, the day's length and the rest
    before the next call (meals at their projected times, the wrap projected or actual)."""
    projected = [row.projected for row in result.items]
    meals = labour.meals_of(items, block_types, projected)
    periods = labour.meal_periods(clock_start=clock_start, meals=meals, end=max(wrap, clock_start), rules=rules)
    current = labour.open_period(periods, labour.started_meals(items))
    rest = labour.turnaround(wrap=wrap, next_call=next_call, rules=rules)
    return {
        "meal_number": current.number,
        "meal_due_at": iso(current.due_at),
        "meal_penalty_at": iso(current.penalty_at),
        "projected_meal_penalties": labour.total_penalties(periods),
        "day_length_minutes": max(0, timeline.minutes(wrap - clock_start)),
        "max_day_minutes": rules.max_day_hours * 60,
        "max_day_at": iso(clock_start + timedelta(hours=rules.max_day_hours)),
        "turnaround": (
            {
                "next_call": iso(rest.next_call),
                "rest_minutes": rest.rest_minutes,
                "short_by_minutes": rest.short_by_minutes,
            }
            if rest is not None
            else None
        ),
    }


def projection_summary(projection_data: dict) -> dict:
    """The headline numbers of a projection (the ``hotset.projection.updated`` payload)."""
    return {key: value for key, value in projection_data.items() if key != "items"}


def _ensure_suggestion_input_in_range(session: HotSetSession, rows) -> None:
    day = session.production_day
    ensure_in_range(
        day={name: getattr(day, name, None) for name, _title in _DAY_TIMES},
        session={"crew_call_confirmed_at": session.crew_call_confirmed_at},
        items=[_orm_item(row) for row in rows],
    )


def ensure_suggestions_computable(session: HotSetSession) -> None:
    """The 409 a day in progress whose stored times the maths cannot take answers on its
    suggestions (as its projection and report do), checked by a read that writes nothing."""
    if session.status == HotSetSession.Status.IN_PROGRESS:
        _ensure_suggestion_input_in_range(session, ScheduleItem.objects.filter(session=session))


def suggestion_input(session: HotSetSession) -> tuple[suggestions.Day, suggestions.Rules]:
    """What ``suggestions.generate`` needs for the session: its schedule, later days and rules."""
    day = session.production_day
    project = day.project
    rows = list(ScheduleItem.objects.filter(session=session).order_by("position"))
    _ensure_suggestion_input_in_range(session, rows)
    entries = tuple(
        suggestions.Entry(
            item=timeline.Item(
                id=row.pk,
                planned_minutes=row.planned_duration_minutes,
                status=row.status,
                planned_start=row.planned_start,
                actual_start=row.actual_start,
                actual_end=row.actual_end,
                skipped_at=row.skipped_at,
            ),
            kind=row.kind,
            block_type=row.block_type,
            label=row.label,
            set_name=row.set_name,
            location=row.location,
            pages_eighths=row.pages_eighths,
        )
        for row in rows
    )
    later = tuple(
        suggestions.OtherDay(id=d.pk, day_number=d.day_number, date=d.date.isoformat())
        for d in ProductionDay.objects.filter(project_id=day.project_id, date__gt=day.date)
        .exclude(hotset_session__status=HotSetSession.Status.WRAPPED)
        .order_by("date")[:5]
    )
    s = settings_for(project)
    rules = suggestions.Rules(
        trigger_minutes_behind=s.suggestion_trigger_minutes_behind,
        meal_penalty_trigger_minutes=s.suggestion_trigger_meal_penalty_minutes,
        wrap_extension_trigger_minutes=s.suggestion_trigger_wrap_extension_minutes,
        meal_due_hours_after_call=s.meal_due_hours_after_call,
        meal_minutes=s.meal_minutes,
        grace_minutes=s.grace_minutes,
        meal_penalty_interval_minutes=s.meal_penalty_interval_minutes,
        max_day_hours=s.max_day_hours,
        turnaround_hours=s.turnaround_hours,
    )
    data = suggestions.Day(
        entries=entries,
        call_time=day.general_call_time,
        planned_wrap=day.planned_wrap,
        crew_call_at=session.crew_call_confirmed_at,
        later_days=later,
        tz=project.tzinfo,
        extended_wrap=day.extended_wrap,
        next_call=next_call(day),
    )
    return data, rules


def report(session: HotSetSession, *, now: datetime) -> dict:
    """The session's daily production report (``report.build``), times in the project's zone."""
    day = session.production_day
    items = list(ScheduleItem.objects.filter(session=session).order_by("position"))
    ensure_in_range(
        day={name: getattr(day, name, None) for name, _title in _DAY_TIMES},
        session={name: getattr(session, name) for name, _title in _SESSION_TIMES},
        items=[_orm_item(row) for row in items],
    )
    rows = tuple(
        report_module.Row(
            id=row.pk,
            kind=row.kind,
            planned_minutes=row.planned_duration_minutes,
            status=row.status,
            block_type=row.block_type,
            label=row.label,
            scene_number=row.scene_number,
            set_name=row.set_name,
            is_partial=row.is_partial,
            pages_eighths=row.pages_eighths,
            setups=row.setups,
            planned_start=row.planned_start,
            actual_start=row.actual_start,
            actual_end=row.actual_end,
        )
        for row in items
    )
    rules = labour_rules(settings_for(day.project))
    moved = tuple(
        report_module.MovedScene(
            scene_number=m.scene_number,
            label=m.label,
            pages_eighths=m.pages_eighths,
            setups=m.setups,
            planned_minutes=m.planned_duration_minutes,
            to_day_number=m.to_day.day_number,
            to_date=m.to_day.date.isoformat(),
            moved_at=m.moved_at,
        )
        for m in SceneMove.objects.filter(session=session).select_related("to_day").order_by("moved_at", "pk")
    )
    data = report_module.Day(
        rows=rows,
        call_time=day.general_call_time,
        status=session.status,
        planned_wrap=day.planned_wrap,
        crew_call_confirmed_at=session.crew_call_confirmed_at,
        first_shot_confirmed_at=session.first_shot_confirmed_at,
        wrapped_at=session.wrapped_at,
        extended_wrap=day.extended_wrap,
        next_call=next_call(day),
        moved=moved,
    )
    out = report_module.build(data, rules, now=now, tz=day.project.tzinfo)
    return {
        "session_id": session.pk,
        "project": day.project.name,
        "timezone": day.project.timezone,
        "date": day.date.isoformat(),
        "day_number": day.day_number,
        "location": day.location,
        **out,
    }


# --- the shoot-day calendar feed ------------------------------------------------------------


def max_day_hours(project: Project) -> int:
    """The project's longest day (its settings, else the default) — read only, unlike settings_for."""
    hours = HotSetSettings.objects.filter(project=project).values_list("max_day_hours", flat=True).first()
    return hours if hours is not None else HotSetSettings._meta.get_field("max_day_hours").default


def shoot_days(project: Project) -> list[calendar.ShootDay]:
    """The project's production days for its calendar feed, in date order (two queries).

    A subscribed calendar cannot show a 409: a day whose call is outside the years is left out,
    a wrap outside them counts as not set, and a schedule with an item out of range is not used
    (the event then ends by the next rule of hotset.calendar)."""
    days = list(ProductionDay.objects.filter(project=project).select_related("hotset_session").order_by("date", "pk"))
    sessions = {day.pk: getattr(day, "hotset_session", None) for day in days}
    # The schedule counts only where nothing better ends the day (no wrap of any kind).
    need_schedule = [
        sessions[day.pk].pk
        for day in days
        if sessions[day.pk] is not None
        and day.planned_wrap is None
        and day.extended_wrap is None
        and sessions[day.pk].status != HotSetSession.Status.WRAPPED
    ]
    rows_by_session: dict[int, list[dict]] = {}
    if need_schedule:
        rows = ScheduleItem.objects.filter(session_id__in=need_schedule).order_by("session_id", "position")
        for row in rows.values("id", "session_id", "planned_duration_minutes", *(name for name, _ in _ITEM_TIMES)):
            rows_by_session.setdefault(row["session_id"], []).append(row)

    def in_range_or_none(value):
        return value if in_range(value) else None

    out = []
    for day in days:
        if not in_range(day.general_call_time):
            continue
        session = sessions[day.pk]
        rows = rows_by_session.get(session.pk, []) if session is not None else []
        schedule = ()
        if rows and all(_row_ok(row) for row in rows):
            schedule = tuple(
                timeline.Item(
                    id=row["id"], planned_minutes=row["planned_duration_minutes"], planned_start=row["planned_start"]
                )
                for row in rows
            )
        out.append(
            calendar.ShootDay(
                day_id=day.pk,
                day_number=day.day_number,
                date=day.date,
                call=day.general_call_time,
                location=day.location,
                status=session.status if session is not None else "",
                planned_wrap=in_range_or_none(day.planned_wrap),
                extended_wrap=in_range_or_none(day.extended_wrap),
                actual_wrap=in_range_or_none(session.wrapped_at) if session is not None else None,
                schedule=schedule,
            )
        )
    return out
