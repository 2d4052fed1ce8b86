"""Where an approved assignment goes.

``LocalSubmitter`` (the default) only applies it to the Event here, in the approving
transaction. ``HttpSubmitter`` (when ``ROTATIONS_SUBMIT_URL`` is set) POSTs a submission unit
— ``{assignments: [...]}``, a core event with its supervisor events — to the client's system
after the approval committed (services.send_submission); a 2xx is success, a 4xx/5xx or a
timeout is a failure with its reason and details. Each request carries the unit's
``Idempotency-Key`` so that the client's system can drop a repeat.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import httpx
from django.conf import settings

logger = logging.getLogger(__name__)

MAX_BODY_CHARS = 2000


@dataclass(frozen=True)
class Outcome:
    ok: bool
    failure_reason: str = ""
    details: dict | None = field(default=None)


class LocalSubmitter:
    name = "local"
    event_status = "scheduled"
    remote = False

    def submit(self, payload: dict, *, key: str) -> Outcome:
        return Outcome(ok=True)


class HttpSubmitter:
    name = "http"
    event_status = "submitted"
    remote = True

    def __init__(self, url: str, timeout: float):
        self.url = url
        self.timeout = timeout

    def submit(self, payload: dict, *, key: str) -> Outcome:
        headers = {"Idempotency-Key": key}
        try:
            response = httpx.post(self.url, json=payload, headers=headers, timeout=self.timeout)
        except httpx.TimeoutException:
            return Outcome(False, f"the client's system did not answer within {self.timeout:g} s", {"error": "timeout"})
        except httpx.HTTPError as exc:
            return Outcome(False, f"could not reach the client's system: {exc.__class__.__name__}", {"error": str(exc)})
        if response.is_success:
            return Outcome(ok=True)
        try:
            body = response.json()
        except ValueError:
            body = response.text[:MAX_BODY_CHARS]
        reason = f"the client's system refused it: HTTP {response.status_code}"
        return Outcome(False, reason, {"status_code": response.status_code, "body": body})


def get_submitter() -> LocalSubmitter | HttpSubmitter:
    url = settings.ROTATIONS_SUBMIT_URL
    if url:
        return HttpSubmitter(url, float(settings.ROTATIONS_SUBMIT_TIMEOUT))
    return LocalSubmitter()
