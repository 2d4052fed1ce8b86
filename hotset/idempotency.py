"""``Idempotency-Key`` for the hot set's action endpoints (SPEC §1).

A phone on a stage loses signal and replays its queue of taps when it is back. The same key
from the same user within ``KEEP_FOR`` gets the first answer again and changes nothing; the
same key on another endpoint or with another body is a 409. Only successful answers are kept:
a refused action (4xx) changed nothing, so its replay is simply tried again.

The record is written in the action's own transaction (requests are atomic), before the action
runs: a second request with the same key waits on the unique index until the first commits,
then replays its answer — two taps at once make one change. A failed action rolls the record
back with everything else.
"""

from __future__ import annotations

import functools
import hashlib
import json
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.response import Response

from config.errors import Conflict, InvalidInput
from hotset.models import IdempotentRequest

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 200
KEEP_FOR = timedelta(hours=24)

SCHEMA_PARAMETER = OpenApiParameter(
    HEADER,
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description="Makes the action safe to repeat: the same key from the same user within 24 h gets the first "
    "answer again and changes nothing; the key on another endpoint or body → 409.",
)


def _fingerprint(request) -> str:
    body = request.data if isinstance(request.data, dict) else {}
    text = json.dumps([request.method, request.path, body], sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _checked_key(request) -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not key.strip() or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise InvalidInput(errors={HEADER: [f"A non-empty printable string of at most {MAX_KEY_LENGTH} characters."]})
    return key


def claim(*, user, key: str, fingerprint: str, now: datetime) -> IdempotentRequest | None:
    """The earlier answer to replay, or None after recording this request as the key's first."""
    with transaction.atomic():
        IdempotentRequest.objects.filter(user=user, key=key, created_at__lt=now - KEEP_FOR).delete()
    try:
        with transaction.atomic():
            IdempotentRequest.objects.create(user=user, key=key, fingerprint=fingerprint, created_at=now)
            return None
    except IntegrityError:
        pass  # the key is taken: a committed first request (we waited for it on the index)
    earlier = IdempotentRequest.objects.get(user=user, key=key)
    if earlier.fingerprint != fingerprint:
        raise Conflict(
            f"This {HEADER} was already used for another request (another endpoint or body); use a new key.",
            errors={HEADER: ["Used for another request."]},
        )
    return earlier


def idempotent(view_method):
    """Wraps a DRF action: replays the first successful answer for a repeated key."""

    @functools.wraps(view_method)
    def wrapper(self, request, *args, **kwargs):
        key = _checked_key(request)
        if key is None:
            return view_method(self, request, *args, **kwargs)
        earlier = claim(user=request.user, key=key, fingerprint=_fingerprint(request), now=timezone.now())
        if earlier is not None:
            return Response(earlier.response, status=earlier.status_code, headers={"Idempotent-Replay": "true"})
        response = view_method(self, request, *args, **kwargs)
        if 200 <= response.status_code < 300:
            IdempotentRequest.objects.filter(user=request.user, key=key).update(
                status_code=response.status_code, response=response.data
            )
        else:
            IdempotentRequest.objects.filter(user=request.user, key=key).delete()
        return response

    return wrapper


def purge(*, now: datetime) -> int:
    """Deletes the records older than ``KEEP_FOR``; returns how many."""
    deleted, _ = IdempotentRequest.objects.filter(created_at__lt=now - KEEP_FOR).delete()
    return deleted
