"""Hot set API serializers: validation and shapes only (services do the writes).

Times go out as ISO 8601 in the project's time zone (with its offset); naive times coming in
are read in the project's zone where the view knows the project.
"""

from __future__ import annotations

import zoneinfo
from datetime import timedelta

from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone
from rest_framework import serializers

from config.api import ActionMomentSerializer, LocalMomentField
from config.validators import MOMENT_ERROR_MESSAGES, validate_date, validate_moment
from hotset import services
from hotset.models import (
    HotSetSession,
    HotSetSettings,
    Notification,
    ProductionDay,
    Project,
    ScheduleItem,
    Suggestion,
)


def project_tz(project: Project | None) -> zoneinfo.ZoneInfo | None:
    if project is None:
        return None
    try:
        return project.tzinfo
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


class LocalTimesMixin:
    """Renders datetimes in the project's zone: ``context["tz"]`` or ``local_tz(instance)``."""

    def local_tz(self, instance):
        return None

    def to_representation(self, instance):
        tz = self.context.get("tz") or self.local_tz(instance)
        if tz is None:
            return super().to_representation(instance)
        with timezone.override(tz):
            return super().to_representation(instance)


class ProjectSerializer(serializers.ModelSerializer):
    class Meta:
        model = Project
        fields = ["id", "name", "timezone", "created_at"]
        read_only_fields = ["created_at"]


class HotSetSettingsSerializer(serializers.ModelSerializer):
    class Meta:
        model = HotSetSettings
        fields = ["project", *services.SETTINGS_FIELDS, "updated_at"]
        read_only_fields = ["project", "updated_at"]


# Times the day's maths adds durations to: a moment far out (9999-12-31) would overflow it.
_IN_RANGE = {"validators": [validate_moment], "error_messages": MOMENT_ERROR_MESSAGES}


class ProductionDaySerializer(LocalTimesMixin, serializers.ModelSerializer):
    session_id = serializers.SerializerMethodField()

    class Meta:
        model = ProductionDay
        fields = [
            "id",
            "project",
            "date",
            "day_number",
            "general_call_time",
            "planned_wrap",
            "extended_wrap",
            "location",
            "notes",
            "session_id",
        ]
        read_only_fields = ["extended_wrap"]  # set by applying "extend day"
        extra_kwargs = {
            "date": {"validators": [validate_date]},
            "general_call_time": _IN_RANGE,
            "planned_wrap": _IN_RANGE,
        }

    def local_tz(self, instance):
        return project_tz(instance.project)

    def get_session_id(self, day) -> int | None:
        try:
            return day.hotset_session.pk
        except ObjectDoesNotExist:
            return None

    def to_internal_value(self, data):
        # Naive times are read in the project's zone.
        project = getattr(self.instance, "project", None)
        if isinstance(data, dict) and "project" in data:
            raw = data.get("project")
            if isinstance(raw, int) or (isinstance(raw, str) and raw.isdigit()):
                project = Project.objects.filter(pk=int(raw)).first() or project
        tz = project_tz(project)
        if tz is None:
            return super().to_internal_value(data)
        with timezone.override(tz):
            return super().to_internal_value(data)

    def validate(self, attrs):
        def value(name):
            return attrs[name] if name in attrs else getattr(self.instance, name, None)

        project, date, call, wrap = value("project"), value("date"), value("general_call_time"), value("planned_wrap")
        errors = {}
        if project is not None and date is not None and call is not None:
            local_date = call.astimezone(project.tzinfo).date()
            if local_date != date:
                errors["general_call_time"] = [f"Falls on {local_date} in {project.timezone}, not on the day's {date}."]
        if call is not None and wrap is not None:
            if wrap <= call:
                errors["planned_wrap"] = ["Must be after the general call time."]
            elif wrap - call > timedelta(hours=24):
                errors["planned_wrap"] = ["Must be within 24 hours of the general call time."]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class HotSetSessionSerializer(LocalTimesMixin, serializers.ModelSerializer):
    project = serializers.IntegerField(source="production_day.project_id", read_only=True)
    project_name = serializers.CharField(source="production_day.project.name", read_only=True)
    timezone = serializers.CharField(source="production_day.project.timezone", read_only=True)
    date = serializers.DateField(source="production_day.date", read_only=True)
    day_number = serializers.IntegerField(source="production_day.day_number", read_only=True)
    general_call_time = serializers.DateTimeField(source="production_day.general_call_time", read_only=True)
    planned_wrap = serializers.DateTimeField(source="production_day.planned_wrap", read_only=True)
    location = serializers.CharField(source="production_day.location", read_only=True)
    crew_call_confirmed_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    first_shot_confirmed_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = HotSetSession
        fields = [
            "id",
            "production_day",
            "project",
            "project_name",
            "timezone",
            "date",
            "day_number",
            "general_call_time",
            "planned_wrap",
            "location",
            "status",
            "auto_started",
            "started_at",
            "wrapped_at",
            "crew_call_confirmed_at",
            "crew_call_confirmed_by",
            "first_shot_confirmed_at",
            "first_shot_confirmed_by",
            "created_at",
        ]
        read_only_fields = fields

    def local_tz(self, instance):
        return project_tz(instance.production_day.project)


class HotSetSessionCreateSerializer(serializers.Serializer):
    production_day = serializers.PrimaryKeyRelatedField(queryset=ProductionDay.objects.select_related("project"))
    auto_start = serializers.BooleanField(required=False, help_text="Updates the project's auto-start setting.")
    auto_start_minutes = serializers.IntegerField(
        required=False, min_value=0, max_value=1440, help_text="Minutes before call; updates the project's setting."
    )


class ScheduleItemSerializer(LocalTimesMixin, serializers.ModelSerializer):
    """A scene or block. On create, ``position`` inserts before the item now at that index
    (default: the end); afterwards the order changes only through ``reorder``."""

    label = serializers.CharField(read_only=True)
    position = serializers.IntegerField(required=False, min_value=0, max_value=100_000)

    class Meta:
        model = ScheduleItem
        fields = [
            "id",
            "session",
            "position",
            "kind",
            "block_type",
            "label",
            "title",
            "scene_number",
            "set_name",
            "location",
            "int_ext",
            "day_night",
            "description",
            "pages_eighths",
            "setups",
            "planned_start",
            "planned_duration_minutes",
            "status",
            "actual_start",
            "actual_end",
            "skipped_at",
            "is_partial",
            "notes",
            "updated_at",
        ]
        extra_kwargs = {"planned_start": _IN_RANGE}
        read_only_fields = [
            "session",
            "status",
            "actual_start",
            "actual_end",
            "skipped_at",
            "is_partial",
            "updated_at",
        ]

    def local_tz(self, instance):
        return project_tz(instance.session.production_day.project)

    def validate(self, attrs):
        if self.instance is not None and "position" in attrs:
            raise serializers.ValidationError({"position": ["Use the session's reorder action to move items."]})
        if self.instance is None:
            for name in ("kind", "planned_duration_minutes"):
                if name not in attrs:
                    raise serializers.ValidationError({name: ["This field is required."]})
        kind = attrs.get("kind", getattr(self.instance, "kind", None))
        if "block_type" in attrs:
            block_type = attrs["block_type"]
        elif self.instance is not None and kind == self.instance.kind:
            block_type = self.instance.block_type
        else:
            block_type = ""
        if kind == ScheduleItem.Kind.SCENE and block_type:
            raise serializers.ValidationError({"block_type": ["A scene has no block type."]})
        if kind == ScheduleItem.Kind.BLOCK and not block_type:
            raise serializers.ValidationError({"block_type": ["A block needs a block type."]})
        if kind is not None and ("kind" in attrs or "block_type" in attrs):
            attrs["block_type"] = block_type
        return attrs


class ReorderSerializer(serializers.Serializer):
    item_ids = serializers.ListField(child=serializers.IntegerField(min_value=1), max_length=5000, allow_empty=True)


class CompleteItemSerializer(ActionMomentSerializer):
    partial = serializers.BooleanField(required=False, default=False, help_text="A scene shot in part.")
    next_item = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        help_text="A pending item of the session to start at the same moment (complete and start next, one tap).",
    )


class ProjectionQuerySerializer(serializers.Serializer):
    """``?at=`` of the session's reads: an optional moment within the years 1900–2200."""

    at = LocalMomentField(
        required=False,
        validators=[validate_moment],
        error_messages=MOMENT_ERROR_MESSAGES,
        help_text="The moment to compute the projection for; without an offset, in the project's time zone.",
    )


class NotificationSerializer(LocalTimesMixin, serializers.ModelSerializer):
    type = serializers.ChoiceField(source="kind", choices=Notification.Kind.choices, read_only=True)
    recipients = serializers.SlugRelatedField(slug_field="username", many=True, read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "project", "session", "type", "recipients", "recipient_roles", "sent_at", "payload"]
        read_only_fields = fields


class SuggestionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Suggestion
        fields = [
            "id",
            "session",
            "type",
            "target",
            "impact",
            "title",
            "description",
            "minutes_recoverable",
            "compliance_flag",
            "compliance_warning",
            "payload",
            "status",
            "created_at",
            "resolved_at",
        ]
        read_only_fields = fields


class ApplySuggestionSerializer(serializers.Serializer):
    production_day = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        help_text="Scene move: the shoot day to move the scene to (default: the one suggested).",
    )


# --- projection (response shape for the schema; the selector builds plain dicts) ----------


class IntervalSerializer(serializers.Serializer):
    start = serializers.DateTimeField(allow_null=True)
    end = serializers.DateTimeField(allow_null=True)


class ProjectionItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    position = serializers.IntegerField()
    kind = serializers.CharField(help_text="scene | block")
    block_type = serializers.CharField(allow_blank=True)
    label = serializers.CharField()
    title = serializers.CharField(allow_blank=True)
    scene_number = serializers.CharField(allow_blank=True)
    set_name = serializers.CharField(allow_blank=True)
    location = serializers.CharField(allow_blank=True)
    pages_eighths = serializers.IntegerField()
    setups = serializers.IntegerField()
    status = serializers.CharField(help_text="pending | in_progress | completed | skipped (as of ``at``)")
    is_partial = serializers.BooleanField()
    planned_duration_minutes = serializers.IntegerField()
    planned = IntervalSerializer()
    projected = IntervalSerializer()
    actual = IntervalSerializer()
    variance_minutes = serializers.IntegerField(allow_null=True, help_text="Completed: planned − actual minutes.")
    elapsed_minutes = serializers.IntegerField(allow_null=True, help_text="In progress: minutes since it started.")


class TurnaroundSerializer(serializers.Serializer):
    next_call = serializers.DateTimeField(help_text="The general call of the project's next shoot day.")
    rest_minutes = serializers.IntegerField(help_text="From the (projected) wrap to that call.")
    short_by_minutes = serializers.IntegerField(help_text="How far the rest falls short of the turnaround rule.")


class LabourSerializer(serializers.Serializer):
    meal_number = serializers.IntegerField(help_text="Which meal of the day the clock runs towards (1 = first).")
    meal_due_at = serializers.DateTimeField(help_text="When that meal is due (from call or the last real meal).")
    meal_penalty_at = serializers.DateTimeField(help_text="Due + grace: a meal starting later costs penalties.")
    projected_meal_penalties = serializers.IntegerField(help_text="Penalties of the whole day as projected now.")
    day_length_minutes = serializers.IntegerField(help_text="From crew call (or general call) to the projected wrap.")
    max_day_minutes = serializers.IntegerField(help_text="The maximum day (the project's max_day_hours) in minutes.")
    max_day_at = serializers.DateTimeField(help_text="Crew call + the maximum day.")
    turnaround = TurnaroundSerializer(allow_null=True, help_text="Null when the project has no later shoot day.")


class ProjectionSerializer(serializers.Serializer):
    session_id = serializers.IntegerField()
    status = serializers.CharField(help_text="The session's status: not_started | in_progress | wrapped")
    timezone = serializers.CharField()
    at = serializers.DateTimeField()
    general_call_time = serializers.DateTimeField()
    cumulative_variance_minutes = serializers.IntegerField(help_text="Positive = ahead, negative = behind.")
    realtime_deviation_minutes = serializers.IntegerField(help_text="Schedule position − now; negative = behind.")
    schedule_position = serializers.DateTimeField(allow_null=True)
    current_item_id = serializers.IntegerField(allow_null=True)
    expected_item_id = serializers.IntegerField(allow_null=True)
    next_item_id = serializers.IntegerField(allow_null=True)
    planned_wrap = serializers.DateTimeField(allow_null=True)
    schedule_planned_end = serializers.DateTimeField(allow_null=True)
    projected_wrap = serializers.DateTimeField(allow_null=True)
    wrap_variance_minutes = serializers.IntegerField(help_text="Planned − projected wrap; positive = ahead.")
    remaining_minutes = serializers.IntegerField()
    extended_wrap = serializers.DateTimeField(allow_null=True, help_text='The wrap "extend day" set; null if none.')
    labour = LabourSerializer()
    items = ProjectionItemSerializer(many=True)


# --- daily production report (response shape for the schema) --------------------------------


class ReportMealSerializer(serializers.Serializer):
    item_id = serializers.IntegerField()
    label = serializers.CharField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField(allow_null=True)
    minutes = serializers.IntegerField(allow_null=True)
    shorter_than_rule = serializers.BooleanField(help_text="Shorter than the settings' meal minutes.")
    qualifies = serializers.BooleanField(help_text="Long enough to stop the meal clock (not a walking lunch).")
    penalties = serializers.IntegerField(help_text="Penalties incurred by this meal's lateness.")


class ReportSceneSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    scene_number = serializers.CharField(allow_blank=True)
    label = serializers.CharField()
    set_name = serializers.CharField(allow_blank=True)
    status = serializers.CharField()
    pages_eighths = serializers.IntegerField()
    pages = serializers.CharField(help_text='Pages as on a call sheet, e.g. "1 4/8".')
    setups = serializers.IntegerField()
    planned_minutes = serializers.IntegerField()
    actual_minutes = serializers.IntegerField(allow_null=True)


class ReportScenesSerializer(serializers.Serializer):
    completed = ReportSceneSerializer(many=True)
    partial = ReportSceneSerializer(many=True)
    not_shot = ReportSceneSerializer(many=True)


class ReportMovedSceneSerializer(serializers.Serializer):
    scene_number = serializers.CharField(allow_blank=True)
    label = serializers.CharField()
    pages_eighths = serializers.IntegerField()
    pages = serializers.CharField()
    setups = serializers.IntegerField()
    planned_minutes = serializers.IntegerField()
    to_day_number = serializers.IntegerField()
    to_date = serializers.DateField()
    moved_at = serializers.DateTimeField()


class ReportMealPeriodSerializer(serializers.Serializer):
    number = serializers.IntegerField(help_text="1 = the first meal of the day.")
    due_at = serializers.DateTimeField()
    meal_start = serializers.DateTimeField(allow_null=True, help_text="None: no meal before wrap.")
    late_minutes = serializers.IntegerField()
    penalties = serializers.IntegerField()


class ReportSerializer(serializers.Serializer):
    session_id = serializers.IntegerField()
    project = serializers.CharField()
    timezone = serializers.CharField()
    date = serializers.DateField()
    day_number = serializers.IntegerField()
    location = serializers.CharField(allow_blank=True)
    final = serializers.BooleanField(help_text="True once the day is wrapped.")
    status = serializers.CharField()
    general_call_time = serializers.DateTimeField()
    crew_call_confirmed_at = serializers.DateTimeField(allow_null=True)
    first_shot_at = serializers.DateTimeField(allow_null=True)
    meals = ReportMealSerializer(many=True)
    camera_wrap_at = serializers.DateTimeField(allow_null=True)
    wrap_at = serializers.DateTimeField(allow_null=True)
    planned_wrap = serializers.DateTimeField(allow_null=True, help_text="The original planned wrap.")
    extended_wrap = serializers.DateTimeField(allow_null=True, help_text='The wrap "extend day" set.')
    overtime_minutes = serializers.IntegerField(help_text="Wrap past the original planned wrap.")
    turnaround = TurnaroundSerializer(allow_null=True, help_text="Rest from wrap to the next shoot day's call.")
    day_length_minutes = serializers.IntegerField(help_text="From crew call (or general call) to wrap / now.")
    over_max_day = serializers.BooleanField()
    scenes = ReportScenesSerializer()
    scenes_completed = serializers.IntegerField()
    scenes_partial = serializers.IntegerField()
    scenes_not_shot = serializers.IntegerField()
    scenes_moved = ReportMovedSceneSerializer(many=True, help_text="Scenes moved to another day, with that day.")
    pages_scheduled_eighths = serializers.IntegerField()
    pages_shot_eighths = serializers.IntegerField()
    pages_partial_eighths = serializers.IntegerField()
    pages_not_shot_eighths = serializers.IntegerField()
    pages_shot = serializers.CharField()
    setups = serializers.IntegerField(help_text="Setups of the scenes completed or partly shot.")
    cumulative_variance_minutes = serializers.IntegerField(help_text="Positive = ahead, negative = behind.")
    wrap_variance_minutes = serializers.IntegerField(allow_null=True, help_text="Planned − actual wrap.")
    meal_penalties = serializers.IntegerField()
    meal_periods = ReportMealPeriodSerializer(many=True)
