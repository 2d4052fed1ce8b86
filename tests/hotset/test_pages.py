"""The dashboard page and its link on /dash/ (server side; the browser test is in tests/e2e)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from hotset import dashboards

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _initial(response) -> dict:
    html = response.content.decode()
    start = html.index('<script id="hs-initial" type="application/json">') + len(
        '<script id="hs-initial" type="application/json">'
    )
    return json.loads(html[start : html.index("</script>", start)])


def test_first_ad_gets_the_page_with_its_data(make_user, session, standard_day):
    r = _client(make_user("first_ad")).get(f"/dash/hotset/{session.pk}/")
    assert r.status_code == 200
    initial = _initial(r)
    assert initial["can_run"] is True
    assert initial["session"]["id"] == session.pk
    assert len(initial["projection"]["items"]) == 6
    assert initial["default_view"] == "current"
    assert b"Confirm crew call" in r.content
    assert 'data-socket-token="' in r.content.decode()


def test_readers_get_it_read_only_and_others_are_refused(make_user, session):
    r = _client(make_user("producer")).get(f"/dash/hotset/{session.pk}/")
    assert r.status_code == 200
    assert _initial(r)["can_run"] is False
    assert _client(make_user("vfx")).get(f"/dash/hotset/{session.pk}/").status_code == 403
    assert _client(make_user("first_ad")).get("/dash/hotset/424242/").status_code == 404
    assert Client().get(f"/dash/hotset/{session.pk}/").status_code == 302


def test_dash_index_links_to_sessions(make_user, session):
    ad = make_user("first_ad")
    links = dashboards.links(ad)
    assert links and links[0][1] == f"/dash/hotset/{session.pk}/"
    assert dashboards.links(make_user("vfx")) == []
    r = _client(ad).get("/dash/")
    assert f"/dash/hotset/{session.pk}/".encode() in r.content


def test_the_service_worker_is_served_from_the_dashboards_path_without_http_caching():
    r = Client().get("/dash/hotset/sw.js")
    assert r.status_code == 200
    assert r["Content-Type"].startswith("text/javascript")
    assert r["Cache-Control"] == "no-cache"
    body = r.content.decode()
    assert 'const CACHE = "setdesk-hotset-v1";' in body
    assert Client().post("/dash/hotset/sw.js").status_code == 405


def test_the_page_registers_the_service_worker_and_loads_its_scripts(make_user, session):
    html = _client(make_user("first_ad")).get(f"/dash/hotset/{session.pk}/").content.decode()
    assert 'data-service-worker="/dash/hotset/sw.js"' in html
    for script in ("hotset/queue.js", "hotset/strip.js", "hotset/dashboard.js"):
        assert script in html
