from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.validators import UniqueValidator

from config.validators import MOMENT_ERROR_MESSAGES, validate_date, validate_moment
from publishing.generators import validate_template_text
from publishing.limits import HashtagError, normalize_hashtags
from publishing.models import AITemplate, Platform, PlatformAccount, PostStatus, ScheduledPost, Video
from publishing.uploaders import safe_permalink

MAX_TEXT = 10_000
MAX_PROMPT = 20_000


def _enum_schema(choices) -> dict:
    return {
        "type": "string",
        "enum": [value for value, _ in choices],
        "description": "\n".join(f"* `{value}` - {label}" for value, label in choices),
    }


# Named components of their own, so other apps' "status" fields never collide with these.
@extend_schema_field(_enum_schema(Platform.choices), component_name="PublishingPlatformEnum")
class PlatformField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=Platform.choices, **kwargs)


@extend_schema_field(_enum_schema(PostStatus.choices), component_name="PublishingPostStatusEnum")
class PostStatusField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=PostStatus.choices, **kwargs)


class PlatformAccountSerializer(serializers.ModelSerializer):
    """An account; ``credentials`` can be written (replaced) but are never returned."""

    platform = PlatformField(
        validators=[UniqueValidator(PlatformAccount.objects.all(), message="This platform already has an account.")]
    )
    credentials = serializers.JSONField(
        write_only=True, required=False, help_text="Tokens for the uploader (an object). Write-only."
    )
    has_credentials = serializers.SerializerMethodField()

    class Meta:
        model = PlatformAccount
        fields = ["id", "platform", "handle", "authenticated", "credentials", "has_credentials", "created_at",
                  "updated_at"]  # fmt: skip
        read_only_fields = ["created_at", "updated_at"]

    def get_has_credentials(self, account) -> bool:
        return bool(account.credentials)

    def validate_credentials(self, value):
        if not isinstance(value, dict):
            raise serializers.ValidationError("Credentials are a JSON object.")
        return value


@extend_schema_field(
    {"type": "array", "items": {"type": "string", "example": "#gaming"}, "description": "List or space-separated."}
)
class HashtagsField(serializers.Field):
    """Hashtags as a list (``["#a", "b"]``) or one string (``"#a #b"``); stored as ``["#a", "#b"]``."""

    def to_internal_value(self, data):
        if not isinstance(data, str | list):
            raise serializers.ValidationError("Expected a list of hashtags or a space-separated string.")
        try:
            return normalize_hashtags(data)
        except HashtagError as exc:
            raise serializers.ValidationError(str(exc)) from exc

    def to_representation(self, value):
        return list(value or [])


class PermalinkField(serializers.CharField):
    """A post's permalink: an http(s) URL or "" (rows stored before that rule may hold anything)."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value):
        return safe_permalink(value)


class PostBriefSerializer(serializers.ModelSerializer):
    platform = PlatformField(read_only=True)
    status = PostStatusField(read_only=True)
    external_url = PermalinkField()

    class Meta:
        model = ScheduledPost
        fields = ["id", "platform", "status", "scheduled_time", "external_url"]
        read_only_fields = fields


class VideoSerializer(serializers.ModelSerializer):
    source = serializers.CharField(
        max_length=1000,
        help_text="An absolute path to a file under PUBLISHING_MEDIA_ROOTS, or an https URL on a host in "
        "PUBLISHING_SOURCE_HOSTS. Local files are stored as their real path.",
    )
    hashtags = HashtagsField(required=False)
    caption = serializers.CharField(required=False, allow_blank=True, max_length=MAX_TEXT)
    posts = PostBriefSerializer(many=True, read_only=True)

    class Meta:
        model = Video
        fields = ["id", "source", "original_filename", "title", "caption", "hashtags", "game_context", "posts",
                  "created_at", "updated_at"]  # fmt: skip
        read_only_fields = ["created_at", "updated_at"]


class PostSerializer(serializers.ModelSerializer):
    video_title = serializers.CharField(source="video.title", read_only=True)
    account_handle = serializers.CharField(source="account.handle", read_only=True)
    platform = PlatformField(read_only=True)
    status = PostStatusField(read_only=True)
    external_url = PermalinkField()

    class Meta:
        model = ScheduledPost
        fields = ["id", "video", "video_title", "platform", "account", "account_handle", "scheduled_time", "status",
                  "attempts", "last_error", "external_id", "external_url", "posted_at", "next_attempt_at",
                  "idempotency_key", "created_at", "updated_at"]  # fmt: skip
        read_only_fields = fields


class PostCreateSerializer(serializers.Serializer):
    video = serializers.PrimaryKeyRelatedField(queryset=Video.objects.all())
    platforms = serializers.ListField(child=PlatformField(), allow_empty=False,
                                      max_length=len(Platform.choices))  # fmt: skip
    scheduled_time = serializers.DateTimeField(
        required=False,
        allow_null=True,
        validators=[validate_moment],
        error_messages=MOMENT_ERROR_MESSAGES,
        help_text="Defaults to the next slot free on every platform. Years 1900–2200.",
    )


class PostRescheduleSerializer(serializers.Serializer):
    scheduled_time = serializers.DateTimeField(
        validators=[validate_moment], error_messages=MOMENT_ERROR_MESSAGES, help_text="Years 1900–2200."
    )


class SpaceSerializer(serializers.Serializer):
    videos = serializers.ListField(
        child=serializers.PrimaryKeyRelatedField(queryset=Video.objects.all()), allow_empty=False, max_length=500
    )
    platforms = serializers.ListField(child=PlatformField(), allow_empty=False,
                                      max_length=len(Platform.choices))  # fmt: skip


class UpcomingQuerySerializer(serializers.Serializer):
    hours = serializers.IntegerField(required=False, default=24, min_value=1, max_value=24 * 31)


class StatsSerializer(serializers.Serializer):
    scheduled = serializers.IntegerField(help_text="Pending or posting.")
    posting_today = serializers.IntegerField(help_text="Of those, due today (project time zone).")
    completed_today = serializers.IntegerField()
    failed = serializers.IntegerField()


class NextSlotQuerySerializer(serializers.Serializer):
    platform = PlatformField()


class NextSlotSerializer(serializers.Serializer):
    platform = serializers.CharField()
    scheduled_time = serializers.DateTimeField()


class AITemplateSerializer(serializers.ModelSerializer):
    prompt_text = serializers.CharField(
        max_length=MAX_PROMPT,
        validators=[validate_template_text],
        help_text="Variables: {filename}, {game_context} (any other {name} is refused).",
    )

    class Meta:
        model = AITemplate
        fields = ["id", "name", "prompt_text", "is_active", "created_at", "updated_at"]
        read_only_fields = ["is_active", "created_at", "updated_at"]


class TestPromptSerializer(serializers.Serializer):
    prompt = serializers.CharField(
        required=False, max_length=MAX_PROMPT, help_text="Defaults to the active template, else the built-in one."
    )
    filename = serializers.CharField(max_length=255)
    game_context = serializers.CharField(required=False, default="gaming", allow_blank=True, max_length=200)


class MetadataSerializer(serializers.Serializer):
    title = serializers.CharField()
    caption = serializers.CharField()
    hashtags = serializers.ListField(child=serializers.CharField())


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class ExportQuerySerializer(serializers.Serializer):
    """``posts/export/``: which posts, and the local days they fall on (both optional, inclusive)."""

    kind = serializers.ChoiceField(choices=["queue", "completed"], default="queue")
    since = serializers.DateField(required=False, validators=[validate_date], help_text="First day (local).")
    until = serializers.DateField(required=False, validators=[validate_date], help_text="Last day (local).")

    def validate(self, attrs):
        if attrs.get("since") and attrs.get("until") and attrs["until"] < attrs["since"]:
            raise serializers.ValidationError({"until": ["Must not be before since."]})
        return attrs
