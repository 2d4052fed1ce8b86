"""The run-of-show dashboard page: the rundown, the buttons by role, the links."""

from __future__ import annotations

import json

from django.test import Client

from runofshow import dashboards, services


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_dashboard_renders_the_rundown_with_the_users_columns(make_user, show):
    session, segments = show
    director = make_user("director")
    services.set_visible_columns(user=director, session=session, visible_columns=["order", "name", "cues_count"])
    response = _client(director).get(f"/dash/runofshow/{session.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert session.name in html
    assert 'id="ros-columns-dialog"' in html
    assert "ros-next-button" not in html  # not a show caller
    initial = json.loads(html.split('<script id="ros-initial" type="application/json">')[1].split("</script>")[0])
    assert initial["columns"] == ["order", "name", "cues_count"]
    assert initial["can_call"] is False
    assert [s["id"] for s in initial["segments"]] == [s.pk for s in segments]
    assert initial["state"]["active_segment"] is None
    assert response.cookies.get("csrftoken")  # the page's API calls need it


def test_show_callers_get_the_buttons(make_user, show):
    session, _segments = show
    html = _client(make_user("show_caller")).get(f"/dash/runofshow/{session.pk}/").content.decode()
    assert "ros-next-button" in html
    assert '"can_call": true' in html


def test_dashboard_refuses_those_who_cannot_see_the_show(make_user, show):
    session, _segments = show
    assert _client(make_user("crew")).get(f"/dash/runofshow/{session.pk}/").status_code == 403
    assert _client(make_user("director")).get("/dash/runofshow/987654/").status_code == 404
    anonymous = Client().get(f"/dash/runofshow/{session.pk}/")
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/admin/login/")


def test_dashboard_links(make_user, show):
    session, _segments = show
    assert dashboards.links(make_user("crew")) == []
    links = dashboards.links(make_user("director"))
    assert links == [(f"Run of show · {session.name} (2030-05-01)", f"/dash/runofshow/{session.pk}/")]
    index = _client(make_user("show_caller")).get("/dash/").content.decode()
    assert f"/dash/runofshow/{session.pk}/" in index
