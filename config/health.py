"""Reachability checks behind /healthz; each answers "ok", "not configured" or "down: <why>"."""

from __future__ import annotations

from django.conf import settings
from django.db import connection

TIMEOUT_SECONDS = 1.0


def check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "down"
        return f"down: {exc.__class__.__name__}"
    return "ok"


def _ping_redis(url: str) -> str:
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=TIMEOUT_SECONDS, socket_timeout=TIMEOUT_SECONDS)
        try:
            client.ping()
        finally:
            client.close()
    except Exception as exc:
        return f"down: {exc.__class__.__name__}"
    return "ok"


def check_redis() -> str:
    if not settings.REDIS_URL:
        return "not configured"
    return _ping_redis(settings.REDIS_URL)


def check_broker() -> str:
    url = settings.CELERY_BROKER_URL
    if url.startswith("memory://"):
        return "ok"  # the embedded runner: no broker to reach
    if url.startswith(("redis://", "rediss://")):
        return _ping_redis(url)
    from config.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=TIMEOUT_SECONDS)
    except Exception as exc:
        return f"down: {exc.__class__.__name__}"
    return "ok"


def run_checks() -> dict[str, str]:
    return {"database": check_database(), "redis": check_redis(), "broker": check_broker()}
