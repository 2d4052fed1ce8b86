import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django_celery_beat.models import PeriodicTask

from config.roles import ROLES

pytestmark = pytest.mark.django_db


def _snapshot_roles():
    return {g.name: sorted(g.permissions.values_list("codename", flat=True)) for g in Group.objects.all()}


def test_setup_roles_creates_every_role_and_is_idempotent():
    call_command("setup_roles", verbosity=0)
    first = _snapshot_roles()
    assert set(first) == set(ROLES)
    call_command("setup_roles", verbosity=0)
    assert _snapshot_roles() == first
    assert Group.objects.count() == len(ROLES)


def test_setup_roles_restores_a_tampered_group():
    call_command("setup_roles", verbosity=0)
    expected = _snapshot_roles()
    Group.objects.get(name="crew").permissions.clear()
    Group.objects.filter(name="vfx").delete()
    call_command("setup_roles", verbosity=0)
    assert _snapshot_roles() == expected


def test_setup_periodic_tasks_is_idempotent_and_keeps_admin_enabled_flag():
    call_command("setup_periodic_tasks", verbosity=0)
    rows = {t.name: (t.task, t.interval_id, t.crontab_id) for t in PeriodicTask.objects.all()}
    assert "realtime.prune_event_log" in rows
    PeriodicTask.objects.filter(name="realtime.prune_event_log").update(enabled=False)
    call_command("setup_periodic_tasks", verbosity=0)
    again = {t.name: (t.task, t.interval_id, t.crontab_id) for t in PeriodicTask.objects.all()}
    assert again == rows
    assert PeriodicTask.objects.get(name="realtime.prune_event_log").enabled is False


def test_every_scheduled_task_is_registered_with_celery():
    from config.celery import app

    call_command("setup_periodic_tasks", verbosity=0)
    app.loader.import_default_modules()
    for task in PeriodicTask.objects.values_list("task", flat=True):
        assert task in app.tasks, task


def test_seed_demo_is_idempotent():
    from django.contrib.auth import get_user_model

    call_command("seed_demo", verbosity=0)
    users = get_user_model().objects.count()
    call_command("seed_demo", verbosity=0)
    assert get_user_model().objects.count() == users
    assert get_user_model().objects.filter(username="demo_first_ad", groups__name="first_ad").exists()
