"""Import and export buttons on an admin changelist (config/spreadsheets.py does the work).

Import is two steps, as django-import-export draws them: upload a CSV or XLSX → a preview of
every row (new, update, skipped, or refused with the field and reason; nothing written) →
confirm, which imports the same file all or nothing through the services."""

from __future__ import annotations

from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV, XLSX


class SpreadsheetAdmin(ImportExportMixin):
    """Mix in before the ModelAdmin; set ``resource_classes = [<ServiceResource>]``."""

    formats = [CSV, XLSX]
