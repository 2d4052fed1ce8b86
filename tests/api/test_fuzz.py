"""API fuzzing from the OpenAPI schema (schemathesis): no input yields a 5xx.

Every operation of the published schema is exercised with generated inputs, both
authenticated as a superuser (so writes go past the permission checks) and anonymously.
"""

import json

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from config.wsgi import application
from tests.factories import bearer


def _published_schema() -> dict:
    """The schema /api/schema/ serves, built without a request (loading it over WSGI at
    import would need the database, which collection may not touch)."""
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    return json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))


schema = schemathesis.openapi.from_dict(_published_schema())
schema.app = application

FUZZ = settings(
    max_examples=6,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def keep_test_connection():
    """Calls go through the WSGI handler, whose request signals would close the test's
    database connection mid-test (Django's own test client disconnects them the same way)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def superuser_header(db, roles, keep_test_connection):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_superuser(username="fuzz-admin", password="pw-Secret-123")
    return {"Authorization": bearer(user)}


@pytest.mark.django_db
@schema.parametrize()
@FUZZ
def test_no_input_yields_a_server_error(case, superuser_header):
    case.call_and_validate(headers=superuser_header, checks=[not_a_server_error])
