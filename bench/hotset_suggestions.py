"""Hot set suggestions and report for a 200-item session running late: the pure generator, the
steady-state regeneration a dashboard read triggers (nothing changed → no writes), and the
production report, each against the projection read of the same session.

    .venv/bin/python bench/hotset_suggestions.py
"""

from __future__ import annotations

import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import median_seconds, setup_django  # noqa: E402

ITEMS = 200
PROJECT_NAME = "Bench — hot set suggestions"


def build_session():
    import zoneinfo

    from hotset import services
    from hotset.models import HotSetSession, Project, ScheduleItem

    Project.objects.filter(name=PROJECT_NAME).delete()  # reruns start clean
    project = services.create_project(name=PROJECT_NAME, timezone_name="Europe/London")
    tz = zoneinfo.ZoneInfo("Europe/London")
    call = datetime.combine(date(2025, 6, 10), time(7, 0), tzinfo=tz)
    day = services.create_production_day(project=project, date=call.date(), day_number=1, general_call_time=call)
    session = services.create_session(production_day=day)
    rows, clock = [], call
    done = ITEMS // 4
    for i in range(ITEMS):
        block_type = "meal" if i == 60 else "activity" if i % 10 == 9 else ""
        item = ScheduleItem(
            session=session,
            position=i,
            kind="block" if block_type else "scene",
            block_type=block_type,
            scene_number="" if block_type else str(i),
            set_name=f"Set {i % 7}",
            location=f"Location {i % 3}",
            pages_eighths=i % 9,
            setups=i % 4,
            planned_duration_minutes=60 if block_type == "meal" else 3 + i % 5,
        )
        if i < done:
            item.status, item.actual_start = "completed", clock
            clock += timedelta(minutes=6 + i % 3)  # slower than planned: the day runs late
            item.actual_end = clock
        elif i == done:
            item.status, item.actual_start = "in_progress", clock
        rows.append(item)
    ScheduleItem.objects.bulk_create(rows)
    HotSetSession.objects.filter(pk=session.pk).update(status="in_progress", started_at=call)
    session.refresh_from_db()
    return session, clock + timedelta(minutes=10)


def main() -> int:
    setup_django()
    from hotset import selectors, services, suggestions

    session, now = build_session()
    session = type(session).objects.select_related("production_day__project").get(pk=session.pk)
    day, rules = selectors.suggestion_input(session)
    result = suggestions.generate(day, rules, now=now)
    proposed = services.regenerate_suggestions(session=session, now=now)
    print(f"hotset suggestions, {ITEMS} items, {result.behind_minutes} min behind, {len(proposed)} proposed")

    figures = {
        "projection read (reference)": lambda: selectors.projection(session.pk, now=now),
        "pure generate()": lambda: suggestions.generate(day, rules, now=now),
        "regenerate (steady state)": lambda: services.regenerate_suggestions(session=session, now=now),
        "production report": lambda: selectors.report(session, now=now),
    }
    medians = {name: median_seconds(fn, repeat=15, warmup=3) for name, fn in figures.items()}
    reference = medians["projection read (reference)"]
    for name, value in medians.items():
        print(f"  {name:30s} median {value * 1000:7.2f} ms  ({value / reference:.1f}× projection)")
    from hotset.models import Project

    Project.objects.filter(name=PROJECT_NAME).delete()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
