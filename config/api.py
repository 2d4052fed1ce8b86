"""Project-wide API pieces: auth endpoints, the `at` moment every action accepts, /healthz."""

from __future__ import annotations

import contextlib
from datetime import datetime, tzinfo

from django.contrib.auth import get_user_model
from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from config import health
from config.validators import MOMENT_ERROR_MESSAGES, validate_moment


class ActionMomentSerializer(serializers.Serializer):
    """Body of an action that logs a moment: an optional ``at`` (ISO 8601), never in the future,
    within the years 1900–2200 (SPEC §1: a moment far out would overflow the day's maths)."""

    at = serializers.DateTimeField(
        required=False, error_messages=MOMENT_ERROR_MESSAGES, help_text="When it happened; defaults to now."
    )

    # A little tolerance for clocks of phones on set that run a few seconds ahead.
    FUTURE_TOLERANCE_SECONDS = 5

    def validate_at(self, value: datetime) -> datetime:
        validate_moment(value)
        if (value - timezone.now()).total_seconds() > self.FUTURE_TOLERANCE_SECONDS:
            raise serializers.ValidationError("May not be in the future.")
        return value

    def moment(self) -> datetime:
        return self.validated_data.get("at") or timezone.now()


def action_moment(request, *, tz: tzinfo | None = None) -> datetime:
    """Validates the request's optional ``at`` and returns it (or now); 400 when bad. A time
    without an offset is in ``tz`` (the project's or event's zone), else the server's."""
    data = request.data if isinstance(request.data, dict) else {}
    serializer = ActionMomentSerializer(data=data)
    with timezone.override(tz) if tz is not None else contextlib.nullcontext():
        serializer.is_valid(raise_exception=True)
    return serializer.moment()


class LocalMomentField(serializers.DateTimeField):
    """A moment whose missing offset stays missing: the caller reads it in a zone it learns
    later (the project's, fetched with the data). Aware moments are kept as given."""

    def enforce_timezone(self, value: datetime) -> datetime:
        return value if timezone.is_naive(value) else super().enforce_timezone(value)


class MeSerializer(serializers.ModelSerializer):
    roles = serializers.SerializerMethodField()

    class Meta:
        model = get_user_model()
        fields = ["id", "username", "roles"]

    def get_roles(self, user) -> list[str]:
        return sorted(user.groups.values_list("name", flat=True))


class MeView(APIView):
    """The authenticated user and their roles."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(MeSerializer(request.user).data)


class HealthView(APIView):
    """Database, Redis and broker reachability: 200 when all are up, 503 naming what is down."""

    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        responses={
            200: inline_serializer(
                "Health",
                {"status": serializers.CharField(), "checks": serializers.DictField(child=serializers.CharField())},
            ),
            503: inline_serializer(
                "HealthDown",
                {"status": serializers.CharField(), "checks": serializers.DictField(child=serializers.CharField())},
            ),
        }
    )
    def get(self, request):
        checks = health.run_checks()
        ok = all(value in ("ok", "not configured") for value in checks.values())
        return Response({"status": "ok" if ok else "down", "checks": checks}, status=200 if ok else 503)
