"""The one update helper every ``thing_update(*, instance, **changes)`` service uses."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models


def model_update(
    *, instance: models.Model, fields: Iterable[str], data: dict[str, Any]
) -> tuple[models.Model, list[str]]:
    """Set the ``fields`` present in ``data`` that differ and save only those.

    Returns the instance and the names that changed (empty: nothing was written, so the
    caller can skip its event). A key of ``data`` outside ``fields`` is a programming error
    — the API's serializer or the admin form decides what a caller may change, the service
    decides what it accepts — and raises ``ValueError``. Rules are the calling service's:
    it checks them (under its locks) before or after this, never a serializer.
    """
    allowed = set(fields)
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ValueError(f"{type(instance).__name__} cannot update: {', '.join(unknown)}")
    changed = []
    for name, value in data.items():
        field = instance._meta.get_field(name)
        attname = field.attname if field.is_relation and not isinstance(value, models.Model) else name
        if getattr(instance, attname) != value:
            setattr(instance, attname, value)
            changed.append(field.name)
    if changed:
        if any(f.name == "updated_at" and getattr(f, "auto_now", False) for f in instance._meta.fields):
            changed.append("updated_at")
        instance.save(update_fields=changed)
    return instance, changed
