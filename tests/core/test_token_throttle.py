"""The token endpoints: throttled per user and per address (SPEC §0), never a 500.

Issue 9, finding 7: 40 wrong passwords in 14 s, then the right one worked. Finding 10a:
refreshing the token of a deleted user answered 500.
"""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.utils import timezone
from rest_framework_simplejwt.tokens import RefreshToken

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"
REFRESH = "/api/v1/auth/token/refresh/"
PASSWORD = "pw-Secret-123"


def _login(api, username, password, address="10.1.0.1"):
    return api.post(TOKEN, {"username": username, "password": password}, REMOTE_ADDR=address)


def _assert_throttled(response):
    assert response.status_code == 429, response.content
    assert set(response.json()) == {"detail", "errors"}
    retry_after = int(response["Retry-After"])  # whole seconds (RFC 9110)
    assert 0 < retry_after <= 60


def test_the_cache_is_redis_in_the_test_environment():
    """Throttle counters are shared by every web process: the cache is Redis when REDIS_URL is set."""
    assert django_settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"


def test_wrong_passwords_are_stopped_well_before_forty_and_then_the_right_one_waits_too(api, make_user, time_machine):
    make_user(username="ada", password=PASSWORD)
    statuses = [_login(api, "ada", "wrong-guess").status_code for _ in range(40)]
    first_429 = statuses.index(429)
    assert set(statuses[:first_429]) == {401}
    assert first_429 <= 10
    assert set(statuses[first_429:]) == {429}

    _assert_throttled(_login(api, "ada", PASSWORD))
    time_machine.move_to(timezone.now() + timedelta(seconds=61))
    assert _login(api, "ada", PASSWORD).status_code == 200


def test_the_user_limit_holds_across_addresses(api, make_user):
    make_user(username="bob", password=PASSWORD)
    statuses = [_login(api, "bob", "wrong", address=f"10.2.0.{n}").status_code for n in range(1, 16)]
    assert 429 in statuses
    # A differently cased name is the same account to count against.
    _assert_throttled(_login(api, "BOB", PASSWORD, address="10.2.1.1"))
    # Another user from a fresh address is not affected.
    make_user(username="cy", password=PASSWORD)
    assert _login(api, "cy", PASSWORD, address="10.2.1.2").status_code == 200


def test_one_address_trying_many_usernames_is_stopped(api):
    statuses = [_login(api, f"user{n}", "wrong", address="10.3.0.1").status_code for n in range(40)]
    assert statuses[0] == 401
    assert 429 in statuses and statuses.index(429) <= 30
    _assert_throttled(_login(api, "someone-else", "wrong", address="10.3.0.1"))
    assert _login(api, "someone-else", "wrong", address="10.3.0.2").status_code == 401


def test_refresh_is_throttled_per_user(api, make_user):
    user = make_user(username="dee", password=PASSWORD)
    refresh = str(RefreshToken.for_user(user))
    statuses = [api.post(REFRESH, {"refresh": refresh}, REMOTE_ADDR=f"10.4.0.{n}").status_code for n in range(1, 16)]
    assert statuses[0] == 200
    assert 429 in statuses
    _assert_throttled(api.post(REFRESH, {"refresh": refresh}, REMOTE_ADDR="10.4.1.1"))


def test_refresh_is_throttled_per_address(api):
    statuses = [api.post(REFRESH, {"refresh": "garbage"}, REMOTE_ADDR="10.5.0.1").status_code for _ in range(40)]
    assert statuses[0] == 401
    assert 429 in statuses


def test_rates_come_from_the_settings(api, make_user, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"auth_user": "2/min", "auth_address": "100/min"},
    }
    make_user(username="eve", password=PASSWORD)
    assert [_login(api, "eve", "wrong").status_code for _ in range(3)] == [401, 401, 429]


def test_the_default_rates_are_documented_knobs():
    rates = django_settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    assert rates == {"auth_user": "10/min", "auth_address": "30/min"}


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_with_the_cache_down_logins_still_answer(api, make_user, settings, caplog):
    """Redis down: the API keeps answering (SPEC §5); the throttle lets the request through and says so."""
    settings.CACHES = {
        "default": {
            **settings.CACHES["default"],
            "LOCATION": f"redis://127.0.0.1:{_closed_port()}/0",
        }
    }
    make_user(username="fay", password=PASSWORD)
    assert _login(api, "fay", "wrong").status_code == 401
    assert _login(api, "fay", PASSWORD).status_code == 200
    assert "throttle" in caplog.text.lower()


# --- finding 10a ------------------------------------------------------------------


def test_refreshing_the_token_of_a_deleted_user_is_401(api, make_user):
    user = make_user(username="gil", password=PASSWORD)
    refresh = str(RefreshToken.for_user(user))
    user.delete()
    response = api.post(REFRESH, {"refresh": refresh})
    assert response.status_code == 401, response.content
    assert set(response.json()) == {"detail", "errors"}


def test_refreshing_the_token_of_a_deactivated_user_is_401(api, make_user):
    user = make_user(username="hal", password=PASSWORD)
    refresh = str(RefreshToken.for_user(user))
    user.is_active = False
    user.save()
    response = api.post(REFRESH, {"refresh": refresh})
    assert response.status_code == 401, response.content
