"""No access token in any log line (SPEC §5), checked on a real uvicorn started as the
README, the Makefile and docker-compose start it.

Issue 9, finding 6: every socket's JWT was in the server log (``"WebSocket /ws/?token=eyJ…"
[accepted]``, uvicorn's error logger, even with ``--no-access-log``).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.db import connection
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from config.logging import RedactTokens
from tests.factories import access_token

ROOT = Path(__file__).resolve().parents[2]

# The command lines of `make run` and of docker-compose's web service (host and port aside).
MAKE_RUN = (["--lifespan", "on", "--no-access-log"], {"DEBUG": "1"})
COMPOSE = (["--workers", "2", "--proxy-headers", "--no-access-log"], {"DEBUG": "0"})
WITH_ACCESS_LOG = (["--lifespan", "on"], {"DEBUG": "1"})


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url() -> str:
    """The test database, which the server process must read (users committed by the test)."""
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class _Uvicorn:
    def __init__(self, args: list[str], env: dict[str, str]):
        self.port = _free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "config.asgi:application", "--host", "127.0.0.1"]
            + ["--port", str(self.port), *args],
            cwd=ROOT,
            env={**os.environ, "DATABASE_URL": _database_url(), "LOG_LEVEL": "INFO", **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # its own process group: the workers are stopped with it
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    break
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"uvicorn did not start: {self.stop()}") from None
                time.sleep(0.2)

    def stop(self) -> str:
        """Stops the server (Ctrl-C, as an operator would) and returns everything it printed."""
        output = ""
        # Ctrl-C, Ctrl-C again (uvicorn's "force quit"), then kill the group.
        for attempt in range(3):
            if self.process.poll() is None:
                if attempt < 2:
                    os.killpg(self.process.pid, signal.SIGINT)
                else:
                    os.killpg(self.process.pid, signal.SIGKILL)
            try:
                output, _ = self.process.communicate(timeout=10)
                break
            except subprocess.TimeoutExpired:
                continue
        return output


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("args", "env"), [MAKE_RUN, COMPOSE, WITH_ACCESS_LOG], ids=["make-run", "compose", "access"])
def test_a_query_string_token_never_reaches_the_server_log(make_user, args, env):
    user = make_user("producer")
    token = access_token(user)
    server = _Uvicorn(args, env)
    try:
        base = f"ws://127.0.0.1:{server.port}/ws/"
        # Other clients keep ?token= …
        with connect(f"{base}?token={token}", open_timeout=20) as ws:
            assert '"connected"' in ws.recv(timeout=20)
        # The dashboards' way: the token in the first message, never in the URL.
        with connect(base, open_timeout=20) as ws:
            ws.send(json.dumps({"action": "auth", "token": token}))
            assert '"connected"' in ws.recv(timeout=20)
        # … and a bad one is refused, logged all the same.
        with connect(f"{base}?token={token[:-4]}AAAA", open_timeout=20) as ws:
            with pytest.raises(ConnectionClosed) as closed:
                ws.recv(timeout=20)
            assert closed.value.rcvd.code == 4401
        # An HTTP URL with a token (the calendar feeds) is redacted in the access log too.
        with contextlib.suppress(OSError):
            urllib.request.urlopen(f"http://127.0.0.1:{server.port}/healthz?token={token}", timeout=20)
    finally:
        output = server.stop()
    assert "WebSocket /ws/" in output, output  # the line that used to hold the token is there …
    assert "token=[redacted]" in output, output
    assert token not in output  # … without the token
    assert token.split(".")[2] not in output  # not even its signature
    if "--no-access-log" not in args:
        assert "/healthz?token=[redacted]" in output, output


def _record(msg, args=()):
    return logging.LogRecord("uvicorn.error", logging.INFO, __file__, 1, msg, args, None)


@pytest.mark.parametrize(
    ("msg", "args", "expected", "secret"),
    [
        ('%s - "WebSocket %s" [accepted]', ("1.2.3.4:5", "/ws/?token=eyJa.eyJb.sig"), "/ws/?token=[redacted]", "sig"),
        ("GET /x?a=1&token=abc&b=2", (), "GET /x?a=1&token=[redacted]&b=2", "abc"),
        ("token=%s", ("s3cret",), "token=[redacted]", "s3cret"),
        ("GET /x?access_token=%s", ("s3cret",), "access_token=[redacted]", "s3cret"),
        ('frame {"action": "auth", "token": "abc.def"}', (), '"token": "[redacted]"', "abc.def"),
        ("bare eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjoxfQ.c2lnbmF0dXJl here", (), "bare [redacted] here", "c2lnbmF0"),
        ("cut eyJhbGciOiJIUzI1NiJ9.eyJ1c2Vy", (), "cut [redacted]", "eyJ1c2Vy"),
        ("%(path)s", ({"path": "/ws/?token=abc"},), "/ws/?token=[redacted]", "abc"),
    ],
)
def test_the_filter_redacts_tokens_in_messages_and_args(msg, args, expected, secret):
    record = _record(msg, args)
    assert RedactTokens().filter(record) is True
    message = record.getMessage()
    assert expected in message
    assert secret not in message


def test_the_filter_keeps_uvicorn_access_records_formattable():
    """uvicorn's AccessFormatter unpacks the five args: they stay five."""
    from uvicorn.logging import AccessFormatter

    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("1.2.3.4:5", "GET", "/cal.ics?token=abc", "1.1", 200),
        None,
    )
    RedactTokens().filter(record)
    line = AccessFormatter(fmt="%(client_addr)s %(request_line)s %(status_code)s").format(record)
    assert "token=[redacted]" in line and "abc" not in line


def test_settings_attach_the_filter_to_every_handler():
    from django.conf import settings

    logging_config = settings.LOGGING
    assert logging_config["handlers"]
    for handler in logging_config["handlers"].values():
        assert "redact_tokens" in handler.get("filters", [])
