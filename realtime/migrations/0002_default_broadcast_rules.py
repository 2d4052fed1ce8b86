from django.db import migrations

from realtime.rules import DEFAULT_RULES, ensure_default_rules


def add_rules(apps, schema_editor):
    ensure_default_rules(apps.get_model("realtime", "BroadcastRule"))


def remove_rules(apps, schema_editor):
    BroadcastRule = apps.get_model("realtime", "BroadcastRule")
    for prefix, roles in DEFAULT_RULES.items():
        BroadcastRule.objects.filter(event_type_prefix=prefix, role__in=roles).delete()


class Migration(migrations.Migration):
    dependencies = [("realtime", "0001_initial")]
    operations = [migrations.RunPython(add_rules, remove_rules)]
