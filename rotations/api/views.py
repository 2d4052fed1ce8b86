"""Rotations API: thin — validate, call a service, serialize."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from config.permissions import model_perms, spreadsheet_perms
from config.spreadsheet_api import SpreadsheetActions
from rotations import filters, services, spreadsheets
from rotations.api import serializers as s
from rotations.models import (
    Employee,
    Event,
    PendingSchedule,
    RotationAssignment,
    ScheduleException,
    SchedulerRun,
    TimeOff,
)
from rotations.permissions import APPROVE_PERM, RUN_PERM, VIEW_PROPOSAL_PERM, VIEW_RUN_PERM


class ServiceWritesMixin:
    """Create, update and delete through the record's services (``create_<thing>``,
    ``update_<thing>(*, <thing>, **changes)``, ``delete_<thing>(*, <thing>)``): the rules hold
    there, for the admin too; a lost race on a unique key or a row still in use is a 409."""

    thing: str  # e.g. "employee" → services.create_employee / update_employee / delete_employee

    def perform_create(self, serializer):
        serializer.instance = getattr(services, f"create_{self.thing}")(**serializer.validated_data)

    def perform_update(self, serializer):
        update = getattr(services, f"update_{self.thing}")
        serializer.instance = update(**{self.thing: serializer.instance}, **serializer.validated_data)

    def perform_destroy(self, instance):
        getattr(services, f"delete_{self.thing}")(**{self.thing: instance})


@extend_schema_view(list=extend_schema(summary="Employees"), create=extend_schema(summary="Create an employee"))
class EmployeeViewSet(SpreadsheetActions, ServiceWritesMixin, viewsets.ModelViewSet):
    thing = "employee"
    action_perms = {**model_perms("rotations", "employee"), **spreadsheet_perms("rotations", "employee")}
    spreadsheet_resource = spreadsheets.EmployeeResource
    spreadsheet_name = "employees"
    queryset = Employee.objects.prefetch_related("time_off")
    serializer_class = s.EmployeeSerializer
    filterset_class = filters.EmployeeFilter
    ordering_fields = ["name", "id", "created_at"]


@extend_schema_view(list=extend_schema(summary="Time off"), create=extend_schema(summary="Add time off"))
class TimeOffViewSet(SpreadsheetActions, ServiceWritesMixin, viewsets.ModelViewSet):
    thing = "time_off"
    action_perms = {**model_perms("rotations", "timeoff"), **spreadsheet_perms("rotations", "timeoff")}
    spreadsheet_resource = spreadsheets.TimeOffResource
    spreadsheet_name = "time-off"
    queryset = TimeOff.objects.select_related("employee")
    serializer_class = s.TimeOffSerializer
    filterset_class = filters.TimeOffFilter
    ordering_fields = ["start_date", "end_date", "id"]


@extend_schema_view(list=extend_schema(summary="Events to schedule"), create=extend_schema(summary="Create an event"))
class EventViewSet(SpreadsheetActions, ServiceWritesMixin, viewsets.ModelViewSet):
    thing = "event"
    action_perms = {**model_perms("rotations", "event"), **spreadsheet_perms("rotations", "event")}
    spreadsheet_resource = spreadsheets.EventResource
    spreadsheet_name = "events"
    queryset = Event.objects.all()
    serializer_class = s.EventSerializer
    filterset_class = filters.EventFilter
    ordering_fields = ["due_date", "start_date", "project_ref_num", "id"]


@extend_schema_view(list=extend_schema(summary="Weekly rotations (juicer, primary lead)"))
class RotationAssignmentViewSet(SpreadsheetActions, ServiceWritesMixin, viewsets.ModelViewSet):
    thing = "rotation_assignment"
    action_perms = {
        **model_perms("rotations", "rotationassignment"),
        **spreadsheet_perms("rotations", "rotationassignment"),
    }
    spreadsheet_resource = spreadsheets.RotationAssignmentResource
    spreadsheet_name = "rotation-assignments"
    queryset = RotationAssignment.objects.select_related("employee")
    serializer_class = s.RotationAssignmentSerializer
    filterset_class = filters.RotationAssignmentFilter
    ordering_fields = ["weekday", "rotation_type", "id"]


@extend_schema_view(list=extend_schema(summary="One-off rotation exceptions"))
class ScheduleExceptionViewSet(SpreadsheetActions, ServiceWritesMixin, viewsets.ModelViewSet):
    thing = "schedule_exception"
    action_perms = {
        **model_perms("rotations", "scheduleexception"),
        **spreadsheet_perms("rotations", "scheduleexception"),
    }
    spreadsheet_resource = spreadsheets.ScheduleExceptionResource
    spreadsheet_name = "exceptions"
    queryset = ScheduleException.objects.select_related("employee")
    serializer_class = s.ScheduleExceptionSerializer
    filterset_class = filters.ScheduleExceptionFilter
    ordering_fields = ["date", "rotation_type", "id"]


class AutoScheduleRunView(APIView):
    """Starts an auto-scheduler run in the worker; 409 while another run is running."""

    action_perms = {"POST": (RUN_PERM,), "OPTIONS": (RUN_PERM,)}

    @extend_schema(
        request=s.RunRequestSerializer,
        responses={202: s.RunAcceptedSerializer},
        summary="Run the auto-scheduler",
    )
    def post(self, request):
        body = s.RunRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        run = services.request_run(
            start_date=body.validated_data.get("start_date"),
            days=body.validated_data.get("days"),
            user=request.user,
            now=timezone.now(),
        )
        return Response({"run_id": run.pk}, status=status.HTTP_202_ACCEPTED)


class AutoScheduleStatusView(APIView):
    """A run's status, counts and progress."""

    action_perms = {"GET": (VIEW_RUN_PERM,), "HEAD": (VIEW_RUN_PERM,), "OPTIONS": (VIEW_RUN_PERM,)}

    @extend_schema(responses=s.RunStatusSerializer, summary="Status of an auto-scheduler run")
    def get(self, request, pk: int):
        run = get_object_or_404(SchedulerRun, pk=pk)
        return Response(s.RunStatusSerializer(run).data)


@extend_schema_view(
    list=extend_schema(summary="Scheduler runs"),
    retrieve=extend_schema(summary="A run with its review: unscheduled events and their reasons, swaps, days"),
)
class RunViewSet(viewsets.ReadOnlyModelViewSet):
    action_perms = {
        "list": (VIEW_RUN_PERM,),
        "retrieve": (VIEW_RUN_PERM,),
        "proposals": (VIEW_RUN_PERM, VIEW_PROPOSAL_PERM),
        "approve_all": (APPROVE_PERM,),
        "approve_part": (APPROVE_PERM,),
    }
    queryset = SchedulerRun.objects.all()
    filterset_class = filters.RunFilter
    ordering_fields = ["started_at", "id"]

    def filter_queryset(self, queryset):
        # The runs' filters (``?status=`` is a run's status) are for the list; a run's own pages
        # read their parameters themselves (``proposals/?status=`` is a proposal's status).
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)

    def get_serializer_class(self):
        if self.action == "retrieve":
            return s.RunDetailSerializer
        if self.action == "proposals":
            return s.ProposalSerializer
        return s.RunSerializer

    @extend_schema(
        responses=s.ProposalSerializer(many=True),
        summary="The run's proposals",
        filters=False,  # the runs' filters (kind, status of a run, ordering) do not apply here
        parameters=[
            OpenApiParameter(
                "status",
                str,
                enum=[c for c, _ in PendingSchedule.Status.choices],
                description="Only the proposals with this status (a proposal's status, not the run's); "
                "an unknown value is a 400 listing the statuses.",
            ),
            OpenApiParameter("employee", int),
            OpenApiParameter("is_swap", bool),
            OpenApiParameter("event_type", str, enum=[c for c, _ in Event.Type.choices]),
            OpenApiParameter("page", int),
            OpenApiParameter("page_size", int),
        ],
    )
    @action(detail=True, methods=["get"])
    def proposals(self, request, pk=None):
        run = self.get_object()
        queryset = PendingSchedule.objects.filter(run=run).select_related("event", "employee")
        queryset = queryset.order_by("scheduled_at", "id")
        filterset = filters.ProposalFilter(request.query_params, queryset=queryset, request=request)
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        page = self.paginate_queryset(filterset.qs)
        return self.get_paginated_response(s.ProposalSerializer(page, many=True).data)

    @extend_schema(request=None, responses=s.ApproveAllSerializer, summary="Approve every open proposal of the run")
    @action(detail=True, methods=["post"], url_path="approve-all")
    def approve_all(self, request, pk=None):
        run = self.get_object()
        counts = services.approve_run(run=run, user=request.user, clock=timezone.now)
        return Response(s.ApproveAllSerializer(counts).data)

    @extend_schema(
        request=s.ApprovePartSerializer,
        responses=s.ApproveAllSerializer,
        summary="Approve the run's open proposals of one day and/or one employee",
    )
    @action(detail=True, methods=["post"], url_path="approve")
    def approve_part(self, request, pk=None):
        run = self.get_object()
        body = s.ApprovePartSerializer(data=request.data if isinstance(request.data, dict) else {})
        body.is_valid(raise_exception=True)
        counts = services.approve_run_part(
            run=run,
            user=request.user,
            clock=timezone.now,
            day=body.validated_data.get("day"),
            employee=body.validated_data.get("employee"),
        )
        return Response(s.ApproveAllSerializer(counts).data)


@extend_schema_view(
    list=extend_schema(summary="Proposals of every run"),
    retrieve=extend_schema(summary="A proposal, with why this employee"),
)
class ProposalViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    action_perms = {
        **model_perms("rotations", "pendingschedule"),
        "approve": (APPROVE_PERM,),
        "reject": (APPROVE_PERM,),
    }
    queryset = PendingSchedule.objects.select_related("event", "employee")
    serializer_class = s.ProposalSerializer
    filterset_class = filters.ProposalFilter
    ordering_fields = ["scheduled_at", "id"]

    @extend_schema(
        request=s.ProposalEditSerializer,
        responses=s.ProposalSerializer,
        summary="Edit a proposal (employee and/or time); constraints re-checked, 400 when one breaks",
    )
    def partial_update(self, request, pk=None):
        proposal = self.get_object()
        body = s.ProposalEditSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        proposal = services.edit_proposal(
            proposal=proposal,
            user=request.user,
            employee=body.validated_data.get("employee"),
            scheduled_at=body.validated_data.get("scheduled_at"),
        )
        return Response(s.ProposalSerializer(proposal).data)

    @extend_schema(request=None, responses=s.ProposalSerializer, summary="Approve: re-validate, then submit once")
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        proposal = services.approve_proposal(proposal=self.get_object(), user=request.user, now=timezone.now())
        return Response(s.ProposalSerializer(proposal).data)

    @extend_schema(request=None, responses=s.ProposalSerializer, summary="Reject (with its core/supervisor pair)")
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        proposal = services.reject_proposal(proposal=self.get_object(), user=request.user, now=timezone.now())
        return Response(s.ProposalSerializer(proposal).data)
