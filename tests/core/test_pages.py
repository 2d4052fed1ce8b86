import pytest

from realtime.auth import user_for_token

pytestmark = pytest.mark.django_db


def test_dashboard_index_needs_a_login_and_lists_dashboards(client, make_user):
    assert client.get("/dash/").status_code == 302
    client.force_login(make_user("producer"))
    response = client.get("/dash/")
    assert response.status_code == 200
    assert b"data-socket-token=" in response.content


def test_fresh_socket_token_is_for_the_session_user(client, make_user):
    assert client.get("/dash/socket-token/").status_code == 401
    user = make_user("crew")
    client.force_login(user)
    response = client.get("/dash/socket-token/")
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    assert user_for_token(response.json()["token"]) == user
