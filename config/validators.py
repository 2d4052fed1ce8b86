"""Times coming in: range checks (SPEC §1: a time outside the years 1900–2200 → 400, never 500),
and the zone of a time given without an offset.

A date or moment far outside any shoot (9999-12-31, 0001-01-01) parses fine but breaks the
maths later: ``datetime + timedelta`` and time-zone conversions overflow at the edges of
Python's calendar. Refused at the edge, no later arithmetic (durations of a day at most,
days of a few weeks) can overflow.

The validators raise Django's ``ValidationError``: DRF fields, ``validate_<field>`` methods and
model fields all turn it into a 400 on the field.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo

from django.core.exceptions import ValidationError

MIN_YEAR = 1900
MAX_YEAR = 2200


def out_of_range_message(min_year: int = MIN_YEAR, max_year: int = MAX_YEAR) -> str:
    return f"Must be between the years {min_year} and {max_year}."


# For DRF DateTimeFields: a moment at the very edge of the calendar (0001-01-01 with an offset)
# fails already in the time-zone conversion; it gets the same message as any other far moment.
MOMENT_ERROR_MESSAGES = {"overflow": out_of_range_message()}


def in_range(value: date | datetime | None, *, min_year: int = MIN_YEAR, max_year: int = MAX_YEAR) -> bool:
    """True for None and for a date / datetime within the years (as given, in its own zone)."""
    return value is None or min_year <= value.year <= max_year


def validate_moment(value: datetime | None, *, min_year: int = MIN_YEAR, max_year: int = MAX_YEAR) -> datetime | None:
    """A datetime within the years, else ValidationError; returns the value (None passes)."""
    if not in_range(value, min_year=min_year, max_year=max_year):
        raise ValidationError(out_of_range_message(min_year, max_year), code="out_of_range")
    return value


def validate_date(value: date | None, *, min_year: int = MIN_YEAR, max_year: int = MAX_YEAR) -> date | None:
    """A date within the years, else ValidationError; returns the value (None passes)."""
    if not in_range(value, min_year=min_year, max_year=max_year):
        raise ValidationError(out_of_range_message(min_year, max_year), code="out_of_range")
    return value


def in_zone(moment: datetime | None, tz: tzinfo) -> datetime | None:
    """``moment`` as an aware time: one without an offset is read in ``tz`` (the project's zone)."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=tz)
