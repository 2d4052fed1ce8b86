"""A show's rundown as a spreadsheet: segments with their cues as columns (config/spreadsheets.py).

A segment is found within its show by ``order``. Its cues are columns ``cue_1_number``,
``cue_1_kind``, ``cue_1_offset_seconds``, ``cue_1_description``, ``cue_2_…`` (as many as the
longest segment needs); a cue is found within its segment by kind and number. Cues of the
segment that the file does not list are kept (a file adds and changes, it never deletes).
Times without an offset are in the show's zone; the export writes them there, with it.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils import timezone

from config.errors import DomainError
from config.spreadsheets import ServiceResource, cell_text, columns_of
from runofshow import selectors, services
from runofshow.api.serializers import CueSerializer, SegmentSerializer
from runofshow.models import Cue, Segment, ShowSession

CUE_PARTS = ("number", "kind", "offset_seconds", "description")
_CUE_COLUMN = re.compile(r"^cue_(\d+)_(number|kind|offset_seconds|description)$")
SEGMENT_COLUMNS = columns_of(SegmentSerializer, drop=("cues",))  # the cues become columns of their own


def cue_columns(count: int) -> list[str]:
    return [f"cue_{n}_{part}" for n in range(1, count + 1) for part in CUE_PARTS]


class SegmentResource(ServiceResource):
    """Segments of ``session`` (the API's nested list) or of each row's ``session`` (the admin)."""

    serializer_class = SegmentSerializer

    class Meta:
        model = Segment

    def __init__(self, session: ShowSession | None = None, **context):
        super().__init__(**context)
        self.session = session
        self.columns = SEGMENT_COLUMNS + cue_columns(self._widest(session))
        self._sessions: dict[int, ShowSession] = {}

    @staticmethod
    def _widest(session: ShowSession | None) -> int:
        from django.db.models import Count, Max

        segments = Segment.objects.filter(session=session) if session is not None else Segment.objects.all()
        return segments.annotate(n=Count("cues")).aggregate(top=Max("n"))["top"] or 1

    def session_of(self, data: dict) -> ShowSession:
        if self.session is not None:
            return self.session
        raw = data.get("session")
        if not raw or not str(raw).isdigit():
            raise ValidationError({"session": ["Name the show (its session id) of each row."]})
        key = int(raw)
        if key not in self._sessions:
            found = ShowSession.objects.filter(pk=key).first()
            if found is None:
                raise ValidationError({"session": [f"No show session {key}."]})
            self._sessions[key] = found
        return self._sessions[key]

    # -- rows -----------------------------------------------------------------------------------------
    def row_data(self, row) -> dict:
        segment_cells, cues = {}, {}
        for name, value in row.items():
            match = _CUE_COLUMN.match(str(name or ""))
            if match:
                cues.setdefault(int(match.group(1)), {})[match.group(2)] = cell_text(value)
            else:
                segment_cells[name] = value
        data = super().row_data(segment_cells)
        data["_cues"] = {n: parts for n, parts in sorted(cues.items()) if any(v is not None for v in parts.values())}
        data["_session"] = self.session_of(data)
        return data

    def serializer_input(self, data: dict, *, partial: bool) -> dict:
        # end_time is start + duration: the file's duration wins; end_time serves when it is empty.
        plain = {k: v for k, v in data.items() if not k.startswith("_")}
        if plain.get("duration"):
            plain.pop("end_time", None)
        return super().serializer_input(plain, partial=partial)

    def serializer_timezone(self, instance):
        return self._current_session.timezone

    def find(self, data: dict):
        session = self._current_session = data["_session"]
        order = data.get("order")
        if not order or not str(order).isdigit():
            return None
        return Segment.objects.filter(session=session, order=int(order)).first()

    def import_instance(self, instance, row, **kwargs):
        data = self.data_of(row)
        super().import_instance(instance, row, **kwargs)
        instance._cue_changes = self._cue_changes(instance, data["_cues"])

    def skip_row(self, instance, original, row, import_validation_errors=None):
        return super().skip_row(instance, original, row, import_validation_errors) and not instance._cue_changes

    def _cue_changes(self, segment: Segment, cues: dict) -> list[tuple[int, Cue | None, dict]]:
        """Each cue of the row checked by the cue API's serializer: (column number, existing
        cue or None, the changes); unchanged cues left out."""
        existing = {(c.kind, c.number): c for c in segment.cues.all()} if segment.pk else {}
        changes, errors = [], {}
        for n, parts in cues.items():
            key = (parts.get("kind") or Cue.Kind.OTHER, (parts.get("number") or "").strip())
            cue = existing.get(key)
            payload = {part: value for part, value in parts.items() if value is not None}
            if "description" in parts and parts["description"] is None:
                payload["description"] = ""
            serializer = CueSerializer(
                instance=cue,
                data=payload,
                partial=cue is not None,
                context={"segment": segment if segment.pk else None},
            )
            if not serializer.is_valid():
                for field, messages in serializer.errors.items():
                    errors[f"cue_{n}_{field}"] = [str(m) for m in messages]
                continue
            validated = dict(serializer.validated_data)
            if cue is not None:
                validated = {k: v for k, v in validated.items() if getattr(cue, k) != v}
                if not validated:
                    continue
            changes.append((n, cue, validated))
        if errors:
            raise ValidationError(errors)
        return changes

    def save_instance(self, instance, is_create, row, **kwargs):
        super().save_instance(instance, is_create, row, **kwargs)
        segment = Segment.objects.get(pk=instance.pk)
        for n, cue, changes in instance._cue_changes:
            try:
                if cue is None:
                    services.create_cue(segment=segment, **changes)
                else:
                    services.update_cue(cue=cue, **changes)
            except DomainError as exc:
                raise ValidationError({f"cue_{n}_number": [str(exc.detail)]}) from None

    def create(self, data: dict):
        return services.create_segment(session=self._current_session, **data)

    def update(self, instance, data: dict):
        return services.update_segment(segment=instance, **data)

    def export(self, queryset=None, **kwargs):
        # Whatever door asks (the API's rundown, the admin's changelist): cues and show in one go.
        rows = self.get_queryset() if queryset is None else queryset
        ordered = selectors.segments().filter(pk__in=rows.values("pk")).select_related("session")
        return super().export(ordered.order_by("session_id", "order", "id"), **kwargs)

    def export_row(self, instance) -> dict:
        with timezone.override(instance.session.timezone):  # the show's times in the show's zone
            cells = super().export_row(instance)
        for n, cue in enumerate(cells.pop("cues"), 1):
            for part in CUE_PARTS:
                cells[f"cue_{n}_{part}"] = cue[part]
        return cells
