import secrets

from django.db import migrations, models

import rotations.models


def give_each_employee_a_token(apps, schema_editor):
    """One secret per employee (a column default would give every existing row the same one)."""
    Employee = apps.get_model("rotations", "Employee")
    for employee in Employee.objects.filter(calendar_token__isnull=True).only("pk"):
        employee.calendar_token = secrets.token_urlsafe(32)
        employee.save(update_fields=["calendar_token"])


class Migration(migrations.Migration):
    dependencies = [
        ("rotations", "0003_approval_outbox"),
    ]

    operations = [
        migrations.AddField(
            model_name="employee",
            name="calendar_token",
            field=models.CharField(editable=False, max_length=64, null=True),
        ),
        migrations.RunPython(give_each_employee_a_token, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="employee",
            name="calendar_token",
            field=models.CharField(
                default=rotations.models.new_calendar_token,
                editable=False,
                help_text="The secret in the employee's calendar feed URL; rotate it to cut off an old link.",
                max_length=64,
                unique=True,
            ),
        ),
    ]
