"""Rotations migrations keep existing rows."""


def test_existing_employees_each_get_their_own_calendar_token(migrate):
    apps = migrate(("rotations", "0003_approval_outbox"))
    Employee = apps.get_model("rotations", "Employee")
    for name in ("Ann", "Ben", "Cat"):
        Employee.objects.create(name=name, external_id=name.lower(), qualifications=["core"])
    apps = migrate(("rotations", "0004_employee_calendar_token"))
    tokens = list(apps.get_model("rotations", "Employee").objects.values_list("calendar_token", flat=True))
    assert len(tokens) == 3 and len(set(tokens)) == 3 and all(tokens)
