"""Shared fixtures. The suite runs against PostgreSQL and Redis (see pyproject's env)."""

from __future__ import annotations

import uuid

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from rest_framework.test import APIClient

from tests.factories import bearer

# asgi_server, browser (one Chromium per session), logged_in_page: for the browser tests anywhere.
pytest_plugins = ["tests.browser_fixtures"]


def pytest_collection_modifyitems(config, items):
    """Browser tests run last, in their collected order.

    The session's one Chromium relaxes Django's async-safety check once it starts (its
    event loop sits on the main thread); running every other test first keeps the check
    for them. Sorting is stable, so the order within each group is unchanged.
    """
    items.sort(key=lambda item: "browser" in getattr(item, "fixturenames", ()))


@pytest.fixture(autouse=True, scope="session")
def fast_password_hashing():
    """Test users need a password, not a slow hash (PBKDF2 costs ~0.3 s per user)."""
    from django.conf import settings
    from django.contrib.auth.hashers import get_hashers, get_hashers_by_algorithm

    def _use(hashers):
        settings.PASSWORD_HASHERS = hashers
        get_hashers.cache_clear()
        get_hashers_by_algorithm.cache_clear()

    original = settings.PASSWORD_HASHERS
    _use(["django.contrib.auth.hashers.MD5PasswordHasher"])
    yield
    _use(original)


@pytest.fixture(autouse=True)
def fresh_channel_layer():
    """A new channel layer object per test. The Redis layer binds its receive lock to the
    event loop that first used it; a test's loop (or an e2e server's) is gone afterwards,
    and a lock left held there would break every later test's sockets."""
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.fixture(autouse=True)
def fresh_cache(settings):
    """A cache key prefix of the test's own: throttle counters (and anything else cached)
    never leak from one test, or one run, into the next. No flush: the cache's Redis
    database is shared with the channel layer and the broker; old keys expire."""
    default = settings.CACHES["default"]
    settings.CACHES = {"default": {**default, "KEY_PREFIX": f"{default.get('KEY_PREFIX', '')}.{uuid.uuid4().hex}"}}
    yield


@pytest.fixture
def broadcast_rules(db):
    """The default broadcast rules (a transaction=True test flushes the migration's rows)."""
    from realtime.models import BroadcastRule
    from realtime.rules import ensure_default_rules

    if not BroadcastRule.objects.exists():
        ensure_default_rules(BroadcastRule)


@pytest.fixture(autouse=True)
def baseline_rows(request, django_db_blocker):
    """Every database test starts with the rows the migrations and ``setup_roles`` make: the
    broadcast rules and the role groups, committed once and kept.

    A transaction=True test ends with a flush that deletes them, and the database is reused
    from run to run: without this, a test that publishes events passed or failed depending
    on which tests ran before it, and every test paid for the role groups again."""
    if request.node.get_closest_marker("django_db") is None and not {"db", "transactional_db"} & set(
        request.fixturenames
    ):
        return
    from config.management.commands.setup_roles import setup_roles
    from config.roles import ROLES
    from realtime.models import BroadcastRule
    from realtime.rules import ensure_default_rules

    with django_db_blocker.unblock():
        if not BroadcastRule.objects.exists():
            ensure_default_rules(BroadcastRule)
        if Group.objects.filter(name__in=ROLES).count() < len(ROLES):
            setup_roles()


@pytest.fixture
def roles(db, broadcast_rules):
    """The role groups with their permissions, as `setup_roles` makes them (and the broadcast rules)."""
    from config.management.commands.setup_roles import setup_roles
    from config.roles import ROLES

    groups = {group.name: group for group in Group.objects.filter(name__in=ROLES)}
    if len(groups) < len(ROLES):
        setup_roles()
        groups = {group.name: group for group in Group.objects.filter(name__in=ROLES)}
    return groups


@pytest.fixture
def make_user(db, roles):
    """make_user("first_ad") → a user in that role group (``None`` for no role)."""
    counter = {"n": 0}

    def _make(role: str | None = None, *, username: str | None = None, password: str = "pw-Secret-123", **extra):
        counter["n"] += 1
        name = username or f"{role or 'user'}_{counter['n']}"
        user = get_user_model().objects.create_user(username=name, password=password, **extra)
        if role:
            user.groups.add(roles[role])
        return user

    return _make


@pytest.fixture
def api():
    """An unauthenticated DRF test client."""
    return APIClient()


class JWTClient(APIClient):
    """An APIClient that signs a fresh access token for its user on every request, so
    tests that move the clock (time-machine) never send an expired or future token."""

    def __init__(self, user, **kwargs):
        super().__init__(**kwargs)
        self.user = user

    def request(self, **kwargs):
        kwargs.setdefault("HTTP_AUTHORIZATION", bearer(self.user))
        return super().request(**kwargs)


@pytest.fixture
def api_as(make_user):
    """api_as("first_ad") → a client authenticated with a JWT of a new user in that role
    (``.user`` is the user; pass ``user=`` to reuse one)."""

    def _client(role: str | None = None, user=None):
        return JWTClient(user or make_user(role))

    return _client


@pytest.fixture
def celery_worker_thread(transactional_db):
    """A real Celery worker (threads) consuming from the Redis broker, for tests whose
    behaviour depends on tasks running in the worker. Use with transaction=True tests."""
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    # Messages left in the queue by earlier tests (enqueued with no worker running) would
    # otherwise run here against this test's rows.
    app.control.purge()
    with start_worker(app, pool="threads", concurrency=2, perform_ping_check=False, shutdown_timeout=10) as worker:
        yield worker


class LogMessages(list):
    """The messages one logger emitted while ``captured_log`` was open."""


@pytest.fixture
def captured_log():
    """``with captured_log("publishing.dispatch") as messages:`` — a handler on that logger
    itself, at WARNING whatever earlier tests (a Celery worker's log setup, uvicorn's
    dictConfig) did to the root logger or the logger's ancestors."""
    import contextlib
    import logging

    @contextlib.contextmanager
    def _capture(name: str, level: int = logging.WARNING):
        messages = LogMessages()
        logger = logging.getLogger(name)
        handler = logging.Handler(level)
        handler.emit = lambda record: messages.append(record.getMessage())
        saved = (logger.level, logger.disabled)
        logger.setLevel(level)
        logger.disabled = False
        logger.addHandler(handler)
        try:
            yield messages
        finally:
            logger.removeHandler(handler)
            logger.level, logger.disabled = saved

    return _capture


@pytest.fixture
def migrate(transactional_db):
    """migrate(("app", "migration")) → the historical apps at that state; the schema is back at the
    latest migrations afterwards (data migration tests fill a database the old way first)."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    def _migrate(target):
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate([target])
        return executor.loader.project_state([target]).apps

    yield _migrate
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
