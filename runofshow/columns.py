"""The rundown columns a user may show (SPEC §2). Pure: no Django."""

from __future__ import annotations

ALLOWED_COLUMNS: tuple[str, ...] = (
    "order",
    "name",
    "start_time",
    "end_time",
    "duration",
    "type",
    "status",
    "notes",
    "cues_count",
    "created_by",
    "updated_at",
)

DEFAULT_COLUMNS: tuple[str, ...] = (
    "order",
    "name",
    "start_time",
    "end_time",
    "duration",
    "type",
    "status",
    "notes",
)


def column_errors(value: object) -> list[str]:
    """Messages explaining why ``value`` is not a valid ``visible_columns`` list (empty when it is)."""
    if not isinstance(value, list):
        return ["Must be a list of column names."]
    if not value:
        return ["Choose at least one column."]
    if not all(isinstance(item, str) for item in value):
        return ["Every column name must be a string."]
    errors = []
    unknown = [item for item in value if item not in ALLOWED_COLUMNS]
    if unknown:
        errors.append(f"Unknown column(s): {', '.join(unknown)}. Allowed: {', '.join(ALLOWED_COLUMNS)}.")
    duplicates = sorted({item for item in value if value.count(item) > 1})
    if duplicates:
        errors.append(f"Listed more than once: {', '.join(duplicates)}.")
    return errors
