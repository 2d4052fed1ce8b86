"""``<list>/import/`` and ``<list>/export/`` for the API (SPEC §9), over config/spreadsheets.py.

POST <list>/import/?dry_run=1   multipart ``file`` (CSV or XLSX) → 200
    {create, update, skip, refused: [{row, field, reason}], written: false}, nothing written
POST <list>/import/             → 200 with the same counts, all written; or 400 with the
    refused rows and nothing written
GET  <list>/export/?format=csv|xlsx → the file; columns = the list's field names (plus the
    key columns an import into another database needs)
"""

from __future__ import annotations

import json

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from config.spreadsheets import FORMATS, export_format, file_response, import_outcome, truthy


class _FileRenderer(BaseRenderer):
    """Lets ``?format=csv|xlsx`` through DRF's negotiation; the view answers with the file
    itself, so this only ever renders an error body (as JSON text)."""

    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        return json.dumps(data).encode()


class CSVFileRenderer(_FileRenderer):
    media_type = "text/csv"
    format = "csv"


class XLSXFileRenderer(_FileRenderer):
    media_type = FORMATS["xlsx"]
    format = "xlsx"


EXPORT_RENDERERS = [JSONRenderer, CSVFileRenderer, XLSXFileRenderer]


def _errors_as_json(request, response):
    """An error answered to ``?format=xlsx`` is still JSON (and says so), not a broken file."""
    if isinstance(response, Response) and isinstance(getattr(request, "accepted_renderer", None), _FileRenderer):
        request.accepted_renderer = JSONRenderer()
        request.accepted_media_type = JSONRenderer.media_type
    return response


class RefusedRowSerializer(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True, help_text="The spreadsheet row (the header is row 1).")
    field = serializers.CharField(allow_null=True, help_text="The column, or null for the row as a whole.")
    reason = serializers.CharField()


class ImportResultSerializer(serializers.Serializer):
    create = serializers.IntegerField(help_text="Rows that create a record.")
    update = serializers.IntegerField(help_text="Rows that change a record.")
    skip = serializers.IntegerField(help_text="Rows equal to what is stored (nothing to do).")
    refused = RefusedRowSerializer(many=True)
    written = serializers.BooleanField(help_text="False on a dry run or when any row is refused.")


IMPORT_SCHEMA = extend_schema(
    summary="Import a CSV or XLSX file (dry run with ?dry_run=1)",
    parameters=[OpenApiParameter("dry_run", OpenApiTypes.BOOL, description="1: check only, write nothing.")],
    request={
        "multipart/form-data": {
            "type": "object",
            "properties": {"file": {"type": "string", "format": "binary"}},
            "required": ["file"],
        }
    },
    responses={
        200: ImportResultSerializer,
        400: OpenApiResponse(ImportResultSerializer, description="Refused rows (nothing written) or a bad file."),
    },
)
EXPORT_SCHEMA = extend_schema(
    summary="Export as CSV or XLSX",
    parameters=[OpenApiParameter("format", OpenApiTypes.STR, enum=list(FORMATS), description="csv (default) or xlsx")],
    responses={(200, "text/csv"): OpenApiTypes.BINARY, (200, FORMATS["xlsx"]): OpenApiTypes.BINARY},
)


def import_response(resource_factory, request) -> Response:
    outcome, status = import_outcome(
        resource_factory, request.FILES.get("file"), dry_run=truthy(request.query_params.get("dry_run"))
    )
    return Response(outcome, status=status)


def export_response(resource, queryset, request, *, filename: str):
    fmt = export_format(request.query_params.get("format"))
    return file_response(resource.export(queryset), fmt=fmt, filename=filename)


class SpreadsheetActions:
    """Adds ``import/`` and ``export/`` to a list viewset. Declare in ``action_perms``:
    ``"import_rows": (add, change)`` and ``"export": (view,)``."""

    spreadsheet_resource: type
    spreadsheet_name: str

    def spreadsheet(self):
        return self.spreadsheet_resource()

    def finalize_response(self, request, response, *args, **kwargs):
        return super().finalize_response(request, _errors_as_json(request, response), *args, **kwargs)

    @IMPORT_SCHEMA
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        url_name="import",
        parser_classes=[MultiPartParser, FormParser],
    )
    def import_rows(self, request, *args, **kwargs):
        return import_response(self.spreadsheet, request)

    @EXPORT_SCHEMA
    @action(detail=False, methods=["get"], url_path="export", url_name="export", renderer_classes=EXPORT_RENDERERS)
    def export(self, request, *args, **kwargs):
        return export_response(
            self.spreadsheet(), self.filter_queryset(self.get_queryset()), request, filename=self.spreadsheet_name
        )


class SpreadsheetImportView(APIView):
    """``<nested list>/import/``: subclasses give ``resource()`` (built for ``self.kwargs``)."""

    parser_classes = [MultiPartParser, FormParser]

    def resource(self):
        raise NotImplementedError

    @IMPORT_SCHEMA
    def post(self, request, *args, **kwargs):
        return import_response(self.resource, request)


class SpreadsheetExportView(APIView):
    """``<nested list>/export/``: subclasses give ``resource()``, ``rows()`` and ``filename()``."""

    renderer_classes = EXPORT_RENDERERS

    def resource(self):
        raise NotImplementedError

    def rows(self):
        raise NotImplementedError

    def filename(self) -> str:
        raise NotImplementedError

    def finalize_response(self, request, response, *args, **kwargs):
        return super().finalize_response(request, _errors_as_json(request, response), *args, **kwargs)

    @EXPORT_SCHEMA
    def get(self, request, *args, **kwargs):
        return export_response(self.resource(), self.rows(), request, filename=self.filename())
