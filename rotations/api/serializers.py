"""Rotations API serializers."""

from __future__ import annotations

from datetime import date, datetime

from django.db.models import Q
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.validators import UniqueValidator

from config.validators import validate_date
from rotations import selectors
from rotations.engine import ROTATION_QUALIFICATION
from rotations.models import (
    Employee,
    Event,
    EventStatus,
    EventType,
    PendingSchedule,
    ProposalStatus,
    Qualification,
    RotationAssignment,
    RotationType,
    RunKind,
    RunStatus,
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

    def validate(self, attrs):
        start = attrs.get("start_date", getattr(self.instance, "start_date", None))
        end = attrs.get("end_date", getattr(self.instance, "end_date", None))
        if start and end and end < start:
            raise serializers.ValidationError({"end_date": ["Must be on or after start_date."]})
        return attrs


class TimeOffRangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = TimeOff
        fields = ["id", "start_date", "end_date", "reason"]


class EmployeeSerializer(serializers.ModelSerializer):
    qualifications = serializers.ListField(
        child=choice_field(Qualification.choices, enum_id="rotations-qualification"),
        required=False,
        max_length=len(Qualification),
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
    type = choice_field(EventType.choices, source="event_type", enum_id="rotations-event-type")
    estimated_minutes = serializers.IntegerField(min_value=1, max_value=1440, required=False)
    project_ref_num = serializers.IntegerField(
        min_value=1,
        max_value=2**62,
        validators=[UniqueValidator(queryset=Event.objects.all(), message="An event with this ref num exists.")],
    )
    parent_event_ref_num = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=2**62, help_text="A supervisor event's core event."
    )
    status = choice_field(EventStatus.choices, required=False, enum_id="rotations-event-status")

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

    def validate_project_ref_num(self, value: int) -> int:
        if self.instance is not None and value != self.instance.project_ref_num:
            raise serializers.ValidationError("The project ref num of an event cannot change.")
        return value

    def validate(self, attrs):
        def current(name, default=None):
            return attrs.get(name, getattr(self.instance, name, default) if self.instance else default)

        errors: dict[str, list[str]] = {}
        start, due = current("start_date"), current("due_date")
        if start and due and due < start:
            errors["due_date"] = ["Must be on or after start_date."]
        status = current("status", EventStatus.UNSCHEDULED) or EventStatus.UNSCHEDULED
        employee, at = current("assigned_employee"), current("scheduled_at")
        if attrs.get("status") == EventStatus.UNSCHEDULED:
            if attrs.get("assigned_employee") is not None or attrs.get("scheduled_at") is not None:
                errors["status"] = ["An unscheduled event has no assigned employee nor time."]
            else:  # unassigns it
                attrs["assigned_employee"] = None
                attrs["scheduled_at"] = None
        elif status == EventStatus.UNSCHEDULED and (employee is not None or at is not None):
            attrs["status"] = status = EventStatus.SCHEDULED  # assigning makes it scheduled
        if status != EventStatus.UNSCHEDULED and "status" not in errors and (employee is None or at is None):
            errors["assigned_employee"] = ["A scheduled event needs assigned_employee and scheduled_at."]
        kind = current("event_type")
        if "parent_event_ref_num" in attrs:
            parent_ref = attrs.pop("parent_event_ref_num")
            if parent_ref is None:
                attrs["parent_event"] = None
            else:
                parent = Event.objects.filter(project_ref_num=parent_ref).first()
                if parent is None:
                    errors["parent_event_ref_num"] = [f"No event with project ref num {parent_ref}."]
                elif parent.event_type != EventType.CORE:
                    errors["parent_event_ref_num"] = ["The parent must be a core event."]
                elif parent.project_ref_num == current("project_ref_num"):
                    errors["parent_event_ref_num"] = ["An event cannot be its own parent."]
                else:
                    attrs["parent_event"] = parent
        has_parent = attrs.get("parent_event", getattr(self.instance, "parent_event", None) if self.instance else None)
        if has_parent is not None and kind != EventType.SUPERVISOR:
            errors.setdefault("parent_event_ref_num", []).append("Only a supervisor event has a parent core event.")
        if self.instance is not None and kind != EventType.CORE and self.instance.supervisor_events.exists():
            errors.setdefault("type", []).append("Supervisor events point at this event: it must stay a core event.")
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


def _check_rotation_employee(attrs, instance) -> None:
    rotation_type = attrs.get("rotation_type", getattr(instance, "rotation_type", None))
    employee = attrs.get("employee", getattr(instance, "employee", None))
    if rotation_type and employee:
        needed = ROTATION_QUALIFICATION[rotation_type]
        if needed not in (employee.qualifications or []):
            raise serializers.ValidationError(
                {"employee": [f"{employee.name} lacks the {needed!r} qualification for the {rotation_type} rotation."]}
            )


class RotationAssignmentSerializer(serializers.ModelSerializer):
    rotation_type = choice_field(RotationType.choices, enum_id="rotations-rotation-type")
    weekday = serializers.IntegerField(min_value=0, max_value=4, help_text="0 = Monday … 4 = Friday.")

    class Meta:
        model = RotationAssignment
        fields = ["id", "weekday", "rotation_type", "employee"]
        validators: list = []  # checked in validate() with a field-level message

    def validate(self, attrs):
        _check_rotation_employee(attrs, self.instance)
        weekday = attrs.get("weekday", getattr(self.instance, "weekday", None))
        rotation_type = attrs.get("rotation_type", getattr(self.instance, "rotation_type", None))
        clash = RotationAssignment.objects.filter(weekday=weekday, rotation_type=rotation_type)
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise serializers.ValidationError({"weekday": ["This weekday already has that rotation."]})
        return attrs


class ScheduleExceptionSerializer(serializers.ModelSerializer):
    rotation_type = choice_field(RotationType.choices, enum_id="rotations-exception-rotation-type")

    class Meta:
        model = ScheduleException
        fields = ["id", "date", "rotation_type", "employee", "reason"]
        extra_kwargs = {"date": {"validators": [sane_date]}}
        validators: list = []  # checked in validate() with a field-level message

    def validate(self, attrs):
        _check_rotation_employee(attrs, self.instance)
        day = attrs.get("date", getattr(self.instance, "date", None))
        rotation_type = attrs.get("rotation_type", getattr(self.instance, "rotation_type", None))
        clash = ScheduleException.objects.filter(Q(date=day) & Q(rotation_type=rotation_type))
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise serializers.ValidationError({"date": ["This date already has an exception for that rotation."]})
        return attrs


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
    kind = choice_field(RunKind.choices, read_only=True, enum_id="rotations-run-kind")
    status = choice_field(RunStatus.choices, read_only=True, enum_id="rotations-run-status")

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
    kind = choice_field(RunKind.choices, read_only=True, enum_id="rotations-run-detail-kind")
    status = choice_field(RunStatus.choices, read_only=True, enum_id="rotations-run-detail-status")
    unscheduled = UnscheduledSerializer(many=True, read_only=True)
    review = serializers.SerializerMethodField()

    class Meta(RunSerializer.Meta):
        fields = [*RunSerializer.Meta.fields, "unscheduled", "review"]
        read_only_fields = fields

    def get_review(self, run) -> ReviewSerializer:
        return ReviewSerializer(selectors.run_review(run)).data


class RunStatusSerializer(serializers.ModelSerializer):
    run_id = serializers.IntegerField(source="id")
    kind = choice_field(RunKind.choices, read_only=True, enum_id="rotations-run-status-kind")
    status = choice_field(RunStatus.choices, read_only=True, enum_id="rotations-run-status-status")

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
    status = choice_field(ProposalStatus.choices, read_only=True, enum_id="rotations-proposal-status")

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
