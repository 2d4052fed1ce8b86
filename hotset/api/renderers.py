"""The CSV renderer of the production report (``?format=csv``)."""

from __future__ import annotations

import csv
import io

from rest_framework.renderers import BaseRenderer


class CSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if isinstance(data, str):
            return data.encode(self.charset)
        # An error body ({"detail", "errors"}) as two columns.
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        for key, value in (data or {}).items():
            writer.writerow([key, value])
        return out.getvalue().encode(self.charset)
