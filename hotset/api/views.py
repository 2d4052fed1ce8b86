"""Hot set API views: thin — validate, call a service, serialize.

Past ~450 lines because each of the five viewsets' actions carries its OpenAPI description
(``extend_schema``), about a third of the file; the code itself is one short method per
action. (To split by resource into ``hotset/api/views/`` if it grows further.)
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Case, Value, When
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from config.api import ActionMomentSerializer, action_moment
from config.permissions import model_perms
from hotset import report as report_module
from hotset import selectors, services
from hotset.api import serializers as s
from hotset.api.renderers import CSVRenderer
from hotset.filters import HotSetSessionFilter, ProductionDayFilter, ProjectFilter, ScheduleItemFilter
from hotset.idempotency import SCHEMA_PARAMETER as IDEMPOTENCY
from hotset.idempotency import idempotent
from hotset.models import HotSetSession, Notification, ProductionDay, Project, ScheduleItem, Suggestion
from hotset.permissions import RUN_HOT_SET

VIEW_SESSION = ("hotset.view_hotsetsession",)
VIEW_ITEMS = ("hotset.view_scheduleitem",)


def _session_tz(session: HotSetSession):
    return s.project_tz(session.production_day.project)


def _moment(request, session: HotSetSession) -> datetime:
    """The action's ``at`` (or now); a time without an offset is in the project's zone."""
    return action_moment(request, tz=_session_tz(session))


def query_moment(request) -> datetime | None:
    """The request's optional ``?at=``; 400 ``{"errors": {"at": [...]}}`` when it is no moment or
    lies outside the years 1900–2200 (every read of a session checks it the same way)."""
    query = s.ProjectionQuerySerializer(data={"at": request.query_params["at"]} if "at" in request.query_params else {})
    query.is_valid(raise_exception=True)
    return query.validated_data.get("at")


_AT_PARAMETER = OpenApiParameter(
    "at", OpenApiTypes.DATETIME, description="Compute for this moment (default: now; years 1900–2200)."
)


@extend_schema_view(
    list=extend_schema(summary="Projects"),
    create=extend_schema(summary="Create a project (with default hot set settings)"),
)
class ProjectViewSet(viewsets.ModelViewSet):
    lookup_value_regex = "[0-9]+"
    queryset = Project.objects.all()
    serializer_class = s.ProjectSerializer
    filterset_class = ProjectFilter
    ordering_fields = ["name", "created_at"]
    action_perms = {
        **model_perms("hotset", "project"),
        "hotset_settings:GET": ("hotset.view_hotsetsettings",),
        "hotset_settings:PUT": ("hotset.change_hotsetsettings",),
        "hotset_settings:PATCH": ("hotset.change_hotsetsettings",),
    }

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.create_project(name=data["name"], timezone_name=data.get("timezone", "UTC"))

    def perform_update(self, serializer):
        serializer.instance = services.update_project(project=serializer.instance, **serializer.validated_data)

    def perform_destroy(self, instance):
        services.delete_project(project=instance)

    @extend_schema(methods=["GET"], responses=s.HotSetSettingsSerializer, summary="Hot set settings of the project")
    @extend_schema(
        methods=["PUT", "PATCH"],
        request=s.HotSetSettingsSerializer,
        responses=s.HotSetSettingsSerializer,
        summary="Change the project's hot set settings",
    )
    @action(detail=True, methods=["get", "put", "patch"], url_path="settings", url_name="settings")
    def hotset_settings(self, request, pk=None):
        project = self.get_object()
        settings = selectors.settings_for(project)
        if request.method == "GET":
            return Response(s.HotSetSettingsSerializer(settings).data)
        serializer = s.HotSetSettingsSerializer(settings, data=request.data, partial=request.method == "PATCH")
        serializer.is_valid(raise_exception=True)
        settings = services.update_settings(project=project, **serializer.validated_data)
        return Response(s.HotSetSettingsSerializer(settings).data)


class ProductionDayViewSet(viewsets.ModelViewSet):
    lookup_value_regex = "[0-9]+"
    queryset = ProductionDay.objects.select_related("project", "hotset_session")
    serializer_class = s.ProductionDaySerializer
    filterset_class = ProductionDayFilter
    ordering_fields = ["date", "day_number", "general_call_time"]
    action_perms = model_perms("hotset", "productionday")

    def perform_create(self, serializer):
        serializer.instance = services.create_production_day(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.update_production_day(
            day=serializer.instance, now=timezone.now(), **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.delete_production_day(day=instance)


class HotSetSessionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """A production day's live session; state changes are actions (1st AD: ``hotset.run_hot_set``)."""

    lookup_value_regex = "[0-9]+"
    queryset = HotSetSession.objects.select_related(
        "production_day__project", "crew_call_confirmed_by", "first_shot_confirmed_by"
    )
    serializer_class = s.HotSetSessionSerializer
    filterset_class = HotSetSessionFilter
    ordering_fields = ["production_day__date", "created_at", "status"]
    action_perms = {
        "list": VIEW_SESSION,
        "retrieve": VIEW_SESSION,
        "create": ("hotset.add_hotsetsession",),
        "destroy": ("hotset.delete_hotsetsession",),
        "start": (RUN_HOT_SET,),
        "confirm_crew_call": (RUN_HOT_SET,),
        "confirm_first_shot": (RUN_HOT_SET,),
        "wrap": (RUN_HOT_SET,),
        "reorder": ("hotset.change_scheduleitem",),
        "projection": VIEW_SESSION,
        "report": VIEW_SESSION,
    }

    def filter_queryset(self, queryset):
        # Actions address one session by id; the list filters apply to the list only.
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)

    @extend_schema(request=s.HotSetSessionCreateSerializer, responses={201: s.HotSetSessionSerializer})
    def create(self, request):
        serializer = s.HotSetSessionCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        session = services.create_session(
            production_day=data["production_day"],
            user=request.user,
            auto_start=data.get("auto_start"),
            auto_start_minutes=data.get("auto_start_minutes"),
        )
        session = self.get_queryset().get(pk=session.pk)
        return Response(s.HotSetSessionSerializer(session).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        services.delete_session(session=instance)

    def _after(self, session: HotSetSession) -> Response:
        return Response(s.HotSetSessionSerializer(self.get_queryset().get(pk=session.pk)).data)

    @extend_schema(
        parameters=[IDEMPOTENCY],
        request=ActionMomentSerializer,
        responses=s.HotSetSessionSerializer,
        summary="Start the day",
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def start(self, request, pk=None):
        session = self.get_object()
        return self._after(
            services.start_session(session=session, user=request.user, at=_moment(request, session), now=timezone.now())
        )

    @extend_schema(
        parameters=[IDEMPOTENCY],
        request=ActionMomentSerializer,
        responses=s.HotSetSessionSerializer,
        summary="Confirm crew call",
    )
    @action(detail=True, methods=["post"], url_path="confirm-crew-call", url_name="confirm-crew-call")
    @idempotent
    def confirm_crew_call(self, request, pk=None):
        session = self.get_object()
        return self._after(
            services.confirm_crew_call(
                session=session, user=request.user, at=_moment(request, session), now=timezone.now()
            )
        )

    @extend_schema(
        parameters=[IDEMPOTENCY],
        request=ActionMomentSerializer,
        responses=s.HotSetSessionSerializer,
        summary="Confirm first shot",
    )
    @action(detail=True, methods=["post"], url_path="confirm-first-shot", url_name="confirm-first-shot")
    @idempotent
    def confirm_first_shot(self, request, pk=None):
        session = self.get_object()
        return self._after(
            services.confirm_first_shot(
                session=session, user=request.user, at=_moment(request, session), now=timezone.now()
            )
        )

    @extend_schema(
        parameters=[IDEMPOTENCY],
        request=ActionMomentSerializer,
        responses=s.HotSetSessionSerializer,
        summary="Wrap the day",
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def wrap(self, request, pk=None):
        session = self.get_object()
        return self._after(
            services.wrap_session(session=session, user=request.user, at=_moment(request, session), now=timezone.now())
        )

    @extend_schema(
        parameters=[IDEMPOTENCY],
        request=s.ReorderSerializer,
        responses=s.ScheduleItemSerializer(many=True),
        summary="Reorder",
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def reorder(self, request, pk=None):
        session = self.get_object()
        serializer = s.ReorderSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        items = services.reorder_items(
            session=session, item_ids=serializer.validated_data["item_ids"], now=timezone.now()
        )
        for item in items:
            item.session = session
        data = s.ScheduleItemSerializer(items, many=True, context={"tz": _session_tz(session)}).data
        return Response(data)

    @extend_schema(
        parameters=[_AT_PARAMETER],
        responses=s.ProjectionSerializer,
        summary="Planned, projected and actual times, variance, deviation and wrap",
    )
    @action(detail=True, methods=["get"])
    def projection(self, request, pk=None):
        data = selectors.projection(int(pk), now=timezone.now(), at=query_moment(request))
        return Response(data)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "format", OpenApiTypes.STR, enum=["json", "csv"], description="csv: the report as text/csv."
            )
        ],
        responses={(200, "application/json"): s.ReportSerializer, (200, "text/csv"): OpenApiTypes.STR},
        summary="Daily production report (final once wrapped)",
    )
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, CSVRenderer])
    def report(self, request, pk=None):
        session = self.get_object()
        # The report is of now; a stray ?at= is still held to the years every read accepts.
        query_moment(request)
        data = selectors.report(session, now=timezone.now())
        if request.accepted_renderer.format == "csv":
            response = Response(report_module.to_csv(data), content_type="text/csv; charset=utf-8")
            name = f"production-report-day-{data['day_number']}-{data['date']}.csv"
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
        return Response(data)


class SessionChildMixin:
    def get_session(self) -> HotSetSession:
        if not hasattr(self, "_session"):
            self._session = get_object_or_404(
                HotSetSession.objects.select_related("production_day__project"), pk=self.kwargs["pk"]
            )
        return self._session

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if "pk" in self.kwargs and not getattr(self, "swagger_fake_view", False):
            context["tz"] = _session_tz(self.get_session())
        return context


class SessionItemsView(SessionChildMixin, generics.ListCreateAPIView):
    """The session's schedule, in order (GET), or a new scene / block (POST; at the end or at ``position``)."""

    serializer_class = s.ScheduleItemSerializer
    filterset_class = ScheduleItemFilter
    ordering_fields = ["position"]
    action_perms = {"GET": VIEW_ITEMS, "POST": ("hotset.add_scheduleitem",)}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ScheduleItem.objects.none()
        return ScheduleItem.objects.filter(session=self.get_session()).order_by("position")

    @extend_schema(request=s.ScheduleItemSerializer, responses={201: s.ScheduleItemSerializer})
    def post(self, request, *args, **kwargs):
        session = self.get_session()
        serializer = s.ScheduleItemSerializer(data=request.data)
        with timezone.override(_session_tz(session)):
            serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        position = values.pop("position", None)
        item = services.add_item(session=session, values=values, position=position, now=timezone.now())
        item.session = session
        data = s.ScheduleItemSerializer(item, context={"tz": _session_tz(session)}).data
        return Response(data, status=status.HTTP_201_CREATED)


class SessionNotificationsView(SessionChildMixin, generics.ListAPIView):
    """Notifications sent for the session (newest first)."""

    serializer_class = s.NotificationSerializer
    ordering_fields = ["sent_at"]
    action_perms = {"GET": ("hotset.view_notification",)}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        return (
            Notification.objects.filter(session=self.get_session()).prefetch_related("recipients").order_by("-sent_at")
        )


_IMPACT_RANK = Case(
    When(impact=Suggestion.Impact.HIGH, then=Value(0)),
    When(impact=Suggestion.Impact.MEDIUM, then=Value(1)),
    default=Value(2),
)


@extend_schema(
    summary="Catch-up suggestions of the session",
    description=(
        "The session's proposed suggestions, most impact first (regenerated after every schedule change "
        "and every minute while the day is in progress; reading them changes nothing). "
        "Only `proposed` ones unless `?status=` asks for applied or dismissed ones."
    ),
)
class SessionSuggestionsView(SessionChildMixin, generics.ListAPIView):
    """Catch-up suggestions and warnings for the session (written by the services, never on read)."""

    serializer_class = s.SuggestionSerializer
    filterset_fields = ["status", "type", "impact"]
    action_perms = {"GET": ("hotset.view_suggestion",)}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Suggestion.objects.none()
        qs = Suggestion.objects.filter(session=self.get_session())
        if "status" not in self.request.query_params:
            qs = qs.filter(status=Suggestion.Status.PROPOSED)
        return qs.annotate(impact_rank=_IMPACT_RANK).order_by("impact_rank", "-minutes_recoverable", "pk")

    def list(self, request, *args, **kwargs):
        # Suggestions are of now; a stray ?at= is still held to the years every read accepts.
        query_moment(request)
        selectors.ensure_suggestions_computable(self.get_session())
        return super().list(request, *args, **kwargs)


class SuggestionViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """One suggestion; the 1st AD applies it (changes the schedule) or dismisses it (hides it)."""

    lookup_value_regex = "[0-9]+"
    queryset = Suggestion.objects.all()
    serializer_class = s.SuggestionSerializer
    action_perms = {
        "retrieve": ("hotset.view_suggestion",),
        "apply": (RUN_HOT_SET,),
        "dismiss": (RUN_HOT_SET,),
    }

    def filter_queryset(self, queryset):
        return queryset

    def _out(self, suggestion: Suggestion) -> Response:
        return Response(s.SuggestionSerializer(Suggestion.objects.get(pk=suggestion.pk)).data)

    @extend_schema(
        parameters=[IDEMPOTENCY],
        request=s.ApplySuggestionSerializer,
        responses=s.SuggestionSerializer,
        summary="Apply a suggestion (changes the schedule); 409 unless proposed",
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def apply(self, request, pk=None):
        suggestion = self.get_object()
        body = request.data if isinstance(request.data, dict) else {}
        serializer = s.ApplySuggestionSerializer(data=body)
        serializer.is_valid(raise_exception=True)
        suggestion = services.apply_suggestion(
            suggestion=suggestion,
            user=request.user,
            now=timezone.now(),
            production_day=serializer.validated_data.get("production_day"),
        )
        return self._out(suggestion)

    @extend_schema(
        parameters=[IDEMPOTENCY],
        request=None,
        responses=s.SuggestionSerializer,
        summary="Dismiss a suggestion; 409 unless proposed",
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def dismiss(self, request, pk=None):
        suggestion = self.get_object()
        return self._out(services.dismiss_suggestion(suggestion=suggestion, user=request.user, now=timezone.now()))


class ScheduleItemViewSet(
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """One scene or block: read, edit its plan (PATCH), delete while pending; start / complete / skip."""

    lookup_value_regex = "[0-9]+"
    queryset = ScheduleItem.objects.select_related("session__production_day__project")
    serializer_class = s.ScheduleItemSerializer
    http_method_names = ["get", "patch", "delete", "post", "head", "options"]
    action_perms = {
        **model_perms("hotset", "scheduleitem"),
        "start": (RUN_HOT_SET,),
        "complete": (RUN_HOT_SET,),
        "skip": (RUN_HOT_SET,),
    }

    def filter_queryset(self, queryset):
        return queryset

    def update(self, request, *args, **kwargs):
        item = self.get_object()
        serializer = s.ScheduleItemSerializer(item, data=request.data, partial=True)
        with timezone.override(_session_tz(item.session)):
            serializer.is_valid(raise_exception=True)
        item = services.update_item(item=item, now=timezone.now(), **serializer.validated_data)
        return self._item(item)

    def perform_destroy(self, instance):
        services.delete_item(item=instance, now=timezone.now())

    def _item(self, item: ScheduleItem) -> Response:
        return Response(s.ScheduleItemSerializer(self.get_queryset().get(pk=item.pk)).data)

    @extend_schema(
        parameters=[IDEMPOTENCY],
        request=ActionMomentSerializer,
        responses=s.ScheduleItemSerializer,
        summary="Start the item",
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def start(self, request, pk=None):
        item = self.get_object()
        return self._item(
            services.start_item(item=item, user=request.user, at=_moment(request, item.session), now=timezone.now())
        )

    @extend_schema(
        parameters=[IDEMPOTENCY],
        request=s.CompleteItemSerializer,
        responses=s.ScheduleItemSerializer,
        summary="Complete the item in progress (a scene may be partial; optionally start the next)",
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def complete(self, request, pk=None):
        item = self.get_object()
        body = request.data if isinstance(request.data, dict) else {}
        serializer = s.CompleteItemSerializer(data=body)
        with timezone.override(_session_tz(item.session)):
            serializer.is_valid(raise_exception=True)
        item = services.complete_item(
            item=item,
            user=request.user,
            at=serializer.moment(),
            partial=serializer.validated_data["partial"],
            next_item_id=serializer.validated_data.get("next_item"),
            now=timezone.now(),
        )
        return self._item(item)

    @extend_schema(
        parameters=[IDEMPOTENCY],
        request=ActionMomentSerializer,
        responses=s.ScheduleItemSerializer,
        summary="Skip a pending item",
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def skip(self, request, pk=None):
        item = self.get_object()
        return self._item(
            services.skip_item(item=item, user=request.user, at=_moment(request, item.session), now=timezone.now())
        )
