"""The stripboard as a spreadsheet: a session's schedule items (config/spreadsheets.py).

Columns are the items list's field names plus ``pages`` ("2 3/8", what a stripboard shows;
``pages_eighths`` is read when ``pages`` is empty). Keys within the session: a scene by its
``scene_number``; a block by its ``block_type`` and ``title`` (the second "Lunch" in the file
is the session's second "Lunch"). New rows are added at the end in file order; existing
items keep their place (the order changes through reorder). Status and actual times are
exported, never imported: the day is run from the dashboard.
"""

from __future__ import annotations

import re
from collections import Counter

from django.core.exceptions import ValidationError
from django.utils import timezone

from config.spreadsheets import ServiceResource, columns_of
from hotset import services
from hotset.api import serializers as s
from hotset.models import HotSetSession, ScheduleItem

_PAGES = re.compile(r"^\s*(?:(\d+)\s+)?(?:(\d+)\s*/\s*8)?\s*$|^\s*(\d+)\s*$")


def eighths(text: str) -> int:
    """ "2 3/8" → 19, "3/8" → 3, "2" → 16; ValueError otherwise."""
    match = _PAGES.match(text)
    if not match or not any(match.groups()):
        raise ValueError(text)
    whole, part, only = match.groups()
    if only is not None:
        return int(only) * 8
    if part is not None and int(part) >= 8:
        raise ValueError(text)
    return int(whole or 0) * 8 + int(part or 0)


def pages_text(value: int) -> str:
    whole, part = divmod(value, 8)
    if not part:
        return str(whole)
    return f"{whole} {part}/8" if whole else f"{part}/8"


class ScheduleItemResource(ServiceResource):
    """Items of ``session`` (the API's nested list), or of each row's ``session`` column (the
    admin, where one file may hold several days)."""

    serializer_class = s.ScheduleItemSerializer
    columns = columns_of(s.ScheduleItemSerializer, before={"pages_eighths": "pages"})

    class Meta:
        model = ScheduleItem

    def __init__(self, session: HotSetSession | None = None, **context):
        super().__init__(**context)
        self.session = session
        self._blocks_seen: Counter = Counter()
        self._sessions: dict[int, HotSetSession] = {}

    def session_of(self, data: dict) -> HotSetSession:
        if self.session is not None:
            return self.session
        raw = data.get("session")
        if not raw or not str(raw).isdigit():
            raise ValidationError({"session": ["Name the session (its id) of each row."]})
        key = int(raw)
        if key not in self._sessions:
            found = HotSetSession.objects.select_related("production_day__project").filter(pk=key).first()
            if found is None:
                raise ValidationError({"session": [f"No session {key}."]})
            self._sessions[key] = found
        return self._sessions[key]

    def row_data(self, row) -> dict:
        data = super().row_data(row)
        data.pop("position", None)  # the order changes through reorder, never through a file
        pages = data.pop("pages", None)
        if pages:
            try:
                data["pages_eighths"] = str(eighths(pages))
            except ValueError:
                raise ValidationError({"pages": [f'"{pages}" is not pages: write 2 3/8, 3/8 or 2.']}) from None
        data["_session"] = self.session_of(data)
        return data

    def serializer_input(self, data: dict, *, partial: bool) -> dict:
        return super().serializer_input({k: v for k, v in data.items() if k != "_session"}, partial=partial)

    def serializer_timezone(self, instance):
        return self._current_session.production_day.project.tzinfo

    def find(self, data: dict):
        session = self._current_session = data["_session"]
        items = ScheduleItem.objects.filter(session=session).order_by("position")
        if (data.get("kind") or "scene") == "scene":
            number = data.get("scene_number")
            return items.filter(kind="scene", scene_number=number).first() if number else None
        key = (session.pk, data.get("block_type") or "", data.get("title") or "")
        nth = self._blocks_seen[key]
        self._blocks_seen[key] += 1
        return items.filter(kind="block", block_type=key[1], title=key[2])[nth : nth + 1].first()

    def create(self, data: dict):
        return services.add_item(session=self._current_session, values=data, now=timezone.now())

    def update(self, instance, data: dict):
        return services.update_item(item=instance, now=timezone.now(), **data)

    def export(self, queryset=None, **kwargs):
        rows = self.get_queryset() if queryset is None else queryset
        return super().export(rows.select_related("session__production_day__project"), **kwargs)  # each row's zone

    def export_row(self, instance) -> dict:
        cells = super().export_row(instance)
        cells["pages"] = pages_text(instance.pages_eighths)
        return cells
