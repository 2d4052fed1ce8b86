"""Spreadsheet imports of the real-world-shaped samples (docs/samples/): a 120-person staff list
and a 60-scene stripboard (CSV and XLSX), each into an empty table, through the same path as
the API (parse, the list's serializer per row, the services, one transaction).

    .venv/bin/python bench/spreadsheets_import.py

Prints the median of several imports (the rows deleted between runs) and the dry run's time.
Target: each file imports in under 2 s (a coordinator waits for the preview and the confirm).
"""

from __future__ import annotations

import sys
from datetime import date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import ROOT, median_seconds, setup_django  # noqa: E402

SAMPLES = ROOT / "docs" / "samples"
TARGET_SECONDS = 2.0


def main() -> None:
    setup_django()
    from django.utils import timezone

    from config.spreadsheets import dataset_from_bytes, run_import
    from hotset import services as hotset_services
    from hotset.models import Project, ScheduleItem
    from hotset.spreadsheets import ScheduleItemResource
    from rotations.models import Employee
    from rotations.spreadsheets import EmployeeResource

    staff = (SAMPLES / "staff-120.csv").read_bytes()
    Employee.objects.filter(external_id__startswith="ST-").delete()

    def import_staff(dry_run=False):
        result = run_import(EmployeeResource(), dataset_from_bytes(staff, "csv"), dry_run=dry_run)
        assert result["create"] == 120 and not result["refused"], result

    def clean_staff():
        Employee.objects.filter(external_id__startswith="ST-").delete()

    Project.objects.filter(name="Bench — stripboard import").delete()
    project = hotset_services.create_project(name="Bench — stripboard import", timezone_name="Europe/London")
    call = timezone.make_aware(datetime(2027, 1, 11, 7, 0), timezone=project.tzinfo)
    day = hotset_services.create_production_day(
        project=project, date=date(2027, 1, 11), day_number=1, general_call_time=call
    )
    session = hotset_services.create_session(production_day=day)

    def import_strips(kind):
        raw = (SAMPLES / f"stripboard-60-scenes.{kind}").read_bytes()

        def run():
            ScheduleItem.objects.filter(session=session).delete()
            result = run_import(ScheduleItemResource(session=session), dataset_from_bytes(raw, kind), dry_run=False)
            assert result["create"] == 67 and not result["refused"], result

        return run

    def timed_staff():
        clean_staff()
        import_staff()

    figures = {
        "staff-120.csv, dry run": median_seconds(lambda: import_staff(dry_run=True), repeat=7, warmup=1),
        "staff-120.csv, import": median_seconds(timed_staff, repeat=7, warmup=1),
        "stripboard-60-scenes.csv, import": median_seconds(import_strips("csv"), repeat=7, warmup=1),
        "stripboard-60-scenes.xlsx, import": median_seconds(import_strips("xlsx"), repeat=7, warmup=1),
    }
    clean_staff()
    project.delete()
    worst = 0.0
    for name, seconds in figures.items():
        worst = max(worst, seconds)
        print(f"{name:36s} {seconds * 1000:8.1f} ms")
    print(f"slowest {worst:.2f} s vs target {TARGET_SECONDS:.1f} s: {'OK' if worst <= TARGET_SECONDS else 'MISSED'}")


if __name__ == "__main__":
    main()
