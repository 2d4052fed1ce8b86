"""Domain errors and the API's single error shape.

Services raise the domain errors below (they know nothing of HTTP); the DRF
exception handler turns them, and every DRF/Django error, into
``{"detail": ..., "errors": {field: [...]}}`` with the right status, and marks
the request's transaction for rollback so a failed request changes nothing.
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import OperationalError
from django.http import Http404, JsonResponse
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback as _drf_set_rollback

logger = logging.getLogger(__name__)


class DomainError(Exception):
    """Base of the errors services raise; ``errors`` maps field → messages."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "Invalid request."

    def __init__(self, detail: str | None = None, *, errors: dict[str, list[str]] | None = None):
        self.detail = detail or self.default_detail
        self.errors = errors or {}
        super().__init__(self.detail)


class InvalidInput(DomainError):
    """400: the input breaks a rule (a limit, an unknown value)."""

    default_detail = "Invalid input."


class Conflict(DomainError):
    """409: the action does not fit the current state (e.g. completing a segment that is not active)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "The action conflicts with the current state."


def _rollback_request(context) -> None:
    """Marks the request's transaction for rollback, unless the view opted out of the
    per-request transaction (``non_atomic_requests``): then there is none to mark, and an
    enclosing block (a test's) is not the request's to spoil."""
    request = context.get("request") if context else None
    match = getattr(getattr(request, "_request", request), "resolver_match", None)
    if match is not None and getattr(match.func, "_non_atomic_requests", None):
        return
    _drf_set_rollback()


def _flatten(detail) -> list[str]:
    if isinstance(detail, list):
        out: list[str] = []
        for item in detail:
            out.extend(_flatten(item))
        return out
    if isinstance(detail, dict):
        out = []
        for key, value in detail.items():
            out.extend(f"{key}: {m}" for m in _flatten(value))
        return out
    return [str(detail)]


def _field_errors(detail) -> dict[str, list]:
    if isinstance(detail, dict):
        return {str(k): (v if isinstance(v, list | dict) else [str(v)]) for k, v in detail.items()}
    return {"non_field_errors": _flatten(detail)}


def error_body(detail: str, errors: dict | None = None) -> dict:
    return {"detail": detail, "errors": errors or {}}


def is_transient_database_error(exc: BaseException) -> bool:
    """A deadlock, lock timeout or serialization failure: the request may simply be retried."""
    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__
    sqlstate = getattr(cause, "sqlstate", None)
    # 40P01 deadlock_detected, 40001 serialization_failure, 55P03 lock_not_available
    if sqlstate in {"40P01", "40001", "55P03"}:
        return True
    return "database is locked" in str(exc)  # SQLite (make run)


def api_exception_handler(exc, context):
    """DRF EXCEPTION_HANDLER: every error in the SPEC's JSON shape, never a 500 for bad input."""
    if is_transient_database_error(exc):
        _rollback_request(context)
        logger.warning("transient database error, answered 503: %s", exc)
        return Response(
            error_body("The database was busy with a conflicting change; retry the request."),
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": "1"},
        )
    if isinstance(exc, DomainError):
        _rollback_request(context)
        return Response(error_body(exc.detail, exc.errors), status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        _rollback_request(context)
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return Response(error_body("Invalid input.", errors), status=400)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(exc.wait)
    if isinstance(exc, exceptions.ValidationError):
        body = error_body("Invalid input.", _field_errors(exc.detail))
    elif isinstance(exc.detail, dict):
        # simplejwt's errors are dicts with detail/code/messages.
        detail = exc.detail.get("detail", exc.default_detail)
        errors = {k: _flatten(v) for k, v in exc.detail.items() if k not in ("detail", "code")}
        body = error_body(str(detail), errors)
    else:
        body = error_body(str(exc.detail))
    _rollback_request(context)
    return Response(body, status=exc.status_code, headers=headers)


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def json_404(request, exception=None):
    if _is_api(request):
        return JsonResponse(error_body("Not found."), status=404)
    return defaults.page_not_found(request, exception)


def json_500(request):
    if _is_api(request):
        return JsonResponse(error_body("Server error."), status=500)
    return defaults.server_error(request)


def json_400(request, exception=None):
    if _is_api(request):
        return JsonResponse(error_body("Bad request."), status=400)
    return defaults.bad_request(request, exception)


def json_403(request, exception=None):
    if _is_api(request):
        return JsonResponse(error_body("You do not have permission to perform this action."), status=403)
    return defaults.permission_denied(request, exception)
