"""Secrets at rest: a model field that stores a JSON value encrypted.

Fernet (AES-128-CBC with an HMAC-SHA256) under keys derived from
``FIELD_ENCRYPTION_KEYS``: the first encrypts, every one of them decrypts, so a key
is rotated by putting the new one first and re-saving. By default the one key is
``SECRET_KEY``; set ``FIELD_ENCRYPTION_KEYS`` before rotating ``SECRET_KEY``, or the
stored secrets become unreadable. A database dump or a read-only SQL user then sees
tokens, never the platforms' credentials.
"""

from __future__ import annotations

import base64
import hashlib
import json
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models


class UnreadableSecret(ValueError):
    """The stored value was encrypted under a key that is not configured any more."""


@lru_cache(maxsize=8)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    derived = [
        Fernet(base64.urlsafe_b64encode(hashlib.sha256(b"setdesk.field-encryption:" + key.encode()).digest()))
        for key in keys
    ]
    return MultiFernet(derived)


def _keys() -> tuple[str, ...]:
    return tuple(key for key in getattr(settings, "FIELD_ENCRYPTION_KEYS", ()) if key) or (settings.SECRET_KEY,)


def encrypt_json(value) -> str:
    return _fernet(_keys()).encrypt(json.dumps(value, separators=(",", ":")).encode()).decode()


def decrypt_json(stored: str):
    """The value behind ``stored``. Plain JSON (written before the field was encrypted, or by
    the dispatcher's ORM fallback) is read as it is."""
    if stored[:1] in ("{", "["):
        return json.loads(stored)
    try:
        return json.loads(_fernet(_keys()).decrypt(stored.encode()))
    except (InvalidToken, ValueError) as exc:
        raise UnreadableSecret("cannot decrypt a stored secret: was FIELD_ENCRYPTION_KEYS changed?") from exc


class EncryptedJSONField(models.TextField):
    """Holds a JSON value (a dict, say) like JSONField, stored encrypted as text.

    Not searchable or filterable by content, by design.
    """

    def from_db_value(self, value, expression, connection):
        return None if value is None else decrypt_json(value)

    def to_python(self, value):
        return decrypt_json(value) if isinstance(value, str) else value

    def get_prep_value(self, value):
        return None if value is None else encrypt_json(value)

    def value_to_string(self, obj):  # serialization (dumpdata) keeps the token, not the secret
        return self.get_prep_value(self.value_from_object(obj))
