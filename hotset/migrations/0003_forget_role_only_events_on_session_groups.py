"""Settings and suggestion events used to be logged on ``hotset.session.<id>``, which crew
may follow; they now go to their own permission-checked groups. Forget the old copies so a
crew socket's resume cannot replay them (a client that finds the gap is told to resync)."""

from django.db import migrations

ROLE_ONLY_PREFIXES = ("hotset.settings.", "hotset.suggestion.")


def forget_role_only_events(apps, schema_editor):
    EventLog = apps.get_model("realtime", "EventLog")
    for prefix in ROLE_ONLY_PREFIXES:
        EventLog.objects.filter(group_name__startswith="hotset.session.", event_type__startswith=prefix).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("hotset", "0002_suggestion_target"),
        ("realtime", "0002_default_broadcast_rules"),
    ]

    operations = [migrations.RunPython(forget_role_only_events, migrations.RunPython.noop)]
