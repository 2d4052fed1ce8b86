"""Dashboard page routes of the hot set, mounted at /dash/hotset/."""

from django.urls import path

from hotset import views

urlpatterns = [
    path("<int:session_id>/", views.session_dashboard, name="hotset-dashboard"),
    path("sw.js", views.service_worker, name="hotset-service-worker"),
]
