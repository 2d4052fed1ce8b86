"""Spreadsheet import and export (CSV, XLSX) for the admin and the API (SPEC §9).

django-import-export does the file formats, the admin's two-step flow (upload → preview of
what is created, updated and refused, row by row → confirm) and the bookkeeping; tablib and
openpyxl read and write the files. What a row may hold is decided where it is decided for
the API, and written where the API writes:

- each row is checked by the list's own serializer (the same fields, choices and ranges as
  a POST or PATCH), and
- written by the app's services (the same rules as every other write: a wrapped day, a
  weekday clash, a qualification the event needs), inside the import's transaction.

Every import runs in one transaction: a dry run, or any refused row, rolls it all back, so
one bad row never half-imports a file. A row that changes nothing is skipped, so importing
the same file twice changes nothing the second time. Rows are found by the resource's
natural key (an external id, a ref num, a scene number within the session, a segment order),
so an export can be imported into another database.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
from collections.abc import Callable

import tablib
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import HttpResponse
from django.utils import timezone
from import_export import resources
from import_export.fields import Field
from import_export.results import RowResult
from rest_framework import serializers
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.fields import empty

from config.errors import DomainError, InvalidInput

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
LIST_SEPARATOR = ", "


# --- reading and writing files -------------------------------------------------------------------


def read_upload(upload) -> tablib.Dataset:
    """The uploaded CSV or XLSX as a dataset with headers; InvalidInput (400) on ``file``
    when it is missing, too large, of another kind, unreadable or empty."""
    if upload is None:
        raise InvalidInput("No file.", errors={"file": ["Attach a CSV or XLSX file as `file`."]})
    if upload.size > MAX_UPLOAD_BYTES:
        raise InvalidInput(errors={"file": [f"The file is over {MAX_UPLOAD_BYTES // (1024 * 1024)} MB."]})
    raw = upload.read()
    name = (getattr(upload, "name", "") or "").lower()
    if name.endswith((".xls", ".ods", ".numbers")):
        raise InvalidInput(errors={"file": ["Save the sheet as CSV or XLSX."]})
    # By the file's name; without a known one, by its first bytes (an XLSX is a zip archive).
    kind = "xlsx" if name.endswith(".xlsx") else "csv" if name.endswith((".csv", ".txt")) else None
    return dataset_from_bytes(raw, kind or ("xlsx" if raw[:4] == b"PK\x03\x04" else "csv"))


def dataset_from_bytes(raw: bytes, kind: str) -> tablib.Dataset:
    try:
        if kind == "xlsx":
            dataset = tablib.Dataset().load(io.BytesIO(raw), format="xlsx")
        else:
            text = raw.decode("utf-8-sig")
            dataset = tablib.Dataset().load(text, format="csv") if text.strip() else tablib.Dataset()
    except UnicodeDecodeError:
        raise InvalidInput(errors={"file": ["The CSV is not UTF-8 text."]}) from None
    except Exception:  # noqa: BLE001 - any parser failure is a file the user must fix
        raise InvalidInput(errors={"file": [f"The file could not be read as {kind.upper()}."]}) from None
    if not dataset.headers or not any(str(h or "").strip() for h in dataset.headers):
        raise InvalidInput(errors={"file": ["The file has no header row."]})
    if len(dataset) > MAX_ROWS:
        raise InvalidInput(errors={"file": [f"The file has over {MAX_ROWS} rows; split it."]})
    dataset.headers = [str(h or "").strip() for h in dataset.headers]
    return dataset


def file_response(dataset: tablib.Dataset, *, fmt: str, filename: str) -> HttpResponse:
    body = dataset.export("xlsx") if fmt == "xlsx" else dataset.export("csv")
    response = HttpResponse(body, content_type=FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


def export_format(value: str | None) -> str:
    fmt = (value or "csv").lower()
    if fmt not in FORMATS:
        raise InvalidInput(errors={"format": [f"One of: {', '.join(FORMATS)}."]})
    return fmt


# --- cells ↔ serializer data ----------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@")


def cell(value) -> str:
    """A value as a spreadsheet cell: empty for None, yes/no, ISO times to the second, and text
    that a spreadsheet would run as a formula (=, +, -, @) quoted out (CSV injection)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    text = str(value)
    return "'" + text if text[:1] in _FORMULA_START and not text.lstrip("-").isdigit() else text


def unquote(text: str) -> str:
    """Undoes ``cell``'s formula guard, so an export imports back to the same text."""
    return text[1:] if text[:1] == "'" and text[1:2] in _FORMULA_START else text


def cell_text(value) -> str | None:
    """A cell as the text a serializer reads (XLSX cells come typed); None when empty."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = unquote(str(value).strip())
    return text or None


def list_cell(value) -> list[str]:
    text = cell_text(value)
    if text is None:
        return []
    return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]


def out_cell(value):
    """A serializer value as a cell: lists joined, None empty, formulas guarded; numbers and
    booleans stay typed (an XLSX keeps them as numbers)."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float):
        return value
    if isinstance(value, list | tuple):
        return cell(LIST_SEPARATOR.join(str(v) for v in value))
    return cell(value)


# --- the resource ------------------------------------------------------------------------------------


def columns_of(serializer_class, *, after: dict[str, str] | None = None, before: dict[str, str] | None = None,
               drop: tuple[str, ...] = ()) -> list[str]:  # fmt: skip
    """The list's field names (SPEC §9: an export's columns), with extra columns placed
    ``after`` or ``before`` a field (e.g. a key column beside the id it stands for)."""
    out = []
    for name in serializer_class.Meta.fields:
        if name in drop:
            continue
        if before and name in before:
            out.append(before[name])
        out.append(name)
        if after and name in after:
            out.append(after[name])
    return out


class ServiceResource(resources.ModelResource):
    """A ModelResource whose rows are checked by an API serializer and written by services.

    Subclasses set ``serializer_class`` and ``columns`` (the export's headers: the list's
    field names, plus key columns such as ``employee_external_id``), and implement
    ``find(data)`` (the existing row or None), ``create(data)`` and ``update(instance, data)``
    (service calls). ``row_data(row)`` turns cells into serializer input; ``export_row``
    turns an instance into cells.
    """

    serializer_class: type[serializers.Serializer]
    columns: list[str]
    # Columns whose cells hold a list ("core, lead").
    list_columns: tuple[str, ...] = ()

    class Meta:
        abstract = True
        import_id_fields: list[str] = []
        # The preview shows each row as the file has it (see after_import_row), not a model diff.
        skip_diff = True
        clean_model_instances = False
        use_transactions = True

    def __init__(self, **context):
        super().__init__()
        self.context = context
        self._row_data: dict[int, tuple[dict, dict]] = {}

    # -- the library's hooks -------------------------------------------------------------------------
    def get_import_id_fields(self):
        return []

    def get_export_order(self):
        return list(self.columns)

    def import_columns(self) -> list[str]:
        """The columns an import reads: the serializer's writable fields and the extra ones
        (keys such as ``employee_external_id``, ``pages``, cue columns)."""
        fields = self.serializer_class(context=self.serializer_context()).fields
        return [name for name in self.columns if name not in fields or not fields[name].read_only]

    def get_user_visible_fields(self):
        # What the admin's import page lists as "will import the following fields".
        return [Field(attribute=name, column_name=name) for name in self.import_columns()]

    # The admin's preview and its refused rows show the file's own columns, and number rows as
    # the spreadsheet does (the header is row 1), as the API's answer does.
    def import_data_inner(self, dataset, *args, **kwargs):
        self._file_headers = [h for h in dataset.headers if h]
        return super().import_data_inner(dataset, *args, **kwargs)

    def get_diff_headers(self):
        return list(getattr(self, "_file_headers", None) or self.columns)

    def after_import(self, dataset, result, **kwargs):
        for invalid in result.invalid_rows:
            invalid.number += 1

    def after_import_row(self, row, row_result, **kwargs):
        row_result.diff = [cell_text(value) or "" for name, value in row.items() if name]

    def get_instance(self, instance_loader, row):
        data = self.row_data(row)
        self._row_data[id(row)] = (row, data)  # the row kept alive: its id() is not reused meanwhile
        try:
            return self.find(data)
        except (ValueError, TypeError, ValidationError):
            return None  # a key cell that is no date or number: the serializer names it

    def data_of(self, row) -> dict:
        """The row's serializer input, as ``get_instance`` read it."""
        kept = self._row_data.get(id(row))
        return kept[1] if kept is not None and kept[0] is row else self.row_data(row)

    def import_instance(self, instance, row, **kwargs):
        data = self.data_of(row)
        self._row_data.pop(id(row), None)
        serializer = self.serializer_class(
            instance=instance if instance.pk else None,
            data=self.serializer_input(data, partial=bool(instance.pk)),
            partial=bool(instance.pk),
            context=self.serializer_context(),
        )
        tz = self.serializer_timezone(instance)
        with timezone.override(tz) if tz is not None else contextlib.nullcontext():
            valid = serializer.is_valid()
        if not valid:
            raise ValidationError(_field_errors(serializer.errors))
        validated = self.clean_validated(dict(serializer.validated_data), instance)
        # What the row changes (all of it for a new row); the services write only this.
        instance._import_changes = {
            name: value for name, value in validated.items() if not instance.pk or _differs(instance, name, value)
        }

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if import_validation_errors:
            return False
        return bool(instance.pk) and not getattr(instance, "_import_changes", None)

    def save_instance(self, instance, is_create, row, **kwargs):
        changes = getattr(instance, "_import_changes", {})
        try:
            if is_create:
                saved = self.create(changes)
            else:
                fresh = type(instance)._default_manager.get(pk=instance.pk)
                saved = self.update(fresh, changes)
        except DomainError as exc:
            raise ValidationError(_domain_errors(exc)) from None
        except ApiValidationError as exc:
            raise ValidationError(_field_errors(exc.detail)) from None
        instance.pk = saved.pk
        instance.__dict__.update({k: v for k, v in saved.__dict__.items() if not k.startswith("_")})

    def export(self, queryset=None, export_fields=None, **kwargs) -> tablib.Dataset:
        rows = self.get_queryset() if queryset is None else queryset
        names = [name for name in self.columns if not export_fields or name in export_fields]
        dataset = tablib.Dataset(headers=names)
        for instance in rows:
            cells = self.export_row(instance)
            dataset.append([out_cell(cells.get(name)) for name in names])
        return dataset

    # -- to override ------------------------------------------------------------------------------------
    def row_data(self, row) -> dict:
        """Cells → serializer input (column names as the list's field names)."""
        data = {}
        for name, value in row.items():
            if name is None or str(name).startswith("_"):
                continue
            data[name] = list_cell(value) if name in self.list_columns else cell_text(value)
        return data

    def serializer_input(self, data: dict, *, partial: bool) -> dict:
        """Drops read-only columns and empty cells the serializer would refuse: an empty cell
        is "" for text, null where null is allowed, [] for lists, else left out."""
        fields = self.serializer_class(context=self.serializer_context()).fields
        out = {}
        for name, value in data.items():
            field = fields.get(name)
            if field is None or field.read_only:
                continue
            if value is None or value == []:
                if isinstance(field, serializers.ListField):
                    value = []
                elif getattr(field, "allow_null", False):
                    value = None
                elif getattr(field, "allow_blank", False):
                    value = ""
                else:
                    continue
            out[name] = value
        return out

    def serializer_context(self) -> dict:
        return {}

    def serializer_timezone(self, instance):
        """The zone a time without an offset is read in (the project's, the show's)."""
        return

    def clean_validated(self, validated: dict, instance) -> dict:
        return validated

    def export_row(self, instance) -> dict:
        return dict(self.serializer_class(instance, context=self.serializer_context()).data)

    def find(self, data: dict):
        raise NotImplementedError

    def create(self, data: dict):
        raise NotImplementedError

    def update(self, instance, data: dict):
        raise NotImplementedError


def _differs(instance, name: str, value) -> bool:
    current = getattr(instance, name, empty)
    if current is empty:
        return True
    if hasattr(current, "pk") and hasattr(value, "pk"):
        return current.pk != value.pk
    return current != value


def _field_errors(detail) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        out = {}
        for key, value in detail.items():
            name = NON_FIELD_ERRORS if key in ("non_field_errors", None) else str(key)
            out[name] = [str(v) for v in (value if isinstance(value, list) else [value])]
        return out
    return {NON_FIELD_ERRORS: [str(v) for v in (detail if isinstance(detail, list) else [detail])]}


def _domain_errors(exc: DomainError) -> dict[str, list[str]]:
    """The service's field errors; its detail only when it names no field (a 409's reason)."""
    errors = {str(k): [str(m) for m in v] for k, v in (exc.errors or {}).items()}
    return errors or {NON_FIELD_ERRORS: [str(exc.detail)]}


# --- running an import (the API's answer) -----------------------------------------------------------


def run_import(resource: ServiceResource, dataset: tablib.Dataset, *, dry_run: bool) -> dict:
    """Imports ``dataset`` all or nothing; ``{create, update, skip, refused: [{row, field,
    reason}], written}``. Row numbers count the header as row 1, as a spreadsheet shows them."""
    result = resource.import_data(
        dataset, dry_run=dry_run, use_transactions=True, rollback_on_validation_errors=True, raise_errors=False
    )
    refused = []
    for invalid in result.invalid_rows:
        for field, messages in invalid.error_dict.items():
            for message in messages:
                refused.append(
                    {
                        "row": invalid.number,
                        "field": None if field == NON_FIELD_ERRORS else field,
                        "reason": message,
                    }
                )
    for number, errors in result.row_errors():
        for error in errors:
            refused.append({"row": number + 1, "field": None, "reason": str(error.error)})
    for error in result.base_errors:
        refused.append({"row": None, "field": None, "reason": str(error.error)})
    totals = result.totals
    return {
        "create": totals[RowResult.IMPORT_TYPE_NEW],
        "update": totals[RowResult.IMPORT_TYPE_UPDATE],
        "skip": totals[RowResult.IMPORT_TYPE_SKIP],
        "refused": sorted(refused, key=lambda r: r["row"] or 0),
        "written": not dry_run and not refused,
    }


def import_outcome(resource_factory: Callable[[], ServiceResource], upload, *, dry_run: bool) -> tuple[dict, int]:
    """The API's import answer and status: 200 with the counts (nothing written on a dry run);
    400 with the refused rows (nothing written) when any row is refused."""
    dataset = read_upload(upload)
    outcome = run_import(resource_factory(), dataset, dry_run=dry_run)
    status = 400 if outcome["refused"] and not dry_run else 200
    if status == 400:
        outcome = {"detail": "Nothing imported: fix the refused rows and upload again.", **outcome}
    return outcome, status


def truthy(value: str | None) -> bool:
    return (value or "").lower() in {"1", "true", "yes", "on"}
