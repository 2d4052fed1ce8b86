"""API routes of this app, mounted at /api/v1/publishing/ by config/urls.py."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from publishing.api import views

router = SimpleRouter()
router.register("accounts", views.PlatformAccountViewSet, basename="publishing-account")
router.register("videos", views.VideoViewSet, basename="publishing-video")
router.register("posts", views.ScheduledPostViewSet, basename="publishing-post")
router.register("templates", views.AITemplateViewSet, basename="publishing-template")

urlpatterns = [
    path("slots/next/", views.NextSlotView.as_view(), name="publishing-next-slot"),
    path("test-prompt/", views.TestPromptView.as_view(), name="publishing-test-prompt"),
    *router.urls,
]
