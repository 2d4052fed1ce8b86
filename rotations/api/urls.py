"""API routes of rotations, mounted at /api/v1/rotations/ (SPEC §9)."""

from django.db import transaction
from django.urls import path
from rest_framework.routers import SimpleRouter

from rotations.api import views

router = SimpleRouter()
router.register("employees", views.EmployeeViewSet, basename="rotations-employee")
router.register("time-off", views.TimeOffViewSet, basename="rotations-timeoff")
router.register("events", views.EventViewSet, basename="rotations-event")
router.register("rotation-assignments", views.RotationAssignmentViewSet, basename="rotations-rotation")
router.register("exceptions", views.ScheduleExceptionViewSet, basename="rotations-exception")
router.register("runs", views.RunViewSet, basename="rotations-run")
router.register("proposals", views.ProposalViewSet, basename="rotations-proposal")

urlpatterns = [
    path("auto-schedule/run/", views.AutoScheduleRunView.as_view(), name="rotations-auto-schedule-run"),
    path(
        "auto-schedule/status/<int:run_id>/",
        views.AutoScheduleStatusView.as_view(),
        name="rotations-auto-schedule-status",
    ),
    *router.urls,
]

# Approving submits to the client's system proposal by proposal; each outcome commits on
# its own (the services open one transaction per core/supervisor pair). Inside the
# request's single transaction a later failure would roll back proposals already
# submitted outside, and the next approval would submit them twice.
NON_ATOMIC_ROUTES = {"rotations-run-approve-all", "rotations-proposal-approve", "rotations-proposal-reject"}
for _pattern in urlpatterns:
    if getattr(_pattern, "name", None) in NON_ATOMIC_ROUTES:
        _pattern.callback = transaction.non_atomic_requests(_pattern.callback)
