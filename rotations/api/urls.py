"""API routes of rotations, mounted at /api/v1/rotations/ (SPEC §9)."""

from django.db import transaction
from django.urls import path
from rest_framework.routers import SimpleRouter

from rotations.api import feeds, views

router = SimpleRouter()
router.register("employees", views.EmployeeViewSet, basename="rotations-employee")
router.register("time-off", views.TimeOffViewSet, basename="rotations-timeoff")
router.register("events", views.EventViewSet, basename="rotations-event")
router.register("rotation-assignments", views.RotationAssignmentViewSet, basename="rotations-rotation")
router.register("exceptions", views.ScheduleExceptionViewSet, basename="rotations-exception")
router.register("runs", views.RunViewSet, basename="rotations-run")
router.register("proposals", views.ProposalViewSet, basename="rotations-proposal")

urlpatterns = [
    path("employees/<int:pk>/calendar.ics", feeds.employee_calendar, name="rotations-employee-calendar"),
    path("auto-schedule/run/", views.AutoScheduleRunView.as_view(), name="rotations-auto-schedule-run"),
    path(
        "auto-schedule/status/<int:pk>/",
        views.AutoScheduleStatusView.as_view(),
        name="rotations-auto-schedule-status",
    ),
    *router.urls,
]

# Approving commits unit by unit (a core event with its supervisor events, each in its own
# transaction with its outbox row, sent after that commit). Inside the request's single
# transaction every unit would wait for the last one, and a late failure would undo units
# whose submission task was already queued.
NON_ATOMIC_ROUTES = {
    "rotations-run-approve-all",
    "rotations-run-approve-part",
    "rotations-proposal-approve",
    "rotations-proposal-reject",
}
for _pattern in urlpatterns:
    if getattr(_pattern, "name", None) in NON_ATOMIC_ROUTES:
        _pattern.callback = transaction.non_atomic_requests(_pattern.callback)
