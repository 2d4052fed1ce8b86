"""Helpers any test may import (fixtures stay in conftest.py; conftest modules are never imported)."""

from __future__ import annotations

from rest_framework_simplejwt.tokens import RefreshToken


def bearer(user) -> str:
    """The ``Authorization`` header value of a fresh access token for ``user``."""
    return f"Bearer {RefreshToken.for_user(user).access_token}"


def access_token(user) -> str:
    """A fresh access token for ``user`` (the socket's ``?token=``)."""
    return str(RefreshToken.for_user(user).access_token)
