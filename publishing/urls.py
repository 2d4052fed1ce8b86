"""Dashboard page routes of this app, mounted at /dash/publishing/ by config/urls.py."""

from django.urls import path

from publishing import views

urlpatterns = [
    path("", views.queue, name="publishing-queue"),
    path("templates/", views.templates_page, name="publishing-templates"),
]
