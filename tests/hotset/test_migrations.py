"""Data migrations of the hot set keep (or deliberately forget) existing rows."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from realtime.models import EventLog  # unchanged by these migrations

BEFORE = ("hotset", "0002_suggestion_target")
AFTER = ("hotset", "0003_forget_role_only_events_on_session_groups")


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])


@pytest.mark.django_db(transaction=True)
def test_role_only_events_logged_on_session_groups_are_forgotten_and_the_rest_kept():
    _migrate(BEFORE)
    now = timezone.now()
    rows = [
        ("hotset.session.7", 1, "hotset.item.started"),
        ("hotset.session.7", 2, "hotset.settings.updated"),
        ("hotset.session.7", 3, "hotset.suggestion.proposed"),
        ("role.first_ad", 1, "hotset.suggestion.proposed"),
        ("role.first_ad", 2, "hotset.settings.updated"),
    ]
    for group, seq, event_type in rows:
        EventLog.objects.create(group_name=group, epoch="e", seq=seq, event_type=event_type, ts=now, payload={})

    _migrate(AFTER)
    kept = sorted(EventLog.objects.values_list("group_name", "event_type"))
    assert kept == [
        ("hotset.session.7", "hotset.item.started"),
        ("role.first_ad", "hotset.settings.updated"),
        ("role.first_ad", "hotset.suggestion.proposed"),
    ]
