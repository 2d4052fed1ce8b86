"""Projects, their hot set settings, and shoot days."""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction

from config.errors import Conflict, InvalidInput
from config.services import model_update
from hotset import events, selectors
from hotset.models import (
    HotSetSession,
    HotSetSettings,
    ProductionDay,
    Project,
    new_calendar_token,
)
from hotset.services import projection as _projection
from hotset.services.helpers import DAY_EDITABLE_FIELDS, PROJECT_EDITABLE_FIELDS, SETTINGS_FIELDS, Status


@transaction.atomic
def create_project(*, name: str, timezone_name: str = "UTC") -> Project:
    """A project and its hot set settings (the defaults)."""
    project = Project.objects.create(name=name, timezone=timezone_name)
    HotSetSettings.objects.create(project=project)
    return project


@transaction.atomic
def update_project(*, project: Project, **changes) -> Project:
    """Renames a project or changes its time zone."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    model_update(instance=project, fields=PROJECT_EDITABLE_FIELDS, data=changes)
    return project


@transaction.atomic
def delete_project(*, project: Project) -> None:
    """Deletes a project with its days, unless one of its days has started: that history stays (409)."""
    if HotSetSession.objects.filter(production_day__project=project).exclude(status=Status.NOT_STARTED).exists():
        raise Conflict("The project has hot set sessions that started; their history stays.")
    project.delete()


@transaction.atomic
def rotate_project_calendar_token(*, project: Project) -> Project:
    """A new secret for the project's shoot-day calendar feed: the old link stops working at once."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    project.calendar_token = new_calendar_token()
    project.save(update_fields=["calendar_token"])
    return project


@transaction.atomic
def update_settings(*, project: Project, **changes) -> HotSetSettings:
    """Changes the project's hot set settings (validated by the caller) and tells open sessions."""
    settings = selectors.settings_for(project)
    unknown = set(changes) - set(SETTINGS_FIELDS)
    if unknown:
        raise InvalidInput(errors={name: ["Unknown setting."] for name in sorted(unknown)})
    model_update(instance=settings, fields=SETTINGS_FIELDS, data=changes)
    payload = {"project_id": project.pk, **{name: getattr(settings, name) for name in SETTINGS_FIELDS}}
    open_sessions = HotSetSession.objects.filter(production_day__project=project).exclude(status=Status.WRAPPED)
    session_ids = list(open_sessions.values_list("pk", flat=True))
    if session_ids:
        for session_id in session_ids:
            events.publish(events.SETTINGS_UPDATED, {**payload, "session_id": session_id}, session_id=session_id)
    else:
        events.publish(events.SETTINGS_UPDATED, payload, session_id=None)
    return settings


@transaction.atomic
def create_production_day(
    *,
    project: Project,
    date: date,
    day_number: int,
    general_call_time: datetime,
    planned_wrap: datetime | None = None,
    location: str = "",
    notes: str = "",
) -> ProductionDay:
    return ProductionDay.objects.create(
        project=project,
        date=date,
        day_number=day_number,
        general_call_time=general_call_time,
        planned_wrap=planned_wrap,
        location=location,
        notes=notes,
    )


@transaction.atomic
def update_production_day(*, day: ProductionDay, now: datetime, **changes) -> ProductionDay:
    """Changes a shoot day; the call time of a wrapped day is history and stays."""
    day = ProductionDay.objects.select_for_update().get(pk=day.pk)
    session = HotSetSession.objects.filter(production_day=day).first()
    timing = {"general_call_time", "planned_wrap", "extended_wrap", "date"} & set(changes)
    if session is not None and session.status == Status.WRAPPED and timing:
        raise Conflict("The day is wrapped; its call and wrap times are history.")
    model_update(instance=day, fields=DAY_EDITABLE_FIELDS, data=changes)
    if session is not None:
        events.publish(events.DAY_UPDATED, events.day_updated_payload(session, day), session_id=session.pk)
        if timing:
            _projection.request_projection_update(session_id=session.pk, now=now)
    return day


@transaction.atomic
def delete_production_day(*, day: ProductionDay) -> None:
    session = HotSetSession.objects.filter(production_day=day).first()
    if session is not None and session.status != Status.NOT_STARTED:
        raise Conflict("The day's hot set session has started; the day cannot be deleted.")
    day.delete()
