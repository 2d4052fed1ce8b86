"""The publishing API (SPEC §9): thin views that validate, call a service, serialize."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from config.errors import InvalidInput
from config.permissions import spreadsheet_perms
from config.spreadsheet_api import SpreadsheetActions
from publishing import exports, selectors, services
from publishing.api import serializers as s
from publishing.filters import AITemplateFilter, PlatformAccountFilter, ScheduledPostFilter, VideoFilter
from publishing.generators import GenerationUnavailable, InvalidReply
from publishing.models import AITemplate, PlatformAccount
from publishing.spreadsheets import VideoResource

ERROR = s.ErrorSerializer


@extend_schema_view(
    create=extend_schema(responses={201: s.PlatformAccountSerializer, 400: ERROR}),
    destroy=extend_schema(responses={204: None, 409: ERROR}),
)
class PlatformAccountViewSet(viewsets.ModelViewSet):
    """Platform accounts. ``credentials`` are write-only: they are never in a response."""

    queryset = PlatformAccount.objects.all()
    serializer_class = s.PlatformAccountSerializer
    filterset_class = PlatformAccountFilter
    ordering_fields = ["platform", "handle", "updated_at"]

    def perform_create(self, serializer):
        serializer.instance = services.create_account(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.update_account(
            account=serializer.instance, now=timezone.now(), **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.delete_account(account=instance)


@extend_schema_view(
    create=extend_schema(responses={201: s.VideoSerializer, 400: ERROR}),
    update=extend_schema(responses={200: s.VideoSerializer, 400: ERROR, 409: ERROR}),
    partial_update=extend_schema(responses={200: s.VideoSerializer, 400: ERROR, 409: ERROR}),
    destroy=extend_schema(responses={204: None, 409: ERROR}),
)
class VideoViewSet(SpreadsheetActions, viewsets.ModelViewSet):
    """Videos: a file path or URL and the words that go with it."""

    action_perms = spreadsheet_perms("publishing", "video")  # the rest: the model's perms
    spreadsheet_name = "videos"
    queryset = selectors.videos()
    serializer_class = s.VideoSerializer
    filterset_class = VideoFilter
    ordering_fields = ["created_at", "title"]

    def perform_create(self, serializer):
        serializer.instance = services.create_video(**serializer.validated_data, user=self.request.user)

    def perform_update(self, serializer):
        serializer.instance = services.update_video(video=serializer.instance, **serializer.validated_data)

    def perform_destroy(self, instance):
        services.delete_video(video=instance)

    def spreadsheet(self):
        return VideoResource(user=self.request.user)


@extend_schema_view(
    list=extend_schema(summary="Posts (filter by status, platform, video, time)"),
    destroy=extend_schema(summary="Cancel a post", responses={200: s.PostSerializer, 409: ERROR}),
)
class ScheduledPostViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The queue: one post per video and platform."""

    queryset = selectors.posts()
    serializer_class = s.PostSerializer
    filterset_class = ScheduledPostFilter
    ordering_fields = ["scheduled_time", "status", "platform", "posted_at", "created_at"]
    ordering = ["scheduled_time", "id"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    # The rest follows the model perms (ActionPermissions falls back to the queryset's model).
    action_perms = {
        "force": ("publishing.change_scheduledpost",),
        "retry": ("publishing.change_scheduledpost",),
        "space": ("publishing.add_scheduledpost", "publishing.change_scheduledpost"),
    }

    @extend_schema(
        summary="Schedule a video on platforms (one post per platform)",
        request=s.PostCreateSerializer,
        responses={201: s.PostSerializer(many=True), 400: ERROR, 409: ERROR},
    )
    def create(self, request):
        body = s.PostCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        posts = services.schedule_video(
            video=body.validated_data["video"],
            platforms=body.validated_data["platforms"],
            scheduled_time=body.validated_data.get("scheduled_time"),
            now=timezone.now(),
            user=request.user,
        )
        return Response(s.PostSerializer(posts, many=True).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Reschedule a waiting post",
        request=s.PostRescheduleSerializer,
        responses={200: s.PostSerializer, 400: ERROR, 409: ERROR},
    )
    def partial_update(self, request, pk=None):
        post = self.get_object()
        body = s.PostRescheduleSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        post = services.reschedule_post(
            post=post, scheduled_time=body.validated_data["scheduled_time"], now=timezone.now()
        )
        return Response(s.PostSerializer(post).data)

    def destroy(self, request, pk=None):
        post = services.cancel_post(post=self.get_object())
        return Response(s.PostSerializer(post).data)

    @extend_schema(
        summary="Posts still to go out in the next hours (overdue included)",
        parameters=[OpenApiParameter("hours", int, description="Window in hours (1–744, default 24).")],
        responses={200: s.PostSerializer(many=True), 400: ERROR},
    )
    @action(detail=False, methods=["get"])
    def upcoming(self, request):
        query = s.UpcomingQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        posts = self.filter_queryset(selectors.upcoming_posts(now=timezone.now(), hours=query.validated_data["hours"]))
        page = self.paginate_queryset(posts)
        return self.get_paginated_response(s.PostSerializer(page, many=True).data)

    @extend_schema(
        summary="The queue, or the completed posts of a date range, as CSV",
        parameters=[s.ExportQuerySerializer],
        responses={(200, "text/csv"): OpenApiTypes.STR, 400: ERROR},
    )
    @action(detail=False, methods=["get"], filterset_class=None, pagination_class=None)
    def export(self, request):
        query = s.ExportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        tz = services.publishing_tz()
        since, until = query.validated_data.get("since"), query.validated_data.get("until")
        start = datetime.combine(since, time.min, tzinfo=tz) if since else None
        end = datetime.combine(until + timedelta(days=1), time.min, tzinfo=tz) if until else None
        kind = query.validated_data["kind"]
        rows = selectors.export_posts(kind=kind, since=start, until=end)
        response = HttpResponse(exports.to_csv(rows, tz=tz), content_type="text/csv; charset=utf-8")
        span = "-".join(str(d) for d in (since, until) if d) or "all"
        response["Content-Disposition"] = f'attachment; filename="setdesk-posts-{kind}-{span}.csv"'
        return response

    @extend_schema(summary="Scheduled, posting today, completed today, failed", responses={200: s.StatsSerializer})
    @action(detail=False, methods=["get"], filterset_class=None, pagination_class=None)
    def stats(self, request):
        return Response(s.StatsSerializer(selectors.post_stats(now=timezone.now())).data)

    @extend_schema(
        summary="Post now",
        request=None,
        responses={200: s.PostSerializer, 409: ERROR},
    )
    @action(detail=True, methods=["post"])
    def force(self, request, pk=None):
        post = services.force_post(post=self.get_object(), now=timezone.now())
        return Response(s.PostSerializer(post).data)

    @extend_schema(summary="Retry a failed post", request=None, responses={200: s.PostSerializer, 409: ERROR})
    @action(detail=True, methods=["post"])
    def retry(self, request, pk=None):
        post = services.retry_post(post=self.get_object(), now=timezone.now())
        return Response(s.PostSerializer(post).data)

    @extend_schema(
        summary="Spread videos over successive free slots on the platforms",
        request=s.SpaceSerializer,
        responses={201: s.PostSerializer(many=True), 400: ERROR, 409: ERROR},
    )
    @action(detail=False, methods=["post"])
    def space(self, request):
        body = s.SpaceSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        posts = services.space_videos(
            videos=body.validated_data["videos"],
            platforms=body.validated_data["platforms"],
            now=timezone.now(),
            user=request.user,
        )
        return Response(s.PostSerializer(posts, many=True).data, status=status.HTTP_201_CREATED)


class NextSlotView(APIView):
    """The next free posting slot on a platform."""

    action_perms = {"GET": ("publishing.view_scheduledpost",)}

    @extend_schema(
        parameters=[OpenApiParameter("platform", str, required=True, enum=["youtube", "instagram", "tiktok"])],
        responses={200: s.NextSlotSerializer, 400: ERROR},
    )
    def get(self, request):
        query = s.NextSlotQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        platform = query.validated_data["platform"]
        slot = services.next_slot(platforms=[platform], now=timezone.now())
        return Response(s.NextSlotSerializer({"platform": platform, "scheduled_time": slot}).data)


@extend_schema_view(
    create=extend_schema(responses={201: s.AITemplateSerializer, 400: ERROR}),
)
class AITemplateViewSet(viewsets.ModelViewSet):
    """AI prompt templates; exactly one may be active."""

    queryset = AITemplate.objects.all()
    serializer_class = s.AITemplateSerializer
    filterset_class = AITemplateFilter
    ordering_fields = ["name", "updated_at"]
    action_perms = {"activate": ("publishing.change_aitemplate",)}

    def perform_create(self, serializer):
        serializer.instance = services.create_template(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.update_template(template=serializer.instance, **serializer.validated_data)

    def perform_destroy(self, instance):
        services.delete_template(template=instance)

    @extend_schema(summary="The active template", responses={200: s.AITemplateSerializer, 404: ERROR})
    @action(detail=False, methods=["get"], filterset_class=None, pagination_class=None)
    def active(self, request):
        template = selectors.active_template()
        if template is None:
            raise NotFound("No template is active; the built-in default prompt is used.")
        return Response(s.AITemplateSerializer(template).data)

    @extend_schema(summary="Make this the one active template", request=None, responses={200: s.AITemplateSerializer})
    @action(detail=True, methods=["post"])
    def activate(self, request, pk=None):
        template = services.activate_template(template=self.get_object())
        return Response(s.AITemplateSerializer(template).data)


class TestPromptView(APIView):
    """Runs a prompt (or the active template) through the generator: ``{title, caption, hashtags}``.

    A reply that is not valid metadata → 400 naming the problem; an unreachable
    AI backend → 503. Nothing is written either way (the request's transaction
    only reads the active template, so it holds no lock while the model answers).
    """

    action_perms = {"POST": ("publishing.change_aitemplate",)}

    @extend_schema(
        request=s.TestPromptSerializer,
        responses={200: s.MetadataSerializer, 400: ERROR, 503: ERROR},
    )
    def post(self, request):
        body = s.TestPromptSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            metadata = services.generate_metadata(
                prompt_text=body.validated_data.get("prompt"),
                filename=body.validated_data["filename"],
                game_context=body.validated_data["game_context"] or "gaming",
            )
        except InvalidReply as exc:
            raise InvalidInput(str(exc), errors={"prompt": [str(exc)]}) from exc
        except GenerationUnavailable as exc:
            raise services.GeneratorDown(str(exc)) from exc
        return Response(s.MetadataSerializer(metadata.as_dict()).data)
