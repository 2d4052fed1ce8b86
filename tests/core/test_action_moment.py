"""The ``at`` every action body accepts (config.api.ActionMomentSerializer): SPEC §1, a moment
outside the years 1900–2200 is a 400 on ``at``, never a 500 further down."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from config.api import ActionMomentSerializer
from config.validators import in_range, validate_date, validate_moment

YEARS = "Must be between the years 1900 and 2200."


@pytest.mark.parametrize(
    "moment",
    [
        "0001-01-01T00:00:00Z",
        "0001-01-01T00:00:00+01:00",  # overflows already converting to UTC
        "1899-12-31T23:59:59Z",
        "9999-12-31T23:59:59-01:00",
    ],
)
def test_at_outside_the_years_is_refused_on_at(moment):
    serializer = ActionMomentSerializer(data={"at": moment})
    assert not serializer.is_valid()
    assert [str(m) for m in serializer.errors["at"]] == [YEARS]


def test_at_inside_the_years_and_not_in_the_future_is_taken():
    for moment in ("1900-01-01T00:00:00Z", "2025-06-10T07:00:00+01:00"):
        serializer = ActionMomentSerializer(data={"at": moment})
        assert serializer.is_valid(), serializer.errors
        assert serializer.moment() == datetime.fromisoformat(moment.replace("Z", "+00:00"))
    future = ActionMomentSerializer(data={"at": (timezone.now() + timedelta(minutes=5)).isoformat()})
    assert not future.is_valid()
    assert [str(m) for m in future.errors["at"]] == ["May not be in the future."]


def test_validators_bound_dates_and_moments_inclusively():
    from django.core.exceptions import ValidationError

    assert validate_moment(datetime(1900, 1, 1, tzinfo=UTC)).year == 1900
    assert validate_date(datetime(2200, 12, 31).date()).year == 2200
    assert validate_moment(None) is None and in_range(None)
    for bad in (datetime(1899, 12, 31, tzinfo=UTC), datetime(2201, 1, 1, tzinfo=UTC)):
        with pytest.raises(ValidationError) as raised:
            validate_moment(bad)
        assert raised.value.messages == [YEARS]
    with pytest.raises(ValidationError):
        validate_date(datetime(9999, 12, 31).date())


@pytest.mark.django_db
def test_a_run_of_show_action_at_outside_the_years_is_400(api_as):
    # The same serializer guards every app's actions: here a run-of-show activate.
    from runofshow import services

    show = services.create_session(name="Gala", date=datetime(2030, 5, 1).date(), venue="Hall", timezone="UTC")
    segment = services.create_segment(
        session=show, name="Opening", start_time=datetime(2030, 5, 1, 19, tzinfo=UTC), duration=10
    )
    client = api_as("show_caller")
    r = client.post(f"/api/v1/runofshow/segments/{segment.pk}/activate/", {"at": "0001-01-01T00:00:00Z"}, format="json")
    assert r.status_code == 400, r.content
    assert r.json()["errors"] == {"at": [YEARS]}
    segment.refresh_from_db()
    assert segment.status == "pending"
