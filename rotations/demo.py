"""Demo data for rotations (called by ``seed_demo``): employees, three weeks of events, the weekly
rotations, one exception and a first scheduler run to review. Idempotent: natural keys throughout."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from rotations import engine, selectors, services
from rotations.models import Employee, Event, RotationAssignment, ScheduleException, SchedulerRun, TimeOff

EMPLOYEES = [
    # external id, name, qualifications, per day, per week
    ("demo-alex", "Alex Rivera", ["core", "juicer"], 2, 8),
    ("demo-blair", "Blair Chen", ["core", "digital", "lead", "supervisor"], 2, 8),
    ("demo-casey", "Casey Patel", ["core", "club_supervisor", "supervisor"], 2, 8),
    ("demo-drew", "Drew Kim", ["core", "other"], 1, 5),
    ("demo-emery", "Emery Stone", ["core", "juicer"], 2, 8),
    ("demo-finley", "Finley Ross", ["core", "digital", "lead", "supervisor"], 2, 8),
    ("demo-gray", "Gray Novak", ["core"], 1, 5),
    ("demo-harper", "Harper Diaz", ["core", "other"], 1, 4),
    ("demo-indy", "Indy Park", ["core"], 1, 5),
    ("demo-jules", "Jules Moreau", ["core", "digital"], 2, 6),
]
EXCEPTION_REASON = "Demo: Alex is at the trade show; Emery juices"
FIRST_REF = 900001


def seed(*, users, stdout) -> None:
    now = timezone.now()
    today = selectors.local_today(now)
    # This week only on a Monday: later in the week its first days would already be past due.
    monday = engine.week_of(today) + timedelta(days=0 if today.weekday() == 0 else 7)
    emps = {}
    for external_id, name, quals, per_day, per_week in EMPLOYEES:
        emps[external_id] = Employee.objects.filter(external_id=external_id).first() or services.create_employee(
            external_id=external_id,
            name=name,
            qualifications=quals,
            max_events_per_day=per_day,
            max_events_per_week=per_week,
            available_weekdays=[0, 1, 2, 3] if external_id == "demo-indy" else [0, 1, 2, 3, 4],
        )
    absences = [
        ("demo-gray", monday + timedelta(days=7), monday + timedelta(days=11), "Demo: vacation"),
        # Finley is the primary lead on Fridays: the digital work goes to another lead, flagged.
        ("demo-finley", monday + timedelta(days=11), monday + timedelta(days=11), "Demo: dentist"),
    ]
    for external_id, start, end, reason in absences:
        if not TimeOff.objects.filter(employee=emps[external_id], reason=reason).exists():
            services.create_time_off(employee=emps[external_id], start_date=start, end_date=end, reason=reason)
    for weekday in range(5):
        juicer = emps["demo-alex"] if weekday % 2 == 0 else emps["demo-emery"]
        lead = emps["demo-blair"] if weekday < 3 else emps["demo-finley"]
        for rotation_type, employee in (("juicer", juicer), ("primary_lead", lead)):
            if not RotationAssignment.objects.filter(weekday=weekday, rotation_type=rotation_type).exists():
                services.create_rotation_assignment(weekday=weekday, rotation_type=rotation_type, employee=employee)
    if not ScheduleException.objects.filter(reason=EXCEPTION_REASON).exists():
        day = monday + timedelta(days=2)
        if not ScheduleException.objects.filter(date=day, rotation_type="juicer").exists():
            services.create_schedule_exception(
                date=day, rotation_type="juicer", employee=emps["demo-emery"], reason=EXCEPTION_REASON
            )

    created = 0
    ref = FIRST_REF
    for day in engine.workdays(monday, 21):
        due = day + timedelta(days=4)
        plan = [
            ("core", 240, None, "Store reset"),
            ("core", 180, None, "Product demo"),
            ("supervisor", 30, ref, "Supervise store reset"),  # oversees the first core event of the day
            ("juicer", 120, None, "Juice bar"),
            ("digital", 60, None, "Digital refresh"),
            ("other", 120, None, "Inventory count"),
        ]
        for kind, minutes, parent, name in plan:
            if not Event.objects.filter(project_ref_num=ref).exists():
                services.create_event(
                    project_ref_num=ref,
                    name=f"{name} {day:%b %d}",
                    event_type=kind,
                    start_date=day,
                    due_date=day if kind in ("juicer", "digital") else due,
                    estimated_minutes=minutes,
                    location=f"Store {100 + (ref % 7)}",
                    parent_event=Event.objects.get(project_ref_num=parent) if parent else None,
                )
                created += 1
            ref += 1
    # One that cannot be done in a working day: the review shows why it stays unscheduled.
    if not Event.objects.filter(project_ref_num=ref).exists():
        services.create_event(
            project_ref_num=ref,
            name="Overnight inventory",
            event_type="other",
            start_date=monday,
            due_date=monday + timedelta(days=4),
            estimated_minutes=600,
            location="Store 100",
        )
        created += 1
    if not SchedulerRun.objects.exists():
        run = services.start_run(start_date=monday, user=users.get("coordinator"), now=now)
        run = services.execute_run(run_id=run.pk, clock=timezone.now)
        stdout.write(f"rotations: run #{run.pk} proposed {run.events_scheduled} assignments to review")
    stdout.write(f"rotations: {len(emps)} employees, {created} new events")
