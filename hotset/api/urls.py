"""API routes of the hot set, mounted at /api/v1/hotset/ (paths as SPEC §9)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from hotset.api import feeds, spreadsheet_views, views

router = SimpleRouter()
router.register("projects", views.ProjectViewSet, basename="hotset-project")
router.register("days", views.ProductionDayViewSet, basename="hotset-day")
router.register("sessions", views.HotSetSessionViewSet, basename="hotset-session")
router.register("items", views.ScheduleItemViewSet, basename="hotset-item")
router.register("suggestions", views.SuggestionViewSet, basename="hotset-suggestion")

urlpatterns = [
    path("projects/<int:pk>/calendar.ics", feeds.project_calendar, name="hotset-project-calendar"),
    path("sessions/<int:pk>/items/", views.SessionItemsView.as_view(), name="hotset-session-items"),
    path(
        "sessions/<int:pk>/items/import/",
        spreadsheet_views.SessionItemsImportView.as_view(),
        name="hotset-session-items-import",
    ),
    path(
        "sessions/<int:pk>/items/export/",
        spreadsheet_views.SessionItemsExportView.as_view(),
        name="hotset-session-items-export",
    ),
    path(
        "sessions/<int:pk>/notifications/",
        views.SessionNotificationsView.as_view(),
        name="hotset-session-notifications",
    ),
    path(
        "sessions/<int:pk>/suggestions/",
        views.SessionSuggestionsView.as_view(),
        name="hotset-session-suggestions",
    ),
    *router.urls,
]
