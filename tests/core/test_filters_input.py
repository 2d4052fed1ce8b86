"""Issue 9, finding 4: date and moment query filters answer 400, never 500, for any input."""

from __future__ import annotations

import datetime
import importlib
import inspect

import django_filters
import pytest

from config.filters import DayFilter, MomentFilter

APPS = ("hotset", "runofshow", "rotations", "publishing")

MOMENT_URLS = [
    "/api/v1/publishing/videos/?created_after={v}",
    "/api/v1/publishing/videos/?created_before={v}",
    "/api/v1/publishing/posts/?scheduled_after={v}",
    "/api/v1/publishing/posts/upcoming/?scheduled_before={v}",
    "/api/v1/runofshow/sessions/{sid}/audit/?since={v}",
]
BAD_MOMENTS = [
    "2026-01-01T00:00:00%2B16:00",  # an offset PostgreSQL cannot store
    "2026-01-01T00:00:00-16:30",
    "0001-01-01T00:00:00-01:00",  # the year 1 (and UTC before it)
    "9999-12-31T23:59:59%2B01:00",
    "10000-01-01T00:00:00",
    "2026-13-01T00:00:00",
]
DAY_URLS = ["/api/v1/hotset/days/?date_from={d}", "/api/v1/rotations/events/?due_after={d}",
            "/api/v1/runofshow/sessions/?date_to={d}"]  # fmt: skip
BAD_DAYS = ["0001-01-01", "9999-12-31", "2026-02-30", "99999-01-01"]


@pytest.fixture
def superuser_client(api_as, db, roles):
    from django.contrib.auth import get_user_model

    return api_as(user=get_user_model().objects.create_superuser("filters-admin", "a@example.com", "pw"))


@pytest.fixture
def show(db):
    from runofshow.models import ShowSession

    return ShowSession.objects.create(name="Show", date=datetime.date(2026, 1, 1), venue="Hall", timezone="UTC")


@pytest.mark.django_db
@pytest.mark.parametrize("url", MOMENT_URLS)
@pytest.mark.parametrize("value", BAD_MOMENTS)
def test_an_out_of_range_moment_filter_is_a_400_naming_the_filter(superuser_client, show, url, value):
    response = superuser_client.get(url.format(v=value, sid=show.pk))
    assert response.status_code == 400, response.content[:300]
    name = url.split("?")[1].split("=")[0]
    assert name in response.json()["errors"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", DAY_URLS)
@pytest.mark.parametrize("value", BAD_DAYS)
def test_an_out_of_range_day_filter_is_a_400(superuser_client, url, value):
    response = superuser_client.get(url.format(d=value))
    assert response.status_code == 400, response.content[:300]


@pytest.mark.django_db
def test_a_moment_with_a_far_offset_still_filters_in_utc(superuser_client, show):
    from runofshow.models import AuditEntry

    assert AuditEntry.objects.count() == 0
    ok = superuser_client.get(f"/api/v1/runofshow/sessions/{show.pk}/audit/?since=2026-01-01T00:00:00%2B15:59")
    assert ok.status_code == 200


def _filtersets():
    for app in APPS:
        module = importlib.import_module(f"{app}.filters")
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, django_filters.FilterSet) and cls.__module__ == module.__name__:
                yield cls


def test_every_date_and_moment_filter_of_every_app_is_range_checked():
    """A new filter (or one generated from Meta.fields) must use the shared fields."""
    unchecked = [
        f"{filterset.__module__}.{filterset.__name__}.{name}"
        for filterset in _filtersets()
        for name, flt in filterset.base_filters.items()
        if isinstance(flt, django_filters.DateFilter | django_filters.DateTimeFilter | django_filters.IsoDateTimeFilter)
        and not isinstance(flt, DayFilter | MomentFilter)
    ]
    assert list(_filtersets())
    assert unchecked == []
