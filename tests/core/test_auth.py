import pytest

pytestmark = pytest.mark.django_db


def test_token_obtain_refresh_and_me(api, make_user):
    make_user("first_ad", username="ada", password="pw-Secret-123")
    response = api.post("/api/v1/auth/token/", {"username": "ada", "password": "pw-Secret-123"})
    assert response.status_code == 200
    tokens = response.json()
    assert set(tokens) == {"access", "refresh"}

    refreshed = api.post("/api/v1/auth/token/refresh/", {"refresh": tokens["refresh"]})
    assert refreshed.status_code == 200
    assert "access" in refreshed.json()

    api.credentials(HTTP_AUTHORIZATION=f"Bearer {refreshed.json()['access']}")
    me = api.get("/api/v1/auth/me/")
    assert me.status_code == 200
    body = me.json()
    assert body["username"] == "ada"
    assert body["roles"] == ["first_ad"]
    assert isinstance(body["id"], int)


def test_wrong_password_is_401_json(api, make_user):
    make_user(username="bob", password="pw-Secret-123")
    response = api.post("/api/v1/auth/token/", {"username": "bob", "password": "nope"})
    assert response.status_code == 401
    assert "detail" in response.json() and "errors" in response.json()


def test_me_without_token_is_401_in_error_shape(api):
    response = api.get("/api/v1/auth/me/")
    assert response.status_code == 401
    body = response.json()
    assert body["detail"]
    assert body["errors"] == {}


def test_garbage_token_is_401(api):
    api.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    response = api.get("/api/v1/auth/me/")
    assert response.status_code == 401
    assert set(response.json()) == {"detail", "errors"}


def test_refresh_with_bad_token_is_401(api):
    response = api.post("/api/v1/auth/token/refresh/", {"refresh": "garbage"})
    assert response.status_code == 401


def test_token_missing_fields_is_400_with_field_errors(api):
    response = api.post("/api/v1/auth/token/", {})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"username", "password"}


def test_unknown_api_path_is_json_404(api):
    response = api.get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert response.json()["detail"]


def test_session_login_reaches_me(client, make_user):
    user = make_user("producer")
    client.force_login(user)
    response = client.get("/api/v1/auth/me/")
    assert response.status_code == 200
    assert response.json()["roles"] == ["producer"]
