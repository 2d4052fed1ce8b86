"""The API's error shape for errors raised below the views."""

import psycopg
import pytest
from django.db import OperationalError
from rest_framework.exceptions import ValidationError

from config.errors import Conflict, InvalidInput, api_exception_handler


def _raised_from(cause: Exception) -> OperationalError:
    try:
        try:
            raise cause
        except Exception as inner:
            raise OperationalError(str(inner)) from inner
    except OperationalError as exc:
        return exc


@pytest.mark.parametrize(
    "cause", [psycopg.errors.DeadlockDetected("deadlock detected"), psycopg.errors.LockNotAvailable("lock timeout")]
)
def test_deadlocks_and_lock_timeouts_are_503_retry_not_500(cause):
    response = api_exception_handler(_raised_from(cause), {})
    assert response.status_code == 503
    assert response["Retry-After"] == "1"
    assert set(response.data) == {"detail", "errors"}


def test_other_operational_errors_are_left_to_django():
    assert api_exception_handler(_raised_from(psycopg.errors.AdminShutdown("gone")), {}) is None


def test_domain_errors_map_to_their_status_and_fields():
    conflict = api_exception_handler(Conflict("Segment is not active."), {})
    assert (conflict.status_code, conflict.data) == (409, {"detail": "Segment is not active.", "errors": {}})
    invalid = api_exception_handler(InvalidInput(errors={"caption": ["Too long."]}), {})
    assert (invalid.status_code, invalid.data["errors"]) == (400, {"caption": ["Too long."]})


def test_validation_errors_keep_field_lists():
    response = api_exception_handler(ValidationError({"title": ["Required."]}), {})
    assert response.status_code == 400
    assert response.data == {"detail": "Invalid input.", "errors": {"title": ["Required."]}}
    flat = api_exception_handler(ValidationError(["Nope."]), {})
    assert flat.data["errors"] == {"non_field_errors": ["Nope."]}
