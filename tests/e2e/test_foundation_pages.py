"""The served pages in a real browser: the dashboards index goes live over /ws/."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_dashboard_index_connects_live_channel(asgi_server, logged_in_page, make_user):
    page = logged_in_page(make_user("producer"))
    page.goto(asgi_server + "/dash/")
    expect(page.locator("h1")).to_have_text("Dashboards")
    # realtime.js is not loaded by the index unless a page asks; the base template loads it
    # and the status pill turns "live" once the socket is open.
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live")


def test_api_docs_render(asgi_server, browser):
    page = browser.new_page()
    page.goto(asgi_server + "/api/docs/")
    expect(page.locator("#swagger-ui")).to_be_visible()
    page.close()
