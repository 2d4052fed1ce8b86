"""Hot set projection for a 200-item session: the service (two plain queries, the timeline maths,
JSON) against the floor — the same rows fetched with one raw SQL query and JSON-encoded.

    .venv/bin/python bench/hotset_projection.py

Target: ratio ≤ 3.
"""

from __future__ import annotations

import json
import statistics
import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import median_seconds, setup_django  # noqa: E402

ITEMS = 200
PROJECT_NAME = "Bench — hot set projection"
TARGET_RATIO = 3.0


def build_session():
    import zoneinfo

    from hotset import services
    from hotset.models import Project, ScheduleItem

    Project.objects.filter(name=PROJECT_NAME).delete()  # reruns start clean
    project = services.create_project(name=PROJECT_NAME, timezone_name="Europe/London")
    tz = zoneinfo.ZoneInfo("Europe/London")
    call = datetime.combine(date(2025, 6, 10), time(7, 0), tzinfo=tz)
    day = services.create_production_day(project=project, date=call.date(), day_number=1, general_call_time=call)
    session = services.create_session(production_day=day)
    rows, clock = [], call
    done = ITEMS // 2
    for i in range(ITEMS):
        kind = "block" if i % 10 == 9 else "scene"
        item = ScheduleItem(
            session=session,
            position=i,
            kind=kind,
            block_type="activity" if kind == "block" else "",
            scene_number="" if kind == "block" else str(i),
            title=f"Item {i}",
            set_name=f"Set {i % 7}",
            planned_duration_minutes=3 + i % 5,
            planned_start=call + timedelta(minutes=300) if i == ITEMS - 20 else None,
        )
        if i < done:
            item.status, item.actual_start = "completed", clock
            clock += timedelta(minutes=4 + i % 3)
            item.actual_end = clock
        elif i == done:
            item.status, item.actual_start = "in_progress", clock
        rows.append(item)
    ScheduleItem.objects.bulk_create(rows)
    return session, clock + timedelta(minutes=10)


RAW_SQL = (
    "SELECT id, position, kind, block_type, title, scene_number, set_name, location, pages_eighths, setups, "
    "planned_start, planned_duration_minutes, status, actual_start, actual_end, skipped_at, is_partial "
    "FROM hotset_scheduleitem WHERE session_id = %s ORDER BY position"
)


def main() -> int:
    setup_django()
    from django.db import connection

    from hotset import selectors

    session, now = build_session()

    def through_service():
        data = selectors.projection(session.pk, now=now)
        return json.dumps(data)

    def raw_floor():
        with connection.cursor() as cursor:
            cursor.execute(RAW_SQL, [session.pk])
            columns = [c.name for c in cursor.description]
            rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
        return json.dumps(rows, default=lambda v: v.isoformat())

    assert len(json.loads(through_service())["items"]) == ITEMS
    # Interleaved, so a busy machine slows both sides alike; medians of each.
    service_samples, raw_samples = [], []
    for _ in range(5):
        through_service(), raw_floor()
    for _ in range(15):
        service_samples.append(median_seconds(through_service, repeat=3, warmup=0))
        raw_samples.append(median_seconds(raw_floor, repeat=3, warmup=0))
    service, raw = statistics.median(service_samples), statistics.median(raw_samples)
    ratio = service / raw
    print(f"hotset projection, {ITEMS} items")
    print(f"  service (2 queries + timeline + JSON): median {service * 1000:.2f} ms")
    print(f"  raw SQL fetch + JSON encode:           median {raw * 1000:.2f} ms")
    verdict = "OK" if ratio <= TARGET_RATIO else "OVER"
    print(f"  ratio service / raw: {ratio:.2f} (target ≤ {TARGET_RATIO:.0f}) {verdict}")
    from hotset.models import Project

    Project.objects.filter(name=PROJECT_NAME).delete()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
