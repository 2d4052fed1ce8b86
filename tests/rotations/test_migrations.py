"""Rotations migrations keep existing rows."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


@pytest.fixture
def migrate(transactional_db):
    """migrate(target) → the historical apps at ``target``; the schema is back at the latest after."""

    def _migrate(target):
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate([target])
        return executor.loader.project_state([target]).apps

    yield _migrate
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_existing_employees_each_get_their_own_calendar_token(migrate):
    apps = migrate(("rotations", "0003_approval_outbox"))
    Employee = apps.get_model("rotations", "Employee")
    for name in ("Ann", "Ben", "Cat"):
        Employee.objects.create(name=name, external_id=name.lower(), qualifications=["core"])
    apps = migrate(("rotations", "0004_employee_calendar_token"))
    tokens = list(apps.get_model("rotations", "Employee").objects.values_list("calendar_token", flat=True))
    assert len(tokens) == 3 and len(set(tokens)) == 3 and all(tokens)
