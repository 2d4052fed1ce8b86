"""Admin pieces shared by the apps.

Imported (as the ``config`` app's admin module) before the domain apps' admins register, so
the JSON form field below is in place for every ModelAdmin built after it.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin import options
from django.core.exceptions import ValidationError
from django.db import models
from django.forms.fields import InvalidJSONInput


class BoundedJSONFormField(forms.JSONField):
    """Django's JSON form field, with JSON nested past Python's recursion limit (``[`` × 50,000)
    an invalid value like any other, instead of a RecursionError (a 500) on save and on redisplay."""

    def to_python(self, value):
        try:
            return super().to_python(value)
        except RecursionError as exc:
            raise ValidationError(self.error_messages["invalid"], code="invalid", params={"value": "…"}) from exc

    def bound_data(self, data, initial):
        try:
            return super().bound_data(data, initial)
        except RecursionError:
            return InvalidJSONInput(data)


# Every ModelAdmin starts from these defaults (BaseModelAdmin.__init__ copies them).
options.FORMFIELD_FOR_DBFIELD_DEFAULTS[models.JSONField] = {"form_class": BoundedJSONFormField}


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records that only services write (live state, audit trails, leases): view, never edit."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
