"""Rotations API serializers."""

from __future__ import annotations

from datetime import date, datetime

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.validators import UniqueValidator

from config.validators import validate_date
from rotations import selectors
from rotations.models import (
    Employee,
    Event,
    PendingSchedule,
    RotationAssignment,
    ScheduleException,
    SchedulerRun,
    TimeOff,
)

EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)


def sane_date(value):
    """Dates (and times) far outside any schedule are refused: the window arithmetic must not overflow."""
    day = value.date() if isinstance(value, datetime) else value
    if not EARLIEST <= day <= LATEST:
        raise serializers.ValidationError(f"Must be between {EARLIEST} and {LATEST}.")
    return value


def choice_field(choices, *, enum_id: str = "", **kwargs) -> serializers.ChoiceField:
    """A ChoiceField; ``enum_id`` gives its enum a distinct identity in the schema, so that a choice
    set used by several of our serializers gets a per-component name instead of colliding with
    other apps' ``status`` / ``kind`` enums."""
    schema = {"type": "string", "enum": [value for value, _label in choices]}
    if enum_id:
        schema["x-spec-enum-id"] = enum_id

    @extend_schema_field(schema)
    class InlineChoiceField(serializers.ChoiceField):
        pass

    return InlineChoiceField(choices=choices, **kwargs)


class TimeOffSerializer(serializers.ModelSerializer):
    class Meta:
        model = TimeOff
        fields = ["id", "employee", "start_date", "end_date", "reason"]
        extra_kwargs = {"start_date": {"validators": [sane_date]}, "end_date": {"validators": [sane_date]}}


class TimeOffRangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = TimeOff
        fields = ["id", "start_date", "end_date", "reason"]


class EmployeeSerializer(serializers.ModelSerializer):
    qualifications = serializers.ListField(
        child=choice_field(Employee.Qualification.choices, enum_id="rotations-qualification"),
        required=False,
        max_length=len(Employee.Qualification),
    )
    available_weekdays = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=6),
        required=False,
        max_length=7,
        help_text="Weekly availability: 0 = Monday … 6 = Sunday.",
    )
    max_events_per_day = serializers.IntegerField(min_value=1, max_value=50, required=False)
    max_events_per_week = serializers.IntegerField(min_value=1, max_value=250, required=False)
    time_off = TimeOffRangeSerializer(many=True, read_only=True)

    class Meta:
        model = Employee
        fields = [
            "id",
            "name",
            "external_id",
            "qualifications",
            "active",
            "max_events_per_day",
            "max_events_per_week",
            "available_weekdays",
            "time_off",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def validate_qualifications(self, value: list[str]) -> list[str]:
        return sorted(set(value))

    def validate_available_weekdays(self, value: list[int]) -> list[int]:
        return sorted(set(value))


class EventSerializer(serializers.ModelSerializer):
    type = choice_field(Event.Type.choices, source="event_type", enum_id="rotations-event-type")
    estimated_minutes = serializers.IntegerField(min_value=1, max_value=1440, required=False)
    project_ref_num = serializers.IntegerField(
        min_value=1,
        max_value=2**62,
        validators=[UniqueValidator(queryset=Event.objects.all(), message="An event with this ref num exists.")],
    )
    parent_event_ref_num = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=2**62, help_text="A supervisor event's core event."
    )
    status = choice_field(Event.Status.choices, required=False, enum_id="rotations-event-status")

    class Meta:
        model = Event
        fields = [
            "id",
            "project_ref_num",
            "name",
            "type",
            "start_date",
            "due_date",
            "estimated_minutes",
            "location",
            "status",
            "assigned_employee",
            "scheduled_at",
            "parent_event_ref_num",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        extra_kwargs = {
            "start_date": {"validators": [sane_date]},
            "due_date": {"validators": [sane_date]},
            "scheduled_at": {"validators": [sane_date]},
        }

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["parent_event_ref_num"] = instance.parent_event_id
        return data

    def validate_parent_event_ref_num(self, value: int | None):
        """The parent's ref num → the parent event (whether it may be the parent is the service's rule)."""
        if value is None:
            return None
        parent = Event.objects.filter(project_ref_num=value).first()
        if parent is None:
            raise serializers.ValidationError(f"No event with project ref num {value}.")
        return parent

    def validate(self, attrs):
        if "parent_event_ref_num" in attrs:
            attrs["parent_event"] = attrs.pop("parent_event_ref_num")
        return attrs


class RotationAssignmentSerializer(serializers.ModelSerializer):
    rotation_type = choice_field(RotationAssignment.RotationType.choices, enum_id="rotations-rotation-type")
    weekday = serializers.IntegerField(min_value=0, max_value=4, help_text="0 = Monday … 4 = Friday.")

    class Meta:
        model = RotationAssignment
        fields = ["id", "weekday", "rotation_type", "employee"]
        validators: list = []  # the service checks the clash, with a field-level message


class ScheduleExceptionSerializer(serializers.ModelSerializer):
    rotation_type = choice_field(RotationAssignment.RotationType.choices, enum_id="rotations-exception-rotation-type")

    class Meta:
        model = ScheduleException
        fields = ["id", "date", "rotation_type", "employee", "reason"]
        extra_kwargs = {"date": {"validators": [sane_date]}}
        validators: list = []  # the service checks the clash, with a field-level message


# --- runs and proposals ---------------------------------------------------------------------------


class RunRequestSerializer(serializers.Serializer):
    start_date = serializers.DateField(
        required=False, validators=[sane_date], help_text="First day of the window; defaults to today."
    )
    days = serializers.IntegerField(
        required=False, min_value=1, max_value=42, help_text="Calendar days in the window (default 21)."
    )


class RunAcceptedSerializer(serializers.Serializer):
    run_id = serializers.IntegerField()


class RunSerializer(serializers.ModelSerializer):
    kind = choice_field(SchedulerRun.Kind.choices, read_only=True, enum_id="rotations-run-kind")
    status = choice_field(SchedulerRun.Status.choices, read_only=True, enum_id="rotations-run-status")

    class Meta:
        model = SchedulerRun
        fields = [
            "id",
            "kind",
            "status",
            "window_start",
            "window_end",
            "reference_date",
            "started_at",
            "finished_at",
            "heartbeat_at",
            "progress",
            "progress_message",
            "events_processed",
            "events_scheduled",
            "events_failed",
            "swaps",
            "error",
            "warnings",
            "triggered_by",
            "approved_at",
            "approved_by",
        ]
        read_only_fields = fields


class RuledOutSerializer(serializers.Serializer):
    employee_id = serializers.IntegerField()
    employee = serializers.CharField()
    constraints = serializers.ListField(child=serializers.CharField())


class UnscheduledSerializer(serializers.Serializer):
    event_id = serializers.IntegerField(allow_null=True)
    project_ref_num = serializers.IntegerField()
    type = serializers.CharField(allow_null=True)
    due_date = serializers.DateField(allow_null=True)
    code = serializers.CharField(help_text="The main constraint that left it unscheduled.")
    reason = serializers.CharField()
    ruled_out = RuledOutSerializer(many=True, help_text="Per qualified candidate, the constraints that ruled them out.")
    more_ruled_out = serializers.IntegerField()
    not_qualified = serializers.IntegerField()


class SwapSerializer(serializers.Serializer):
    proposal_id = serializers.IntegerField()
    project_ref_num = serializers.IntegerField()
    bumped_event_ref_num = serializers.IntegerField(allow_null=True)
    swap_reason = serializers.CharField()


class DayEmployeeSerializer(serializers.Serializer):
    employee = serializers.CharField()
    events = serializers.ListField(child=serializers.IntegerField())


class DaySerializer(serializers.Serializer):
    date = serializers.DateField()
    count = serializers.IntegerField()
    employees = DayEmployeeSerializer(many=True)


class ReviewSerializer(serializers.Serializer):
    new = serializers.IntegerField()
    swaps = SwapSerializer(many=True)
    failed = UnscheduledSerializer(many=True)
    statuses = serializers.DictField(child=serializers.IntegerField())
    days = DaySerializer(many=True)


class RunDetailSerializer(RunSerializer):
    kind = choice_field(SchedulerRun.Kind.choices, read_only=True, enum_id="rotations-run-detail-kind")
    status = choice_field(SchedulerRun.Status.choices, read_only=True, enum_id="rotations-run-detail-status")
    unscheduled = UnscheduledSerializer(many=True, read_only=True)
    review = serializers.SerializerMethodField()

    class Meta(RunSerializer.Meta):
        fields = [*RunSerializer.Meta.fields, "unscheduled", "review"]
        read_only_fields = fields

    def get_review(self, run) -> ReviewSerializer:
        return ReviewSerializer(selectors.run_review(run)).data


class RunStatusSerializer(serializers.ModelSerializer):
    run_id = serializers.IntegerField(source="id")
    kind = choice_field(SchedulerRun.Kind.choices, read_only=True, enum_id="rotations-run-status-kind")
    status = choice_field(SchedulerRun.Status.choices, read_only=True, enum_id="rotations-run-status-status")

    class Meta:
        model = SchedulerRun
        fields = [
            "run_id",
            "kind",
            "status",
            "progress",
            "progress_message",
            "events_processed",
            "events_scheduled",
            "events_failed",
            "swaps",
            "error",
            "started_at",
            "finished_at",
            "heartbeat_at",
        ]
        read_only_fields = fields


class ProposalSerializer(serializers.ModelSerializer):
    project_ref_num = serializers.IntegerField(source="event.project_ref_num", read_only=True)
    event_type = serializers.CharField(source="event.event_type", read_only=True)
    employee_name = serializers.CharField(source="employee.name", read_only=True)
    status = choice_field(PendingSchedule.Status.choices, read_only=True, enum_id="rotations-proposal-status")

    class Meta:
        model = PendingSchedule
        fields = [
            "id",
            "run",
            "event",
            "project_ref_num",
            "event_type",
            "employee",
            "employee_name",
            "scheduled_at",
            "status",
            "phase",
            "reason",
            "is_fallback",
            "is_swap",
            "bumped_event_ref_num",
            "bumped_event_scheduled_at",
            "swap_reason",
            "failure_reason",
            "api_error_details",
            "decided_at",
            "decided_by",
            "submitted_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ProposalEditSerializer(serializers.Serializer):
    employee = serializers.PrimaryKeyRelatedField(queryset=Employee.objects.all(), required=False)
    scheduled_at = serializers.DateTimeField(required=False, validators=[sane_date])

    def validate(self, attrs):
        if not attrs:
            raise serializers.ValidationError("Give employee and/or scheduled_at.")
        return attrs


class ApproveAllSerializer(serializers.Serializer):
    submitted = serializers.IntegerField()
    approved = serializers.IntegerField(help_text="Approved, waiting for the client's system to answer.")
    failed = serializers.IntegerField()
    considered = serializers.IntegerField()


class ApprovePartSerializer(serializers.Serializer):
    """Which open proposals of the run to approve: one day's, one employee's, or both (at least one)."""

    day = serializers.DateField(required=False, validators=[validate_date], help_text="A day (rotations' time zone).")
    employee = serializers.PrimaryKeyRelatedField(queryset=Employee.objects.all(), required=False)

    def validate(self, attrs):
        if not attrs:
            raise serializers.ValidationError({"non_field_errors": ["Give a day, an employee, or both."]})
        return attrs
