"""Dashboard page routes of this app, mounted under /dash/ by config/urls.py."""

urlpatterns: list = []
