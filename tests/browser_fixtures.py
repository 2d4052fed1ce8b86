"""Browser tests: a real uvicorn serving config.asgi (HTTP + /ws/) against the test
database and Redis, driven by Debian's Chromium through Playwright (never a downloaded browser).

    @pytest.mark.e2e
    @pytest.mark.django_db(transaction=True)
    def test_x(asgi_server, logged_in_page, make_user):
        page = logged_in_page(make_user("first_ad"))
        page.goto(asgi_server + "/dash/...")
"""

from __future__ import annotations

import os
import socket
import threading
import time

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def asgi_server(transactional_db):
    """Base URL of a real uvicorn serving the whole app (HTTP and /ws/) in a thread."""
    import uvicorn

    from config.asgi import application

    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            application,
            host="127.0.0.1",
            port=port,
            lifespan="off",
            log_level="warning",
            ws="websockets-sansio",
            timeout_graceful_shutdown=1,
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium under Playwright's sync API, one for the whole test session.

    Launching Chromium costs about a second on two cores; each test gets its own browser
    context (fresh cookies, storage and pages), which isolates tests as well as a new browser.
    Playwright's sync API keeps an event loop on the main thread, which Django's
    async-safety check mistakes for async code, so the check is relaxed from the first
    browser test on; ``tests/conftest.py`` runs the browser tests last so every other test
    keeps the check.
    """
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} not installed (make test installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield instance
            instance.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def logged_in_page(browser, asgi_server):
    """logged_in_page(user) → a Playwright page whose browser context holds the user's session."""
    from django.conf import settings
    from django.test import Client

    contexts = []

    def _page(user, *, viewport=None):
        client = Client()
        client.force_login(user)
        session_id = client.cookies[settings.SESSION_COOKIE_NAME].value
        context = browser.new_context(viewport=viewport or {"width": 1280, "height": 900})
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session_id, "url": asgi_server}])
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield _page
    for context in contexts:
        context.close()
