"""Demo data for ``seed_demo``: a feature project with today's shoot day (call 07:00) and its
hot set session — 11 scenes, a meal, a company move, camera wrap and wrap. Idempotent."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone

from hotset import selectors, services
from hotset.models import HotSetSession, ProductionDay, Project, ScheduleItem

PROJECT_NAME = "Demo Feature — The Long Shot"
PROJECT_TIMEZONE = "Europe/London"

# (kind, block_type, scene_number, title, set_name, location, minutes, pages_eighths, setups)
SCHEDULE = [
    ("block", "crew_call", "", "Breakfast, blocking and lighting", "", "Stage 4", 60, 0, 0),
    ("block", "first_shot", "", "First shot", "", "Stage 4", 0, 0, 0),
    ("scene", "", "12", "INT. KITCHEN — DAY: Maya finds the letter", "Kitchen", "Stage 4", 45, 12, 4),
    ("scene", "", "13", "INT. KITCHEN — DAY: the argument", "Kitchen", "Stage 4", 30, 6, 3),
    ("scene", "", "14", "INT. KITCHEN — DAY: Leo leaves", "Kitchen", "Stage 4", 40, 9, 3),
    ("scene", "", "27", "INT. HALLWAY — NIGHT: footsteps", "Hallway", "Stage 4", 35, 5, 2),
    ("scene", "", "28", "INT. HALLWAY — NIGHT: the phone call", "Hallway", "Stage 4", 45, 10, 3),
    ("scene", "", "29", "INT. HALLWAY — NIGHT: door slam", "Hallway", "Stage 4", 50, 4, 4),
    ("block", "meal", "", "Lunch", "", "Stage 4", 30, 0, 0),
    ("block", "company_move", "", "Move to the riverside", "", "Riverside Walk", 45, 0, 0),
    ("scene", "", "41", "EXT. RIVERSIDE — DAY: the chase begins", "Riverside", "Riverside Walk", 60, 14, 5),
    ("scene", "", "42", "EXT. RIVERSIDE — DAY: on the bridge", "Riverside", "Riverside Walk", 45, 8, 3),
    ("scene", "", "43", "EXT. RIVERSIDE — DAY: the fall", "Riverside", "Riverside Walk", 30, 3, 2),
    ("block", "activity", "", "Stunt rehearsal", "", "Riverside Walk", 30, 0, 0),
    ("scene", "", "44", "EXT. RIVERSIDE — DUSK: rescue", "Riverside", "Riverside Walk", 60, 11, 4),
    ("scene", "", "45", "EXT. RIVERSIDE — DUSK: aftermath", "Riverside", "Riverside Walk", 40, 7, 3),
    ("block", "camera_wrap", "", "Camera wrap", "", "Riverside Walk", 0, 0, 0),
    ("block", "wrap", "", "Wrap out and load", "", "Riverside Walk", 30, 0, 0),
]


def _stripboard_heading(title: str) -> dict:
    """INT/EXT and DAY/NIGHT of a scene from its slug line ("INT. KITCHEN — DAY: …")."""
    if not title.startswith(("INT.", "EXT.")):
        return {}
    light = title.split(":")[0].rsplit("—", 1)[-1].strip().lower()
    return {
        "int_ext": title[:3].lower(),
        "day_night": light if light in {c.value for c in ScheduleItem.DayNight} else "",
    }


def seed(*, users, stdout) -> None:
    project = Project.objects.filter(name=PROJECT_NAME).first()
    if project is None:
        project = services.create_project(name=PROJECT_NAME, timezone_name=PROJECT_TIMEZONE)
    selectors.settings_for(project)
    tz = project.tzinfo
    today = timezone.now().astimezone(tz).date()
    call = datetime.combine(today, time(7, 0), tzinfo=tz)
    day = ProductionDay.objects.filter(project=project, day_number=1).first()
    if day is None:
        day = services.create_production_day(
            project=project,
            date=today,
            day_number=1,
            general_call_time=call,
            planned_wrap=call + timedelta(hours=11, minutes=30),
            location="Stage 4, then Riverside Walk",
        )
    session = HotSetSession.objects.filter(production_day=day).first()
    if session is None:
        session = services.create_session(production_day=day, user=users.get("first_ad"))
    if not ScheduleItem.objects.filter(session=session).exists():
        for kind, block_type, scene, title, set_name, location, minutes, eighths, setups in SCHEDULE:
            services.add_item(
                session=session,
                values={
                    "kind": kind,
                    "block_type": block_type,
                    "scene_number": scene,
                    "title": title,
                    "set_name": set_name,
                    "location": location,
                    **_stripboard_heading(title),
                    "planned_duration_minutes": minutes,
                    "pages_eighths": eighths,
                    "setups": setups,
                },
                now=timezone.now(),
            )
    stdout.write(f"Hot set: {project.name}, day {day.day_number} ({day.date}) → /dash/hotset/{session.pk}/")
