"""Spreadsheet import / export of the rotations records (config/spreadsheets.py).

Keys, so a file from another database lands on the right rows:
- employees: ``external_id``; without one, the same ``id`` with the same ``name``.
- time off: the employee and both dates; events: ``project_ref_num`` (a supervisor event's
  parent by ``parent_event_ref_num``, which must come earlier in the file or exist already);
  rotation assignments: weekday and rotation type; exceptions: date and rotation type.
- an employee is named by ``employee_external_id`` (or ``assigned_employee_external_id``)
  when the file has it, else by ``employee`` (this database's id).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Case, IntegerField, Value, When

from config.spreadsheets import ServiceResource, cell_text, columns_of
from rotations import services
from rotations.api import serializers as s
from rotations.models import Employee, Event, RotationAssignment, ScheduleException, TimeOff

WEEKDAYS = {name: number for number, name in enumerate(["mon", "tue", "wed", "thu", "fri", "sat", "sun"])}


def _employee_id(data: dict, *, column: str, external_column: str) -> None:
    """Resolves ``<external_column>`` to this database's employee id in ``data[column]``."""
    external = data.pop(external_column, None)
    if external:
        employee_id = Employee.objects.filter(external_id=external).values_list("pk", flat=True).first()
        if employee_id is None:
            raise ValidationError({external_column: [f"No employee with external id {external}."]})
        data[column] = str(employee_id)


class _NamesAnEmployee(ServiceResource):
    """A record that names an employee in ``employee_column``: a file names them by
    ``<employee_column>_external_id`` when it has one (so it imports into another database),
    else by this database's id; the export writes both."""

    employee_column = "employee"

    class Meta:
        abstract = True

    @property
    def external_column(self) -> str:
        return f"{self.employee_column}_external_id"

    def row_data(self, row) -> dict:
        data = super().row_data(row)
        _employee_id(data, column=self.employee_column, external_column=self.external_column)
        return data

    def export(self, queryset=None, **kwargs):
        rows = self.get_queryset() if queryset is None else queryset
        return super().export(rows.select_related(self.employee_column), **kwargs)  # one query, not one per row

    def export_row(self, instance) -> dict:
        employee = getattr(instance, self.employee_column)
        return {**super().export_row(instance), self.external_column: employee.external_id if employee else None}


class EmployeeResource(ServiceResource):
    serializer_class = s.EmployeeSerializer
    columns = columns_of(s.EmployeeSerializer)
    list_columns = ("qualifications", "available_weekdays")

    class Meta:
        model = Employee

    def row_data(self, row) -> dict:
        data = super().row_data(row)
        # "Mon, Tue" reads as 0, 1 (the export writes numbers, as the API does).
        days = data.get("available_weekdays")
        if days:
            data["available_weekdays"] = [str(WEEKDAYS.get(d.lower()[:3], d)) for d in days]
        return data

    def find(self, data: dict):
        if data.get("external_id"):
            return Employee.objects.filter(external_id=data["external_id"]).first()
        if data.get("id") and str(data["id"]).isdigit():
            return Employee.objects.filter(pk=int(data["id"]), name=data.get("name") or "", external_id=None).first()
        return None

    def create(self, data: dict):
        return services.create_employee(**data)

    def update(self, instance, data: dict):
        return services.update_employee(employee=instance, **data)

    def export_row(self, instance) -> dict:
        cells = super().export_row(instance)
        cells["time_off"] = "; ".join(
            f"{t['start_date']}–{t['end_date']}" + (f" ({t['reason']})" if t["reason"] else "")
            for t in cells["time_off"]
        )
        return cells


class TimeOffResource(_NamesAnEmployee):
    serializer_class = s.TimeOffSerializer
    columns = columns_of(s.TimeOffSerializer, after={"employee": "employee_external_id"})

    class Meta:
        model = TimeOff

    def find(self, data: dict):
        if not all(data.get(k) for k in ("employee", "start_date", "end_date")) or not str(data["employee"]).isdigit():
            return None
        return TimeOff.objects.filter(
            employee_id=int(data["employee"]), start_date=data["start_date"], end_date=data["end_date"]
        ).first()

    def create(self, data: dict):
        return services.create_time_off(**data)

    def update(self, instance, data: dict):
        return services.update_time_off(time_off=instance, **data)


class EventResource(_NamesAnEmployee):
    employee_column = "assigned_employee"
    serializer_class = s.EventSerializer
    columns = columns_of(s.EventSerializer, after={"assigned_employee": "assigned_employee_external_id"})

    class Meta:
        model = Event

    def find(self, data: dict):
        ref = cell_text(data.get("project_ref_num"))
        return Event.objects.filter(project_ref_num=int(ref)).first() if ref and ref.isdigit() else None

    def create(self, data: dict):
        return services.create_event(**data)

    def update(self, instance, data: dict):
        return services.update_event(event=instance, **data)

    def export(self, queryset=None, **kwargs):
        # Core events before the supervisor events that name them: the file imports in order.
        rows = self.get_queryset() if queryset is None else queryset
        rows = rows.annotate(
            _child=Case(When(parent_event__isnull=False, then=Value(1)), default=Value(0), output_field=IntegerField())
        ).order_by("_child", "due_date", "project_ref_num")
        return super().export(rows, **kwargs)


class RotationAssignmentResource(_NamesAnEmployee):
    serializer_class = s.RotationAssignmentSerializer
    columns = columns_of(s.RotationAssignmentSerializer, after={"employee": "employee_external_id"})

    class Meta:
        model = RotationAssignment

    def row_data(self, row) -> dict:
        data = super().row_data(row)
        day = data.get("weekday")
        if day and not day.isdigit():
            data["weekday"] = str(WEEKDAYS.get(day.lower()[:3], day))
        return data

    def find(self, data: dict):
        weekday = data.get("weekday")
        if not (weekday and weekday.isdigit() and data.get("rotation_type")):
            return None
        return RotationAssignment.objects.filter(weekday=int(weekday), rotation_type=data["rotation_type"]).first()

    def create(self, data: dict):
        return services.create_rotation_assignment(**data)

    def update(self, instance, data: dict):
        return services.update_rotation_assignment(rotation_assignment=instance, **data)


class ScheduleExceptionResource(_NamesAnEmployee):
    serializer_class = s.ScheduleExceptionSerializer
    columns = columns_of(s.ScheduleExceptionSerializer, after={"employee": "employee_external_id"})

    class Meta:
        model = ScheduleException

    def find(self, data: dict):
        if not (data.get("date") and data.get("rotation_type")):
            return None
        try:
            return ScheduleException.objects.filter(date=data["date"], rotation_type=data["rotation_type"]).first()
        except ValidationError:
            return None  # not a date: the serializer says so

    def create(self, data: dict):
        return services.create_schedule_exception(**data)

    def update(self, instance, data: dict):
        return services.update_schedule_exception(schedule_exception=instance, **data)
