"""Query filters every app shares: moments and days that can never reach the database out of range.

PostgreSQL stores offsets only within ±15:59 and Python's dates stop at year 9999, so a
filter such as ``?created_after=2026-01-01T00:00:00+16:00`` used to get past the form and
fail in the database (a 500). These fields answer 400 instead, naming the filter.
"""

from __future__ import annotations

from datetime import UTC, date, timedelta

import django_filters
from django import forms
from django.db import models
from django_filters.fields import IsoDateTimeField

from config.validators import in_range, out_of_range_message

YEARS_MESSAGE = out_of_range_message()
# PostgreSQL's limit for a time zone displacement.
MAX_OFFSET = timedelta(hours=15, minutes=59)


class MomentField(IsoDateTimeField):
    """An ISO 8601 moment with a storable offset and a plausible year, returned in UTC."""

    def to_python(self, value):
        try:
            moment = super().to_python(value)
        except (ValueError, OverflowError) as exc:  # an offset Python itself refuses
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from exc
        if moment is None:
            return None
        offset = moment.utcoffset()
        if offset is not None and abs(offset) > MAX_OFFSET:
            raise forms.ValidationError("The UTC offset must be within ±15:59.", code="offset")
        if not in_range(moment):
            raise forms.ValidationError(YEARS_MESSAGE, code="year")
        return moment.astimezone(UTC)


class DayField(forms.DateField):
    def to_python(self, value):
        day: date | None = super().to_python(value)
        if not in_range(day):
            raise forms.ValidationError(YEARS_MESSAGE, code="year")
        return day


class MomentFilter(django_filters.IsoDateTimeFilter):
    """Use for every datetime query filter (``?since=``, ``?created_after=``...)."""

    field_class = MomentField


class DayFilter(django_filters.DateFilter):
    """Use for every date query filter (``?date_from=``, ``?due_after=``...)."""

    field_class = DayField


class FilterSet(django_filters.FilterSet):
    """The base of every app's FilterSet: filters generated from ``Meta.fields`` for date and
    datetime columns get the range-checked fields too."""

    FILTER_DEFAULTS = {
        **django_filters.FilterSet.FILTER_DEFAULTS,
        models.DateTimeField: {"filter_class": MomentFilter},
        models.DateField: {"filter_class": DayFilter},
    }
