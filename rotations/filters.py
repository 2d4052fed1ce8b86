"""FilterSets of the rotations API."""

import django_filters

from config.filters import DayFilter, FilterSet
from rotations.models import (
    Employee,
    Event,
    PendingSchedule,
    RotationAssignment,
    ScheduleException,
    SchedulerRun,
    TimeOff,
)


class EmployeeFilter(FilterSet):
    qualification = django_filters.ChoiceFilter(choices=Employee.Qualification.choices, method="filter_qualification")
    search = django_filters.CharFilter(method="filter_search", max_length=100)

    class Meta:
        model = Employee
        fields = ["active", "qualification", "search"]

    def filter_qualification(self, queryset, name, value):
        # A JSON text match that works on PostgreSQL and SQLite alike.
        return queryset.filter(qualifications__icontains=f'"{value}"')

    def filter_search(self, queryset, name, value):
        return queryset.filter(name__icontains=value) | queryset.filter(external_id__icontains=value)


class TimeOffFilter(FilterSet):
    on_or_after = DayFilter(field_name="end_date", lookup_expr="gte")
    on_or_before = DayFilter(field_name="start_date", lookup_expr="lte")

    class Meta:
        model = TimeOff
        fields = ["employee", "on_or_after", "on_or_before"]


class EventFilter(FilterSet):
    type = django_filters.ChoiceFilter(field_name="event_type", choices=Event.Type.choices)
    status = django_filters.ChoiceFilter(choices=Event.Status.choices)
    due_after = DayFilter(field_name="due_date", lookup_expr="gte")
    due_before = DayFilter(field_name="due_date", lookup_expr="lte")
    parent_event_ref_num = django_filters.NumberFilter(field_name="parent_event_id")
    project_ref_num = django_filters.NumberFilter()

    class Meta:
        model = Event
        fields = ["type", "status", "assigned_employee", "due_after", "due_before", "parent_event_ref_num"]


class RotationAssignmentFilter(FilterSet):
    rotation_type = django_filters.ChoiceFilter(choices=RotationAssignment.RotationType.choices)

    class Meta:
        model = RotationAssignment
        fields = ["weekday", "rotation_type", "employee"]


class ScheduleExceptionFilter(FilterSet):
    rotation_type = django_filters.ChoiceFilter(choices=RotationAssignment.RotationType.choices)
    date_after = DayFilter(field_name="date", lookup_expr="gte")
    date_before = DayFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = ScheduleException
        fields = ["rotation_type", "employee", "date_after", "date_before"]


class RunFilter(FilterSet):
    status = django_filters.ChoiceFilter(choices=SchedulerRun.Status.choices)
    kind = django_filters.ChoiceFilter(choices=SchedulerRun.Kind.choices)

    class Meta:
        model = SchedulerRun
        fields = ["status", "kind"]


def _naming_choices(choices, what: str) -> dict:
    """An unknown value is a 400 that lists the values that would do."""
    values = ", ".join(value for value, _label in choices)
    return {"invalid_choice": f"%(value)s is not a {what}; one of: {values}."}


class ProposalFilter(FilterSet):
    # A proposal's status, also on a run's own page (runs/{id}/proposals/?status=).
    status = django_filters.ChoiceFilter(
        choices=PendingSchedule.Status.choices,
        error_messages=_naming_choices(PendingSchedule.Status.choices, "proposal status"),
        help_text="The proposal's status.",
    )
    event_type = django_filters.ChoiceFilter(field_name="event__event_type", choices=Event.Type.choices)

    class Meta:
        model = PendingSchedule
        fields = ["run", "status", "employee", "is_swap", "event_type"]
