"""Dashboard page routes of this app, mounted under /dash/rotations/ by config/urls.py."""

from django.urls import path

from rotations import views

urlpatterns = [
    path("", views.dashboard, name="rotations-dashboard"),
    path("data/", views.dashboard_data, name="rotations-dashboard-data"),
]
