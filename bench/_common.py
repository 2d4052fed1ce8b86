"""Shared set-up for the benchmarks: a dedicated PostgreSQL database, migrated, and timing helpers.

Each benchmark does::

    from _common import setup_django, median_seconds
    setup_django()

and prints its figures. The database is ``setdesk_bench`` unless DATABASE_URL says otherwise.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/setdesk_bench")
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/9")
    os.environ.setdefault("SECRET_KEY", "bench-secret-key-not-for-production-0123456789")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    _ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _maintenance_connection(config: dict):
    """An autocommit connection to the server's ``postgres`` database (to create or drop others)."""
    import psycopg

    return psycopg.connect(
        host=config.get("HOST") or "127.0.0.1",
        port=config.get("PORT") or 5432,
        user=config.get("USER") or "postgres",
        password=config.get("PASSWORD") or None,
        dbname="postgres",
        autocommit=True,
    )


def _ensure_database(url: str) -> None:
    if not url.startswith("postgres"):
        return
    import environ

    config = environ.Env.db_url_config(url)
    name = config["NAME"]
    with _maintenance_connection(config) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def reset_database(url: str) -> None:
    """Drops and recreates the PostgreSQL database ``url`` names (a bench's own, never a shared one)."""
    import environ

    config = environ.Env.db_url_config(url)
    name = config["NAME"]
    if not name.startswith("setdesk_bench"):
        raise ValueError(f"refusing to drop {name!r}: only setdesk_bench* databases are reset")
    with _maintenance_connection(config) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def median_seconds(fn: Callable[[], object], *, repeat: int = 15, warmup: int = 2) -> float:
    """Median wall time of ``fn()`` over ``repeat`` runs after ``warmup`` runs."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)
