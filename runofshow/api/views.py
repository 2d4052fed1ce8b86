"""Run-of-show API (SPEC §9): thin views that validate, call a service and serialize."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api import ActionMomentSerializer
from config.errors import InvalidInput
from runofshow import selectors, services
from runofshow.api.serializers import (
    AuditEntrySerializer,
    ColumnPreferenceSerializer,
    CueSerializer,
    NewViewerLinkSerializer,
    SegmentSerializer,
    ShowCallSerializer,
    ShowSessionSerializer,
    ShowStateSerializer,
    StageMessageSerializer,
    TimingMomentSerializer,
    ViewerLinkSerializer,
)
from runofshow.columns import ALLOWED_COLUMNS
from runofshow.filters import AuditEntryFilter, CueFilter, SegmentFilter, ShowSessionFilter
from runofshow.models import AuditEntry, Cue, Segment, ShowSession, ViewerLink
from runofshow.permissions import MANAGE_SHOW_CALL, VIEW_SHOW_CALL, rundown_perms

TIMING_DOC = (
    "Timing: per segment `over_under_seconds` = actual − planned duration (positive = over). "
    "Show `offset_seconds` = expected end − planned end of show: **positive = behind** (running late), "
    "negative = ahead, as show callers read it. `expected_end` is the expected end of the show."
)
SESSION_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="Show session id.")
SEGMENT_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="Segment id.")
# Show-call actions: their services are atomic on their own (see SegmentViewSet.as_view).
SHOW_CALL_ACTIONS = {"activate", "complete", "skip"}
ERROR = OpenApiResponse(description='`{"detail": ..., "errors": {field: [...]}}`')


class ShowZoneMixin:
    """Times without an offset are read, and every time is written, in the show's zone (SPEC §2).

    ``show_zone_model`` is the model the URL's ``pk`` names; ``show_zone_path`` leads from it
    to the session's ``timezone``. An unknown pk finds no zone: the view answers 404 as usual."""

    show_zone_model = ShowSession
    show_zone_path = "timezone"

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        pk = kwargs.get("pk")
        if pk is not None:
            zone = self.show_zone_model.objects.filter(pk=pk).values_list(self.show_zone_path, flat=True).first()
            if zone:
                timezone.activate(zone)

    def finalize_response(self, request, response, *args, **kwargs):
        timezone.deactivate()
        return super().finalize_response(request, response, *args, **kwargs)


def _show_state_body(session: ShowSession, *, now: datetime) -> dict:
    return ShowStateSerializer(selectors.show_state(session, now=now)).data


@extend_schema_view(
    list=extend_schema(summary="Show sessions", description="Every show, newest first; filter by date, name, venue."),
    create=extend_schema(summary="Create a show session"),
    retrieve=extend_schema(summary="A show session"),
    update=extend_schema(summary="Replace a show session's details"),
    partial_update=extend_schema(summary="Change a show session's details"),
    destroy=extend_schema(summary="Delete a show session with its rundown"),
)
class ShowSessionViewSet(viewsets.ModelViewSet):
    queryset = selectors.sessions()
    serializer_class = ShowSessionSerializer
    lookup_value_regex = r"[0-9]+"
    action_perms = rundown_perms("showsession")
    filterset_class = ShowSessionFilter
    ordering_fields = ["date", "name", "id"]

    def perform_create(self, serializer):
        session = services.create_session(user=self.request.user, **serializer.validated_data)
        serializer.instance = self.get_queryset().get(pk=session.pk)

    def perform_update(self, serializer):
        services.update_session(session=serializer.instance, **serializer.validated_data)
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)

    def perform_destroy(self, instance):
        services.delete_session(session=instance)


@extend_schema_view(
    get=extend_schema(summary="A session's rundown", parameters=[SESSION_ID]),
    post=extend_schema(
        summary="Add a segment",
        description="Without `order` the segment goes last; without `start_time` it starts at the planned end of "
        "the last segment. Give `duration` (minutes) or `end_time`.",
        parameters=[SESSION_ID],
    ),
)
class SessionSegmentsView(ShowZoneMixin, generics.ListCreateAPIView):
    serializer_class = SegmentSerializer
    action_perms = rundown_perms("segment")
    filterset_class = SegmentFilter
    ordering_fields = ["order", "start_time", "id"]

    def get_session(self) -> ShowSession:
        if not hasattr(self, "_session"):
            self._session = get_object_or_404(ShowSession, pk=self.kwargs["pk"])
        return self._session

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Segment.objects.none()
        return selectors.rundown(self.get_session().pk)

    def create(self, request, *args, **kwargs):
        session = self.get_session()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        segment = services.create_segment(session=session, user=request.user, **serializer.validated_data)
        body = SegmentSerializer(selectors.segments().get(pk=segment.pk)).data
        return Response(body, status=status.HTTP_201_CREATED)


@extend_schema_view(
    retrieve=extend_schema(summary="A segment"),
    partial_update=extend_schema(
        summary="Change a segment's planned side",
        description="Status and actuals change only through activate / complete. Changing `start_time` alone keeps "
        "the duration (the end moves).",
    ),
    destroy=extend_schema(summary="Delete a segment", description="The live segment cannot be deleted (409)."),
)
class SegmentViewSet(
    ShowZoneMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    show_zone_model, show_zone_path = Segment, "session__timezone"
    queryset = selectors.segments()
    serializer_class = SegmentSerializer
    lookup_value_regex = r"[0-9]+"
    action_perms = {
        **rundown_perms("segment"),
        "activate": (MANAGE_SHOW_CALL,),  # show callers, whatever their rundown perms
        "complete": (MANAGE_SHOW_CALL,),
        "skip": (MANAGE_SHOW_CALL,),
    }
    http_method_names = ["get", "patch", "delete", "post", "head", "options"]

    @classmethod
    def as_view(cls, actions=None, **initkwargs):
        """Activate and complete run outside the request's transaction (ATOMIC_REQUESTS): the
        service commits its own, so the event leaves for every caller's screen the moment it
        commits, not after this view has built its answer."""
        view = super().as_view(actions, **initkwargs)
        if actions and set(actions.values()) <= SHOW_CALL_ACTIONS:
            view = transaction.non_atomic_requests(view)
        return view

    def perform_update(self, serializer):
        services.update_segment(segment=serializer.instance, **serializer.validated_data)
        serializer.instance = selectors.segments().get(pk=serializer.instance.pk)

    def perform_destroy(self, instance):
        services.delete_segment(segment=instance)

    def _show_call(self, request: Request) -> dict:
        """The body's ``at`` (a naive time is in the show's zone) and, when given, ``expected_active``."""
        data = request.data if isinstance(request.data, dict) else {}
        serializer = ShowCallSerializer(data=data)
        serializer.is_valid(raise_exception=True)
        at = serializer.validated_data.get("at")
        if at is not None and at.year < 1970:
            raise InvalidInput(errors={"at": ["Must be after 1970."]})
        arguments = {"at": at}
        if "expected_active" in serializer.validated_data:
            arguments["expected_active"] = serializer.validated_data["expected_active"]
        return arguments

    @extend_schema(
        summary="Make this segment live",
        description="Show callers only (`runofshow.manage_show_call`). A segment already live is completed at the "
        "same moment, and the pending segments before this one are skipped. Activating a completed or skipped "
        "segment runs it. The live segment → 409. `expected_active`: the segment id you believe is live (or null); "
        "if another is live → 409 naming it, nothing changes. `at` logs a past moment (default now; never in the "
        "future, never before the show's last change). Returns the show state. " + TIMING_DOC,
        request=ShowCallSerializer,
        responses={200: ShowStateSerializer, 400: ERROR, 403: ERROR, 404: ERROR, 409: ERROR},
    )
    @action(detail=True, methods=["post"])
    def activate(self, request, pk=None):
        segment = self.get_object()
        services.activate_segment(segment=segment, user=request.user, now=timezone.now(), **self._show_call(request))
        return Response(_show_state_body(segment.session, now=timezone.now()))

    @extend_schema(
        summary="Complete the live segment",
        description="Show callers only (`runofshow.manage_show_call`). A segment that is not live → 409, as is an "
        "`expected_active` that is not the live one. `at` logs a past moment (default now). Returns the show state. "
        + TIMING_DOC,
        request=ShowCallSerializer,
        responses={200: ShowStateSerializer, 400: ERROR, 403: ERROR, 404: ERROR, 409: ERROR},
    )
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        segment = self.get_object()
        services.complete_segment(segment=segment, user=request.user, now=timezone.now(), **self._show_call(request))
        return Response(_show_state_body(segment.session, now=timezone.now()))

    @extend_schema(
        summary="Skip a pending segment",
        description="Show callers only (`runofshow.manage_show_call`). The segment leaves the projection (expected "
        "end and offset) and can still be activated later. A segment that is not pending → 409. Returns the show "
        "state. " + TIMING_DOC,
        request=ActionMomentSerializer,
        responses={200: ShowStateSerializer, 400: ERROR, 403: ERROR, 404: ERROR, 409: ERROR},
    )
    @action(detail=True, methods=["post"])
    def skip(self, request, pk=None):
        segment = self.get_object()
        at = self._show_call(request)["at"]
        services.skip_segment(segment=segment, user=request.user, now=timezone.now(), at=at)
        return Response(_show_state_body(segment.session, now=timezone.now()))


@extend_schema_view(
    get=extend_schema(summary="A segment's cues", parameters=[SEGMENT_ID]),
    post=extend_schema(summary="Add a cue to a segment", parameters=[SEGMENT_ID]),
)
class SegmentCuesView(ShowZoneMixin, generics.ListCreateAPIView):
    show_zone_model, show_zone_path = Segment, "session__timezone"
    serializer_class = CueSerializer
    action_perms = rundown_perms("cue")
    filterset_class = CueFilter
    ordering_fields = ["offset_seconds", "number", "id"]

    def get_segment(self) -> Segment:
        if not hasattr(self, "_segment"):
            self._segment = get_object_or_404(Segment, pk=self.kwargs["pk"])
        return self._segment

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return selectors.cues().none()
        return selectors.cues().filter(segment=self.get_segment()).order_by("offset_seconds", "number", "id")

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if not getattr(self, "swagger_fake_view", False) and "pk" in self.kwargs:
            context["segment"] = self.get_segment()
        return context

    def perform_create(self, serializer):
        serializer.instance = services.create_cue(segment=self.get_segment(), **serializer.validated_data)


@extend_schema_view(
    retrieve=extend_schema(summary="A cue"),
    update=extend_schema(summary="Replace a cue"),
    partial_update=extend_schema(summary="Change a cue"),
    destroy=extend_schema(summary="Delete a cue"),
)
class CueViewSet(
    ShowZoneMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    show_zone_model, show_zone_path = Cue, "segment__session__timezone"
    queryset = selectors.cues()
    serializer_class = CueSerializer
    lookup_value_regex = r"[0-9]+"
    action_perms = rundown_perms("cue")

    def perform_update(self, serializer):
        serializer.instance = services.update_cue(cue=serializer.instance, **serializer.validated_data)

    def perform_destroy(self, instance):
        services.delete_cue(cue=instance)


class SessionStateView(ShowZoneMixin, APIView):
    action_perms = {"GET": (VIEW_SHOW_CALL,)}

    @extend_schema(
        summary="The live segment and the show's timing",
        description="The session state row is the single source of truth of the live segment (`active_segment`, "
        "`updated_by`, `updated_at`). `?at=` computes the timing for another moment. " + TIMING_DOC,
        parameters=[SESSION_ID, OpenApiParameter("at", datetime, description="Compute for this moment (ISO 8601).")],
        responses={200: ShowStateSerializer, 400: ERROR, 404: ERROR},
    )
    def get(self, request, pk: int):
        session = get_object_or_404(ShowSession, pk=pk)
        moment = TimingMomentSerializer(data=request.query_params)
        moment.is_valid(raise_exception=True)
        return Response(_show_state_body(session, now=moment.validated_data.get("at") or timezone.now()))


class ColumnPreferencesView(APIView):
    action_perms = {"GET": (VIEW_SHOW_CALL,), "PUT": (VIEW_SHOW_CALL,)}  # one's own columns

    def _body(self, request, session: ShowSession) -> dict:
        columns, is_default = selectors.visible_columns(user=request.user, session_id=session.pk)
        return {"visible_columns": columns, "is_default": is_default, "allowed_columns": list(ALLOWED_COLUMNS)}

    @extend_schema(
        summary="My rundown columns for this session",
        description="The defaults until the user saves a choice.",
        parameters=[SESSION_ID],
        responses={200: ColumnPreferenceSerializer, 404: ERROR},
    )
    def get(self, request, pk: int):
        session = get_object_or_404(ShowSession, pk=pk)
        return Response(ColumnPreferenceSerializer(self._body(request, session)).data)

    @extend_schema(
        summary="Save my rundown columns for this session",
        description="An unknown or repeated column name → 400 and nothing is saved.",
        parameters=[SESSION_ID],
        request=ColumnPreferenceSerializer,
        responses={200: ColumnPreferenceSerializer, 400: ERROR, 404: ERROR},
    )
    def put(self, request, pk: int):
        session = get_object_or_404(ShowSession, pk=pk)
        serializer = ColumnPreferenceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.set_visible_columns(
            user=request.user, session=session, visible_columns=serializer.validated_data["visible_columns"]
        )
        return Response(ColumnPreferenceSerializer(self._body(request, session)).data)


@extend_schema_view(
    get=extend_schema(
        summary="Audit log of the show call",
        description="Every activate / complete: who, when (`at`, and `recorded_at`), from which segment to which. "
        "Newest first.",
        parameters=[SESSION_ID],
    )
)
class SessionAuditView(ShowZoneMixin, generics.ListAPIView):
    serializer_class = AuditEntrySerializer
    action_perms = {"GET": (VIEW_SHOW_CALL,)}
    filterset_class = AuditEntryFilter
    ordering_fields = ["recorded_at", "at", "id"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return AuditEntry.objects.none()
        session = get_object_or_404(ShowSession, pk=self.kwargs["pk"])
        return selectors.audit_entries(session.pk)


@extend_schema_view(
    get=extend_schema(summary="The show's stage-timer links", parameters=[SESSION_ID]),
    post=extend_schema(
        summary="Make a stage-timer link",
        description="Show callers only. Answers `{url, token, expires_at, …}`: the token is shown this once (only "
        "its hash is kept). The link opens `/stage/{token}/` without an account until it expires or is revoked.",
        parameters=[SESSION_ID],
        responses={201: NewViewerLinkSerializer, 400: ERROR, 403: ERROR, 404: ERROR},
    ),
)
class SessionViewerLinksView(ShowZoneMixin, generics.ListCreateAPIView):
    serializer_class = ViewerLinkSerializer
    action_perms = {"GET": (VIEW_SHOW_CALL,), "POST": (MANAGE_SHOW_CALL,)}

    def get_session(self) -> ShowSession:
        return get_object_or_404(ShowSession, pk=self.kwargs["pk"])

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ViewerLink.objects.none()
        return selectors.viewer_links(self.get_session().pk)

    def create(self, request, *args, **kwargs):
        session = self.get_session()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        link, token = services.create_viewer_link(
            session=session, user=request.user, now=timezone.now(), **serializer.validated_data
        )
        link.token = token
        link.url = request.build_absolute_uri(f"/stage/{token}/")
        return Response(NewViewerLinkSerializer(link).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    delete=extend_schema(
        summary="Revoke a stage-timer link",
        description="Show callers only. The link's page stops loading and its open screens are closed at once.",
        responses={204: None, 403: ERROR, 404: ERROR},
    )
)
class ViewerLinkView(APIView):
    action_perms = {"DELETE": (MANAGE_SHOW_CALL,)}

    def delete(self, request, pk: int):
        link = get_object_or_404(ViewerLink, pk=pk)
        services.revoke_viewer_link(link=link, now=timezone.now())
        return Response(status=status.HTTP_204_NO_CONTENT)


class StageMessageView(APIView):
    action_perms = {"GET": (VIEW_SHOW_CALL,), "PUT": (MANAGE_SHOW_CALL,)}

    @extend_schema(summary="The show's stage message", parameters=[SESSION_ID], responses={200: StageMessageSerializer})
    def get(self, request, pk: int):
        session = get_object_or_404(ShowSession, pk=pk)
        return Response(StageMessageSerializer(selectors.stage_message(session.pk)).data)

    @extend_schema(
        summary="Set the show's stage message",
        description="Show callers only. `{text, visible}`; every stage timer of the show shows it at once.",
        parameters=[SESSION_ID],
        request=StageMessageSerializer,
        responses={200: StageMessageSerializer, 400: ERROR, 403: ERROR, 404: ERROR},
    )
    def put(self, request, pk: int):
        session = get_object_or_404(ShowSession, pk=pk)
        serializer = StageMessageSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        message = services.set_stage_message(session=session, user=request.user, **serializer.validated_data)
        return Response(StageMessageSerializer(message).data)
