"""JWT authentication for WebSockets: ``/ws/?token=<access>``, or a first ``{action: "auth", token}`` message."""

from __future__ import annotations

from urllib.parse import parse_qs

from channels.middleware import BaseMiddleware
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import AccessToken

from realtime import registry
from realtime.db import socket_db


def user_for_token(raw_token: str):
    """The active user an access token names, or AnonymousUser for a bad, expired or unknown one."""
    if not raw_token:
        return AnonymousUser()
    try:
        token = AccessToken(raw_token)
    except TokenError:
        return AnonymousUser()
    user_id = token.get(api_settings.USER_ID_CLAIM)
    user = get_user_model().objects.filter(**{api_settings.USER_ID_FIELD: user_id}, is_active=True).first()
    return user or AnonymousUser()


def socket_identity(raw_token: str) -> tuple[object, list[str]]:
    """The token's user and the groups its socket joins (none for AnonymousUser): one trip to
    the consumers' single database thread per connect, which a reconnect storm queues on.
    A link token (a stage screen's) opens a :class:`~realtime.registry.LinkViewer` that joins
    only its link's groups."""
    if raw_token and registry.is_link_token(raw_token):
        viewer = registry.link_viewer(raw_token)
        return (viewer, viewer.socket_groups) if viewer is not None else (AnonymousUser(), [])
    user = user_for_token(raw_token)
    return user, (registry.default_groups(user) if user.is_authenticated else [])


class JWTQueryStringAuthMiddleware(BaseMiddleware):
    """``?token=`` (even empty) authenticates on connect (``token_in_query``); without it the
    consumer waits for an ``{action: "auth", token}`` message (the dashboards: no token in a URL)."""

    async def __call__(self, scope, receive, send):
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        if "token" in query:
            user, default_groups = await socket_db(socket_identity)(query["token"][0])
            scope = dict(scope, user=user, default_groups=default_groups, token_in_query=True)
        else:
            scope = dict(scope, user=AnonymousUser(), token_in_query=False)
        return await super().__call__(scope, receive, send)
