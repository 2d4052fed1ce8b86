"""Issue 9, finding 10b: deeply nested JSON is a 400 on any endpoint, anonymous included."""

from __future__ import annotations

import pytest

from config.parsers import MAX_DEPTH, nesting_depth

DEEP = "[" * 50_000


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    ["/api/v1/auth/token/", "/api/v1/auth/token/refresh/", "/api/v1/publishing/videos/", "/api/v1/hotset/projects/"],
)
def test_deep_nesting_is_a_400_for_anonymous_callers(api, path):
    response = api.post(path, data=DEEP, content_type="application/json")
    assert response.status_code in (400, 401), response.content[:200]
    if response.status_code == 400:
        assert "nested deeper" in response.json()["detail"]


@pytest.mark.django_db
def test_deep_nesting_is_a_400_and_writes_nothing_for_a_signed_in_user(api_as, roles):
    from django.contrib.auth import get_user_model

    from hotset.models import Project

    client = api_as(user=get_user_model().objects.create_superuser("deep", "d@example.com", "pw"))
    for body in (DEEP, '{"name": ' + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5) + "}"):
        response = client.post("/api/v1/hotset/projects/", data=body, content_type="application/json")
        assert response.status_code == 400, response.content[:200]
        assert "nested deeper" in response.json()["detail"]
    assert not Project.objects.exists()


def test_nesting_depth_counts_lists_and_objects_without_recursing():
    assert nesting_depth(1) == 0
    assert nesting_depth({"a": [1, {"b": []}]}) == 4
    deep: list = []
    for _ in range(100_000):
        deep = [deep]
    assert nesting_depth(deep) == 100_001
