"""API routes of this app, mounted at /api/v1/runofshow/ by config/urls.py (SPEC §9)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from runofshow.api import spreadsheet_views, views

router = SimpleRouter()
router.register("sessions", views.ShowSessionViewSet, basename="runofshow-session")
router.register("segments", views.SegmentViewSet, basename="runofshow-segment")
router.register("cues", views.CueViewSet, basename="runofshow-cue")

urlpatterns = [
    path("sessions/<int:pk>/segments/", views.SessionSegmentsView.as_view(), name="runofshow-session-segments"),
    path(
        "sessions/<int:pk>/segments/import/",
        spreadsheet_views.SessionSegmentsImportView.as_view(),
        name="runofshow-session-segments-import",
    ),
    path(
        "sessions/<int:pk>/segments/export/",
        spreadsheet_views.SessionSegmentsExportView.as_view(),
        name="runofshow-session-segments-export",
    ),
    path("sessions/<int:pk>/state/", views.SessionStateView.as_view(), name="runofshow-session-state"),
    path(
        "sessions/<int:pk>/preferences/",
        views.ColumnPreferencesView.as_view(),
        name="runofshow-session-preferences",
    ),
    path("sessions/<int:pk>/audit/", views.SessionAuditView.as_view(), name="runofshow-session-audit"),
    path("segments/<int:pk>/cues/", views.SegmentCuesView.as_view(), name="runofshow-segment-cues"),
    path(
        "sessions/<int:pk>/viewer-links/",
        views.SessionViewerLinksView.as_view(),
        name="runofshow-session-viewer-links",
    ),
    path("viewer-links/<int:pk>/", views.ViewerLinkView.as_view(), name="runofshow-viewer-link"),
    path("sessions/<int:pk>/message/", views.StageMessageView.as_view(), name="runofshow-session-message"),
    *router.urls,
]
