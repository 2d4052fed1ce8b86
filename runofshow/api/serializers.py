from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.api import ActionMomentSerializer
from config.validators import validate_date, validate_moment
from runofshow.columns import ALLOWED_COLUMNS, DEFAULT_COLUMNS, column_errors
from runofshow.models import (
    MAX_CUE_OFFSET_SECONDS,
    MAX_SEGMENT_MINUTES,
    AuditEntry,
    Cue,
    Segment,
    ShowSession,
    StageMessage,
    ViewerLink,
)
from runofshow.models import validate_timezone as _validate_timezone

# Planned and requested moments stay within these years, so no date arithmetic can overflow.
MIN_YEAR, MAX_YEAR = 1970, 2200


def check_year(value: datetime) -> datetime:
    # The project's range check; a show's moments start at 1970 (the run of show's `at` floor).
    return validate_moment(value, min_year=MIN_YEAR, max_year=MAX_YEAR)


class ShowSessionSerializer(serializers.ModelSerializer):
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    segments_count = serializers.IntegerField(read_only=True, default=0)
    active_segment_id = serializers.SerializerMethodField()

    class Meta:
        model = ShowSession
        fields = [
            "id",
            "name",
            "date",
            "venue",
            "timezone",
            "segments_count",
            "active_segment_id",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        extra_kwargs = {"timezone": {"help_text": "IANA time zone the show's times are shown in."}}

    def to_representation(self, instance):
        with timezone.override(instance.timezone):  # each show's times in its own zone
            return super().to_representation(instance)

    def get_active_segment_id(self, session: ShowSession) -> int | None:
        state = getattr(session, "state", None)
        return state.active_segment_id if state else None

    def validate_timezone(self, value: str) -> str:
        try:
            _validate_timezone(value)
        except Exception as exc:
            raise serializers.ValidationError(f"{value!r} is not a known IANA time zone (e.g. Europe/London).") from exc
        return value

    def validate_date(self, value):
        return validate_date(value, min_year=MIN_YEAR, max_year=MAX_YEAR)


class SegmentSerializer(serializers.ModelSerializer):
    order = serializers.IntegerField(
        min_value=0, max_value=1_000_000, required=False, help_text="Position in the rundown; defaults to last."
    )
    start_time = serializers.DateTimeField(
        required=False,
        help_text="Planned start. Defaults to the planned end of the last segment (required for the first).",
    )
    end_time = serializers.DateTimeField(
        required=False,
        help_text="Planned end = start_time + duration. May be given instead of duration (whole minutes after start).",
    )
    duration = serializers.IntegerField(
        min_value=1, max_value=MAX_SEGMENT_MINUTES, required=False, help_text="Planned duration in whole minutes."
    )
    cues_count = serializers.IntegerField(read_only=True, default=0)
    cues = serializers.SerializerMethodField(help_text="The segment's cues, in firing order (read only).")
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Segment
        fields = [
            "id",
            "session",
            "order",
            "name",
            "start_time",
            "end_time",
            "duration",
            "type",
            "status",
            "notes",
            "cues_count",
            "cues",
            "created_by",
            "created_at",
            "updated_at",
            "actual_start",
            "actual_end",
        ]
        read_only_fields = ["session", "status", "created_at", "updated_at", "actual_start", "actual_end"]

    @extend_schema_field(
        serializers.ListField(
            child=serializers.DictField(), help_text="{id, number, kind, offset_seconds, description}"
        )
    )
    def get_cues(self, segment: Segment) -> list[dict]:
        return [
            {
                "id": cue.pk,
                "number": cue.number,
                "kind": cue.kind,
                "offset_seconds": cue.offset_seconds,
                "description": cue.description,
            }
            for cue in segment.cues.all()
        ]

    def validate_start_time(self, value: datetime) -> datetime:
        return check_year(value)

    def validate_end_time(self, value: datetime) -> datetime:
        return check_year(value)

    def validate(self, attrs: dict) -> dict:
        end_time = attrs.pop("end_time", None)
        start = attrs.get("start_time", self.instance.start_time if self.instance else None)
        if end_time is not None:
            if start is None:
                raise serializers.ValidationError({"end_time": ["Give start_time with end_time."]})
            delta = end_time - start
            if delta <= timedelta(0) or delta.total_seconds() % 60:
                raise serializers.ValidationError({"end_time": ["Must be a whole number of minutes after start_time."]})
            minutes = int(delta.total_seconds() // 60)
            if minutes > MAX_SEGMENT_MINUTES:
                raise serializers.ValidationError({"end_time": [f"A segment lasts at most {MAX_SEGMENT_MINUTES} min."]})
            if "duration" in attrs and attrs["duration"] != minutes:
                raise serializers.ValidationError({"end_time": ["Disagrees with duration; give one or the other."]})
            attrs["duration"] = minutes
        if self.instance is None and "duration" not in attrs:
            raise serializers.ValidationError({"duration": ["Give duration (minutes) or end_time."]})
        return attrs


class CueSerializer(serializers.ModelSerializer):
    offset_seconds = serializers.IntegerField(
        min_value=-MAX_CUE_OFFSET_SECONDS,
        max_value=MAX_CUE_OFFSET_SECONDS,
        required=False,
        help_text="Seconds after the segment's start when the cue fires (negative: before it).",
    )

    class Meta:
        model = Cue
        fields = ["id", "segment", "number", "kind", "offset_seconds", "description", "created_at", "updated_at"]
        read_only_fields = ["segment", "created_at", "updated_at"]

    def validate_number(self, value: str) -> str:
        value = value.strip()
        if not value:
            raise serializers.ValidationError("May not be blank.")
        return value

    def validate(self, attrs: dict) -> dict:
        segment = self.context.get("segment") or (self.instance.segment if self.instance else None)
        number = attrs.get("number", self.instance.number if self.instance else None)
        kind = attrs.get("kind", self.instance.kind if self.instance else Cue.Kind.OTHER)
        if segment is not None and number is not None:
            clash = Cue.objects.filter(segment=segment, kind=kind, number=number)
            if self.instance is not None:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                raise serializers.ValidationError({"number": [f"This segment already has {kind} cue {number}."]})
        return attrs


class ColumnPreferenceSerializer(serializers.Serializer):
    visible_columns = serializers.ListField(
        child=serializers.CharField(),
        help_text=f"Columns to show, drawn from: {', '.join(ALLOWED_COLUMNS)}. Default: {', '.join(DEFAULT_COLUMNS)}.",
    )
    is_default = serializers.BooleanField(read_only=True, help_text="True until the user saves a choice.")
    allowed_columns = serializers.ListField(child=serializers.CharField(), read_only=True)

    def validate_visible_columns(self, value: list[str]) -> list[str]:
        errors = column_errors(value)
        if errors:
            raise serializers.ValidationError(errors)
        return value


class AuditEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEntry
        fields = [
            "id",
            "action",
            "actor",
            "actor_username",
            "at",
            "recorded_at",
            "from_segment",
            "from_segment_name",
            "to_segment",
            "to_segment_name",
        ]
        read_only_fields = fields


class SegmentTimingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    planned_start = serializers.DateTimeField()
    planned_end = serializers.DateTimeField()
    projected_start = serializers.DateTimeField(allow_null=True, help_text="Null for a skipped segment.")
    projected_end = serializers.DateTimeField(allow_null=True, help_text="Null for a skipped segment.")
    actual_seconds = serializers.IntegerField(
        allow_null=True, help_text="Completed: actual duration; in progress: elapsed so far; pending: null."
    )
    over_under_seconds = serializers.IntegerField(
        allow_null=True,
        help_text=(
            "Actual − planned duration in seconds: positive = over (ran long), negative = under. "
            "In progress: the overrun so far (≥ 0). Pending or skipped: null."
        ),
    )


class ShowTimingSerializer(serializers.Serializer):
    now = serializers.DateTimeField(help_text="The moment the timing is computed for.")
    planned_start = serializers.DateTimeField(allow_null=True)
    planned_end = serializers.DateTimeField(allow_null=True, help_text="Planned end of show.")
    expected_end = serializers.DateTimeField(allow_null=True, help_text="Expected end of show (projection).")
    offset_seconds = serializers.IntegerField(
        help_text=(
            "Show offset = expected end − planned end of show, in seconds. POSITIVE = BEHIND (running late), "
            "negative = ahead — as show callers read it."
        )
    )
    ahead_behind = serializers.ChoiceField(
        choices=["ahead", "behind", "on_time"], help_text="The offset in words (on time within 30 s either way)."
    )
    active_segment_id = serializers.IntegerField(allow_null=True)
    next_segment_id = serializers.IntegerField(allow_null=True)
    expected_segment_id = serializers.IntegerField(
        allow_null=True, help_text="The segment the planned times say should be on now."
    )
    segments = SegmentTimingSerializer(many=True)


class ShowStateSerializer(serializers.Serializer):
    session_id = serializers.IntegerField(source="session.pk")
    active_segment = SegmentSerializer(allow_null=True, help_text="The live segment (the state row's), or null.")
    updated_by = serializers.IntegerField(source="state.updated_by_id", allow_null=True, help_text="User id.")
    updated_by_username = serializers.CharField(source="state.updated_by.username", allow_null=True)
    updated_at = serializers.DateTimeField(
        source="state.updated_at", allow_null=True, help_text="Moment of the last activate / complete."
    )
    timing = ShowTimingSerializer()


class TimingMomentSerializer(serializers.Serializer):
    at = serializers.DateTimeField(required=False, help_text="Compute the timing for this moment instead of now.")

    def validate_at(self, value: datetime) -> datetime:
        return check_year(value)


class ShowCallSerializer(ActionMomentSerializer):
    """Body of activate / complete: ``at`` and what the caller believes is live."""

    expected_active = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="The segment id you believe is live (null: none). If another is live → 409 naming it.",
    )


class ViewerLinkSerializer(serializers.ModelSerializer):
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    active = serializers.SerializerMethodField(help_text="Neither revoked nor expired.")
    hours = serializers.IntegerField(
        write_only=True, required=False, min_value=1, help_text="How long the link stays open (default 48 h)."
    )

    class Meta:
        model = ViewerLink
        fields = ["id", "session", "label", "token_hint", "hours", "created_by", "created_at", "expires_at"]
        fields += ["revoked_at", "active"]
        read_only_fields = ["session", "token_hint", "created_by", "created_at", "expires_at", "revoked_at"]

    def get_active(self, link: ViewerLink) -> bool:
        return link.is_open(timezone.now())


class NewViewerLinkSerializer(ViewerLinkSerializer):
    """The answer to creating a link: the only time its token and URL are shown."""

    token = serializers.CharField(read_only=True, help_text="Shown once; only its hash is stored.")
    url = serializers.CharField(read_only=True, help_text="The stage timer's address, to open on any screen.")

    class Meta(ViewerLinkSerializer.Meta):
        fields = [*ViewerLinkSerializer.Meta.fields, "token", "url"]


class StageMessageSerializer(serializers.ModelSerializer):
    text = serializers.CharField(max_length=StageMessage.MAX_LENGTH, allow_blank=True, trim_whitespace=True)
    visible = serializers.BooleanField()
    updated_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = StageMessage
        fields = ["text", "visible", "updated_by", "updated_at"]
        read_only_fields = ["updated_by", "updated_at"]
