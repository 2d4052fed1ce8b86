"""No token in any log line (SPEC §5).

uvicorn logs every socket as ``"WebSocket /ws/?token=eyJ…" [accepted]`` on its error
logger, access log or not, and its logging is configured by uvicorn itself before the
application loads. :class:`RedactTokens` rewrites ``token=…``, ``"token": "…"`` and
anything shaped like a JWT to ``[redacted]``; settings.LOGGING puts it on every handler,
and :func:`install` (called by config/asgi.py) on uvicorn's loggers and on every handler
that exists once the application is loaded, whoever configured it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping

REDACTED = "[redacted]"

_PATTERNS = (
    # ?token=…, &access_token=…, token%3D… in URLs and messages.
    (re.compile(r"(token(?:=|%3D))[^&\s\"'#]+", re.IGNORECASE), rf"\1{REDACTED}"),
    # {"token": "…"} in a logged frame or body.
    (re.compile(r"(\"token\"\s*:\s*\")[^\"]*", re.IGNORECASE), rf"\1{REDACTED}"),
    # Any JWT, even cut short: base64url JSON header "eyJ…", then payload and signature.
    (re.compile(r"eyJ[A-Za-z0-9_-]{6,}(?:\.[A-Za-z0-9_-]*){0,2}"), REDACTED),
)


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def _redact_value(value):
    return redact(value) if isinstance(value, str) else value


class RedactTokens(logging.Filter):
    """Redacts tokens in a record's message and args; never drops a record.

    Args are redacted one by one and stay args (uvicorn's access formatter unpacks them);
    a token written in the format string itself is redacted in the rendered message.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            if isinstance(record.args, tuple):
                record.args = tuple(_redact_value(arg) for arg in record.args)
            elif isinstance(record.args, Mapping):
                record.args = {key: _redact_value(value) for key, value in record.args.items()}
            if isinstance(record.msg, str):
                redacted = redact(record.msg)
                if redacted != record.msg:
                    # "token=%s": the format string holds the name, an arg the value.
                    record.msg, record.args = redact(record.getMessage()), ()
            if record.exc_info and not record.exc_text:
                record.exc_text = logging.Formatter().formatException(record.exc_info)
            if record.exc_text:
                record.exc_text = redact(record.exc_text)
        except Exception:  # noqa: BLE001, S110 — a log line must never fail because of this filter
            pass
        return True


# Loggers that log request paths with their query string.
URL_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access", "websockets", "django.request", "django.server")


def _add_once(target, redactor: RedactTokens) -> None:
    if not any(isinstance(existing, RedactTokens) for existing in target.filters):
        target.addFilter(redactor)


def install() -> None:
    """Puts the filter on the URL-logging loggers (for their records, whatever handler
    they reach later) and on every handler configured so far (uvicorn's own included)."""
    redactor = RedactTokens()
    for name in URL_LOGGERS:
        _add_once(logging.getLogger(name), redactor)
    loggers = [logging.getLogger()] + [
        logger for logger in logging.Logger.manager.loggerDict.values() if isinstance(logger, logging.Logger)
    ]
    for logger in loggers:
        for handler in logger.handlers:
            _add_once(handler, redactor)
