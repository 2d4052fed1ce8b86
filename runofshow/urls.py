"""Dashboard page routes of this app, mounted under /dash/runofshow/ by config/urls.py."""

from django.urls import path

from runofshow import views

urlpatterns = [path("<int:session_id>/", views.session_dashboard, name="runofshow-dashboard")]
