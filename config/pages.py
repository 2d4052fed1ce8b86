"""The dashboards' index (/dash/) and helpers every dashboard page uses.

Each app may list its dashboards in ``<app>/dashboards.py``::

    def links(user) -> list[tuple[str, str]]: ...   # (title, url)
"""

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.cache import never_cache
from rest_framework_simplejwt.tokens import AccessToken

from config.discovery import app_modules


def socket_token(user) -> str:
    """A JWT access token for the page's WebSocket (the page itself uses the session)."""
    return str(AccessToken.for_user(user))


def dashboard_context(request, **extra) -> dict:
    """Context every dashboard template needs (``templates/base.html``)."""
    return {"socket_token": socket_token(request.user), **extra}


@login_required
def index(request):
    sections = []
    for module in app_modules("dashboards"):
        links = module.links(request.user)
        if links:
            sections.append({"app": module.__name__.split(".")[0], "links": links})
    return render(request, "config/index.html", dashboard_context(request, sections=sections))


@never_cache
def fresh_socket_token(request):
    """A new access token for a dashboard's socket: an all-day page reconnects with it
    after the one it was rendered with has expired."""
    if not request.user.is_authenticated:
        return JsonResponse({"detail": "Not signed in.", "errors": {}}, status=401)
    return JsonResponse({"token": socket_token(request.user)})


urlpatterns = [
    path("", index, name="dash-index"),
    path("socket-token/", fresh_socket_token, name="dash-socket-token"),
]
