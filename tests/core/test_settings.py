"""Settings come from the environment; production defaults pass Django's deploy checks."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECURE_SSL_REDIRECT"}}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_with_a_real_secret_key():
    result = _run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="setdesk.example",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_refuses_to_start_without_secret_key_when_debug_is_off():
    result = _run_manage("check", SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_defaults_without_urls_are_sqlite_in_memory_layer_and_embedded_jobs():
    code = (
        "from django.conf import settings;"
        "print(settings.DATABASES['default']['ENGINE'], settings.CHANNEL_LAYERS['default']['BACKEND'],"
        " settings.EMBEDDED_JOBS, settings.CELERY_BROKER_URL)"
    )
    result = _run_manage("shell", "--no-imports", "-c", code, DEBUG="1", DATABASE_URL="", REDIS_URL="")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        "channels.layers.InMemoryChannelLayer",
        "True",
        "memory://",
    ]


def test_urls_select_postgres_redis_layer_and_broker():
    code = (
        "from django.conf import settings;"
        "print(settings.DATABASES['default']['ENGINE'], settings.CHANNEL_LAYERS['default']['BACKEND'],"
        " settings.EMBEDDED_JOBS, settings.CELERY_BROKER_URL, settings.DATABASES['default']['ATOMIC_REQUESTS'])"
    )
    result = _run_manage(
        "shell",
        "--no-imports",
        "-c",
        code,
        DEBUG="1",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/setdesk",
        REDIS_URL="redis://127.0.0.1:6379/0",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "realtime.layers.PooledRedisChannelLayer",
        "False",
        "redis://127.0.0.1:6379/0",
        "True",
    ]
