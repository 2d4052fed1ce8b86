"""The one update helper every ``update_<thing>(*, <thing>, **changes)`` service uses."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models

from config.errors import InvalidInput


def model_update(
    *, instance: models.Model, fields: Iterable[str], data: dict[str, Any], validate: bool = False
) -> tuple[models.Model, list[str]]:
    """Set the ``fields`` present in ``data`` that differ and save only those (plus
    ``updated_at`` when the model has one), so an edit never overwrites a column another
    request changed meanwhile.

    Returns the instance and the names that changed: empty means nothing was written, and
    the caller can skip its event. A key outside ``fields`` is a 400 naming it (the service
    decides what may change, whatever the serializer or form let through). ``validate`` runs
    the model's ``full_clean`` first (field validators, ``clean``, constraints). Rules that
    need locks or other rows are the calling service's, checked before this.
    """
    allowed = set(fields)
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise InvalidInput(errors={name: ["This field cannot be changed."] for name in unknown})
    changed = []
    for name, value in data.items():
        field = instance._meta.get_field(name)
        attname = field.attname if field.is_relation and not isinstance(value, models.Model) else name
        if getattr(instance, attname) != value:
            setattr(instance, attname, value)
            changed.append(field.name)
    if not changed:
        return instance, changed
    if validate:
        instance.full_clean()
    updated_at = instance._meta.get_field("updated_at") if hasattr(instance, "updated_at") else None
    if updated_at is not None and getattr(updated_at, "auto_now", False):
        changed.append("updated_at")
    instance.save(update_fields=changed)
    return instance, changed
