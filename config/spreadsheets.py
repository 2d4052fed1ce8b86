"""Cells of the CSV files the project hands out (reports, exports)."""

from __future__ import annotations

from datetime import datetime


def cell(value) -> str:
    """A value as a spreadsheet cell: empty for None, yes/no, ISO times to the second, and text
    that a spreadsheet would run as a formula (=, +, -, @) quoted out (CSV injection)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") and not text.lstrip("-").isdigit() else text
