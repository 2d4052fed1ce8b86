"""The one update helper and the one permission class every app uses."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from config.errors import InvalidInput
from config.permissions import ActionPermissions, model_perms, required_perms
from config.services import model_update
from runofshow.models import ShowSession


@pytest.mark.django_db
def test_model_update_saves_only_what_changed(make_user):
    session = ShowSession.objects.create(name="Gala", date="2030-05-01", venue="Hall", timezone="UTC")
    ShowSession.objects.filter(pk=session.pk).update(venue="Moved by someone else")
    instance, changed = model_update(instance=session, fields=["name", "venue"], data={"name": "Gala night"})
    assert changed == ["name", "updated_at"]
    stored = ShowSession.objects.get(pk=session.pk)
    assert (stored.name, stored.venue) == ("Gala night", "Moved by someone else")  # the other column kept
    _instance, changed = model_update(instance=stored, fields=["name"], data={"name": "Gala night"})
    assert changed == []  # nothing differs: nothing written


@pytest.mark.django_db
def test_model_update_refuses_a_field_the_service_does_not_allow():
    session = ShowSession.objects.create(name="Gala", date="2030-05-01", timezone="UTC")
    with pytest.raises(InvalidInput) as refused:
        model_update(instance=session, fields=["name"], data={"name": "x", "timezone": "Europe/Paris"})
    assert refused.value.errors == {"timezone": ["This field cannot be changed."]}
    assert ShowSession.objects.get(pk=session.pk).name == "Gala"


@pytest.mark.django_db
def test_model_update_validates_when_asked():
    from django.core.exceptions import ValidationError

    session = ShowSession.objects.create(name="Gala", date="2030-05-01", timezone="UTC")
    with pytest.raises(ValidationError):
        model_update(instance=session, fields=["timezone"], data={"timezone": "Mars/Olympus"}, validate=True)
    assert ShowSession.objects.get(pk=session.pk).timezone == "UTC"


class _Declared(APIView):
    action_perms = {"GET": ("runofshow.view_show_call",)}

    def get(self, request):
        return None

    def post(self, request):
        return None


def _allowed(view_class, method: str, user) -> tuple[bool, str]:
    request = getattr(APIRequestFactory(), method.lower())("/")
    force_authenticate(request, user=user)
    view = view_class()
    view.request = view.initialize_request(request)
    permission = ActionPermissions()
    return permission.has_permission(view.request, view), permission.message


@pytest.mark.django_db
def test_action_permissions_need_every_declared_perm_and_close_what_is_undeclared(make_user):
    allowed, message = _allowed(_Declared, "GET", make_user(None))
    assert not allowed and message == "Requires permission: runofshow.view_show_call."
    allowed, message = _allowed(_Declared, "POST", make_user(None))
    assert not allowed and "declares no permission" in message  # a new endpoint is closed by default
    assert _allowed(_Declared, "PUT", make_user(None))[0]  # no handler: DRF's 405 follows
    granted = make_user(None)
    granted.user_permissions.add(Permission.objects.get(codename="view_show_call"))
    assert _allowed(_Declared, "GET", granted)[0]


def test_action_perms_are_looked_up_by_action_and_method_then_action_then_method():
    class View:
        action = "settings"
        queryset = None
        action_perms = {"settings:PUT": ("a.put",), "settings": ("a.any",), "GET": ("a.get",)}

    assert required_perms(View(), "PUT") == ("a.put",)
    assert required_perms(View(), "GET") == ("a.any",)
    View.action = None
    assert required_perms(View(), "GET") == ("a.get",)
    assert model_perms("hotset", "scheduleitem")["destroy"] == ("hotset.delete_scheduleitem",)
