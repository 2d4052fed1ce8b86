"""The data coordinators keep (employees, time off, events, rotations, exceptions): create,
update and delete, with the rules that hold whichever door the write comes through (the API,
the admin, the demo seeds).

Updates follow ``update_<thing>(*, <thing>, **changes)`` over ``config.services.model_update``;
a unique value another request took meanwhile is a 409, a row still referenced a 409.
"""

from __future__ import annotations

from contextlib import contextmanager

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from config.errors import Conflict, InvalidInput
from config.services import model_update
from rotations.engine import ROTATION_QUALIFICATION
from rotations.models import (
    Employee,
    Event,
    RotationAssignment,
    ScheduleException,
    TimeOff,
    new_calendar_token,
)

EMPLOYEE_FIELDS = (
    "name",
    "external_id",
    "qualifications",
    "active",
    "max_events_per_day",
    "max_events_per_week",
    "available_weekdays",
)
TIME_OFF_FIELDS = ("employee", "start_date", "end_date", "reason")
EVENT_FIELDS = (
    "name",
    "event_type",
    "start_date",
    "due_date",
    "estimated_minutes",
    "location",
    "status",
    "assigned_employee",
    "scheduled_at",
    "parent_event",
)
ROTATION_FIELDS = ("weekday", "rotation_type", "employee")
EXCEPTION_FIELDS = ("date", "rotation_type", "employee", "reason")


@contextmanager
def _unique_race():
    """A unique key another request took in the meantime is a 409, never a 500."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError:
        raise Conflict("Conflicts with an existing record (it may have just been created).") from None


def _create(instance):
    with _unique_race():
        instance.save()
    return instance


def _update(instance, changes: dict, fields: tuple[str, ...]):
    with _unique_race():
        model_update(instance=instance, fields=fields, data=changes)
    return instance


def _delete(instance, protected_message: str = "Still in use; deactivate it instead.") -> None:
    try:
        with transaction.atomic():
            instance.delete()
    except ProtectedError:
        raise Conflict(protected_message) from None


def _current(changes: dict, instance, name: str, default=None):
    if name in changes:
        return changes[name]
    return getattr(instance, name, default) if instance is not None else default


# --- employees ------------------------------------------------------------------------------------


@transaction.atomic
def create_employee(**fields) -> Employee:
    return _create(Employee(**fields))


@transaction.atomic
def update_employee(*, employee: Employee, **changes) -> Employee:
    return _update(employee, changes, EMPLOYEE_FIELDS)


@transaction.atomic
def delete_employee(*, employee: Employee) -> None:
    _delete(employee, "The employee has assigned events; deactivate them instead.")


# --- the employee calendar feed -------------------------------------------------------------


@transaction.atomic
def rotate_calendar_token(*, employee: Employee) -> Employee:
    """A new secret for the employee's calendar feed: the old link stops working at once."""
    employee = Employee.objects.select_for_update().get(pk=employee.pk)
    employee.calendar_token = new_calendar_token()
    employee.save(update_fields=["calendar_token", "updated_at"])
    return employee


# --- time off -------------------------------------------------------------------------------------


def _check_time_off(changes: dict, instance: TimeOff | None) -> None:
    start, end = _current(changes, instance, "start_date"), _current(changes, instance, "end_date")
    if start and end and end < start:
        raise InvalidInput(errors={"end_date": ["Must be on or after start_date."]})


@transaction.atomic
def create_time_off(**fields) -> TimeOff:
    _check_time_off(fields, None)
    return _create(TimeOff(**fields))


@transaction.atomic
def update_time_off(*, time_off: TimeOff, **changes) -> TimeOff:
    _check_time_off(changes, time_off)
    return _update(time_off, changes, TIME_OFF_FIELDS)


@transaction.atomic
def delete_time_off(*, time_off: TimeOff) -> None:
    _delete(time_off)


# --- events ---------------------------------------------------------------------------------------


def _event_rules(changes: dict, instance: Event | None) -> dict:
    """The event's rules, on the given ``changes`` over the stored row (``instance``, None for a
    new event): dates in order; assigning makes it scheduled, unscheduling clears the assignment,
    a scheduled event has both an employee and a time; only a supervisor event has a parent, a
    core one; an event others point at stays core. Returns the changes to write."""
    changes = dict(changes)
    errors: dict[str, list[str]] = {}
    ref_num = changes.pop("project_ref_num", None) if instance is not None else None
    if ref_num is not None and ref_num != instance.project_ref_num:
        raise InvalidInput(errors={"project_ref_num": ["The project ref num of an event cannot change."]})
    start, due = _current(changes, instance, "start_date"), _current(changes, instance, "due_date")
    if start and due and due < start:
        errors["due_date"] = ["Must be on or after start_date."]
    status = _current(changes, instance, "status", Event.Status.UNSCHEDULED) or Event.Status.UNSCHEDULED
    employee, at = _current(changes, instance, "assigned_employee"), _current(changes, instance, "scheduled_at")
    if changes.get("status") == Event.Status.UNSCHEDULED:
        if changes.get("assigned_employee") is not None or changes.get("scheduled_at") is not None:
            errors["status"] = ["An unscheduled event has no assigned employee nor time."]
        else:  # unassigns it
            changes["assigned_employee"] = None
            changes["scheduled_at"] = None
    elif status == Event.Status.UNSCHEDULED and (employee is not None or at is not None):
        changes["status"] = status = Event.Status.SCHEDULED  # assigning makes it scheduled
    if status != Event.Status.UNSCHEDULED and "status" not in errors and (employee is None or at is None):
        errors["assigned_employee"] = ["A scheduled event needs assigned_employee and scheduled_at."]
    kind = _current(changes, instance, "event_type")
    parent = _current(changes, instance, "parent_event")
    if "parent_event" in changes and parent is not None:
        ref_num = _current(changes, instance, "project_ref_num")
        if parent.event_type != Event.Type.CORE:
            errors["parent_event_ref_num"] = ["The parent must be a core event."]
        elif parent.project_ref_num == ref_num:
            errors["parent_event_ref_num"] = ["An event cannot be its own parent."]
    if parent is not None and kind != Event.Type.SUPERVISOR:
        errors.setdefault("parent_event_ref_num", []).append("Only a supervisor event has a parent core event.")
    if instance is not None and kind != Event.Type.CORE and instance.supervisor_events.exists():
        errors.setdefault("type", []).append("Supervisor events point at this event: it must stay a core event.")
    if errors:
        raise InvalidInput(errors=errors)
    return changes


@transaction.atomic
def create_event(**fields) -> Event:
    return _create(Event(**_event_rules(fields, None)))


@transaction.atomic
def update_event(*, event: Event, **changes) -> Event:
    return _update(event, _event_rules(changes, event), EVENT_FIELDS)


@transaction.atomic
def delete_event(*, event: Event) -> None:
    _delete(event)


# --- rotations and their exceptions ---------------------------------------------------------------


def _check_rotation_employee(changes: dict, instance) -> None:
    rotation_type = _current(changes, instance, "rotation_type")
    employee = _current(changes, instance, "employee")
    if rotation_type and employee:
        needed = ROTATION_QUALIFICATION[rotation_type]
        if needed not in (employee.qualifications or []):
            raise InvalidInput(
                errors={
                    "employee": [
                        f"{employee.name} lacks the {needed!r} qualification for the {rotation_type} rotation."
                    ]
                }
            )


def _check_rotation(changes: dict, instance: RotationAssignment | None) -> None:
    _check_rotation_employee(changes, instance)
    clash = RotationAssignment.objects.filter(
        weekday=_current(changes, instance, "weekday"), rotation_type=_current(changes, instance, "rotation_type")
    )
    if instance is not None:
        clash = clash.exclude(pk=instance.pk)
    if clash.exists():
        raise InvalidInput(errors={"weekday": ["This weekday already has that rotation."]})


@transaction.atomic
def create_rotation_assignment(**fields) -> RotationAssignment:
    _check_rotation(fields, None)
    return _create(RotationAssignment(**fields))


@transaction.atomic
def update_rotation_assignment(*, rotation_assignment: RotationAssignment, **changes) -> RotationAssignment:
    _check_rotation(changes, rotation_assignment)
    return _update(rotation_assignment, changes, ROTATION_FIELDS)


@transaction.atomic
def delete_rotation_assignment(*, rotation_assignment: RotationAssignment) -> None:
    _delete(rotation_assignment)


def _check_exception(changes: dict, instance: ScheduleException | None) -> None:
    _check_rotation_employee(changes, instance)
    clash = ScheduleException.objects.filter(
        date=_current(changes, instance, "date"), rotation_type=_current(changes, instance, "rotation_type")
    )
    if instance is not None:
        clash = clash.exclude(pk=instance.pk)
    if clash.exists():
        raise InvalidInput(errors={"date": ["This date already has an exception for that rotation."]})


@transaction.atomic
def create_schedule_exception(**fields) -> ScheduleException:
    _check_exception(fields, None)
    return _create(ScheduleException(**fields))


@transaction.atomic
def update_schedule_exception(*, schedule_exception: ScheduleException, **changes) -> ScheduleException:
    _check_exception(changes, schedule_exception)
    return _update(schedule_exception, changes, EXCEPTION_FIELDS)


@transaction.atomic
def delete_schedule_exception(*, schedule_exception: ScheduleException) -> None:
    _delete(schedule_exception)
