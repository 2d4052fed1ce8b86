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


@pytest.mark.django_db
def test_no_admin_json_field_answers_absurd_nesting_with_a_500(admin_user):
    """Issue 9, finding 10 (nested JSON → 400, never 500), in the admin: every JSON form field
    of every ModelAdmin refuses ``[`` × 50,000 as invalid and redisplays it."""
    from django import forms
    from django.contrib import admin
    from django.core.exceptions import ValidationError
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = admin_user
    checked = []
    for model, model_admin in admin.site._registry.items():
        form_class = model_admin.get_form(request, None)
        for name, field in form_class.base_fields.items():
            if not isinstance(field, forms.JSONField):
                continue
            checked.append(f"{model.__name__}.{name}")
            with pytest.raises(ValidationError):
                field.clean("[" * 50_000)
            bound = forms.Form(data={name: "[" * 50_000})
            bound.fields[name] = field
            assert not bound.is_valid()
            assert "[[[" in str(bound[name])  # redisplayed as typed
    assert "ColumnPreference.visible_columns" in checked
