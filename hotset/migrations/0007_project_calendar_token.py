import secrets

from django.db import migrations, models

import hotset.models


def give_each_project_a_token(apps, schema_editor):
    """One secret per project (a column default would give every existing row the same one)."""
    Project = apps.get_model("hotset", "Project")
    for project in Project.objects.filter(calendar_token__isnull=True).only("pk"):
        project.calendar_token = secrets.token_urlsafe(32)
        project.save(update_fields=["calendar_token"])


class Migration(migrations.Migration):
    dependencies = [
        ("hotset", "0006_scene_int_ext_day_night"),
    ]

    operations = [
        migrations.AddField(
            model_name="project",
            name="calendar_token",
            field=models.CharField(editable=False, max_length=64, null=True),
        ),
        migrations.RunPython(give_each_project_a_token, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="project",
            name="calendar_token",
            field=models.CharField(
                default=hotset.models.new_calendar_token,
                editable=False,
                help_text="The secret in the project's shoot-day calendar feed URL; rotate it to cut off an old link.",
                max_length=64,
                unique=True,
            ),
        ),
    ]
