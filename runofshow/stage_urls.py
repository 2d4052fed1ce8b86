"""The stage timer's routes, mounted at /stage/ by config/urls.py (no login: the token is the key)."""

from django.urls import path

from runofshow import views

urlpatterns = [
    path("<str:token>/", views.stage_page, name="runofshow-stage"),
    path("<str:token>/state/", views.stage_state, name="runofshow-stage-state"),
]
