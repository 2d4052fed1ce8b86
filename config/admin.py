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


class ServiceWritesAdmin(admin.ModelAdmin):
    """For models whose writes go through services: a refusal (``DomainError``: the 409s and 400s
    the API answers) rolls back everything the admin request did — the object, every inline row,
    a bulk deletion — and shows the reason on the page it came from, instead of a 500 or a half
    save."""

    def _refused(self, request, exc):
        from django.db import transaction
        from django.http import HttpResponseRedirect

        transaction.set_rollback(True)
        problems = [f"{field}: {' '.join(messages)}" for field, messages in (exc.errors or {}).items()]
        self.message_user(request, " ".join([f"Not saved: {exc.detail}", *problems]), level="ERROR")
        return HttpResponseRedirect(request.get_full_path())

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        from config.errors import DomainError

        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as exc:
            return self._refused(request, exc)

    def delete_view(self, request, object_id, extra_context=None):
        from config.errors import DomainError

        try:
            return super().delete_view(request, object_id, extra_context)
        except DomainError as exc:
            return self._refused(request, exc)

    def changelist_view(self, request, extra_context=None):
        from config.errors import DomainError

        try:
            return super().changelist_view(request, extra_context)
        except DomainError as exc:
            return self._refused(request, exc)
