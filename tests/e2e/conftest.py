"""The browser fixtures (asgi_server, browser, logged_in_page) are registered for the whole
suite by tests/conftest.py (tests/browser_fixtures.py); helpers live in tests/e2e/support.py."""
