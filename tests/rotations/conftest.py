"""Fixtures for the rotations tests (fixtures only; the builders are in tests/rotations/factories.py):
the clock, a small world of employees, rotations and events, and a local HTTP server."""

from __future__ import annotations

import contextlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.rotations.factories import NOW, FakeClientSystem, World, build_world


@pytest.fixture
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def world(db, now) -> World:
    """Ann juices, Ben is primary lead (and a supervisor), Cat is the club supervisor, Dan does core."""
    return build_world()


# --- a real local HTTP server standing in for the client's system ------------------------------


@pytest.fixture
def client_system():
    state: dict = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's naming
            system: FakeClientSystem = state["system"]
            length = int(self.headers.get("Content-Length") or 0)
            payload = json.loads(self.rfile.read(length) or b"{}")
            system.requests.append({"json": payload, "idempotency_key": self.headers.get("Idempotency-Key")})
            if system.hang is not None:
                system.hang.wait(10)
            data = json.dumps(system.body).encode()
            self.send_response(system.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            with contextlib.suppress(OSError):
                self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    system = FakeClientSystem(url=f"http://127.0.0.1:{server.server_address[1]}/assignments")
    state["system"] = system
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield system
    if system.hang is not None:
        system.hang.set()
    server.shutdown()
    server.server_close()
