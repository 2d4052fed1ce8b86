"""The JWT token endpoints (SPEC §0): throttled per user and per address, never a 500.

Counters live in the default cache (Redis when ``REDIS_URL`` is set), so every web
process counts the same attempts. Every attempt counts, right or wrong: a stolen
password tried from many addresses and a guesser trying many users are both stopped.
"""

from __future__ import annotations

import hashlib
import logging

from django.contrib.auth import get_user_model
from redis.exceptions import RedisError
from rest_framework import throttling
from rest_framework.settings import api_settings as drf_settings
from rest_framework_simplejwt.exceptions import AuthenticationFailed, TokenError
from rest_framework_simplejwt.serializers import TokenRefreshSerializer
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

logger = logging.getLogger(__name__)


class _AuthThrottle(throttling.SimpleRateThrottle):
    """A rate from ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"][scope]``, read per request
    (DRF copies the rates at import); with the cache unreachable the request goes through."""

    def get_rate(self):
        return drf_settings.DEFAULT_THROTTLE_RATES.get(self.scope) or None

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except (RedisError, OSError) as exc:
            # Logins must keep working with Redis down (SPEC §5); the failure is visible in the log.
            logger.warning("auth throttle %s unavailable, request let through: %s", self.scope, exc)
            return True


class AddressThrottle(_AuthThrottle):
    """Attempts per client address (``REMOTE_ADDR``; uvicorn's ``--proxy-headers`` sets it behind a proxy)."""

    scope = "auth_address"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class UserThrottle(_AuthThrottle):
    """Attempts per account, whatever the address: the view names the account (``throttle_account``)."""

    scope = "auth_user"

    def get_cache_key(self, request, view):
        account = view.throttle_account(request)
        if not account:
            return None
        digest = hashlib.sha256(account.encode()).hexdigest()[:32]
        return self.cache_format % {"scope": self.scope, "ident": digest}


THROTTLES = [AddressThrottle, UserThrottle]


def _body(request) -> dict:
    data = request.data
    return data if isinstance(data, dict) else {}


class TokenView(TokenObtainPairView):
    """``{username, password}`` → ``{access, refresh}``; 429 with ``Retry-After`` when throttled."""

    throttle_classes = THROTTLES

    def throttle_account(self, request) -> str | None:
        username = _body(request).get(get_user_model().USERNAME_FIELD)
        # Case folded: "ADA" and "ada" count together, whatever the backend makes of them.
        return f"name:{username.strip().casefold()}" if isinstance(username, str) and username.strip() else None


class ActiveUserTokenRefreshSerializer(TokenRefreshSerializer):
    """A token whose user is gone is refused (401) like an inactive one: simplejwt looks the
    user up with ``.get()``, and a deleted user's DoesNotExist was a 500."""

    def validate(self, attrs):
        try:
            return super().validate(attrs)
        except get_user_model().DoesNotExist:
            raise AuthenticationFailed(self.error_messages["no_active_account"], "no_active_account") from None


class RefreshView(TokenRefreshView):
    """``{refresh}`` → ``{access}``; 401 for a bad token or a deleted/inactive user; throttled."""

    serializer_class = ActiveUserTokenRefreshSerializer
    throttle_classes = THROTTLES

    def throttle_account(self, request) -> str | None:
        raw = _body(request).get("refresh")
        if not isinstance(raw, str) or not raw:
            return None
        try:
            # Verified: a forged token cannot spend another user's allowance.
            user_id = RefreshToken(raw).payload.get(jwt_settings.USER_ID_CLAIM)
        except TokenError:
            return None
        return f"id:{user_id}" if user_id is not None else None
