"""``sessions/{id}/segments/import/`` and ``…/export/``: the rundown with its cues as columns."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from config.spreadsheet_api import SpreadsheetExportView, SpreadsheetImportView
from runofshow import selectors
from runofshow.models import ShowSession
from runofshow.permissions import VIEW_SHOW_CALL
from runofshow.spreadsheets import SegmentResource

# Importing adds and changes segments and cues: the perms of both.
IMPORT_PERMS = (
    VIEW_SHOW_CALL,
    "runofshow.add_segment",
    "runofshow.change_segment",
    "runofshow.add_cue",
    "runofshow.change_cue",
)


class _ShowChild:
    def get_session(self) -> ShowSession:
        if not hasattr(self, "_session"):
            self._session = get_object_or_404(ShowSession, pk=self.kwargs["pk"])
        return self._session

    def resource(self):
        return SegmentResource(session=self.get_session())


class SessionSegmentsImportView(_ShowChild, SpreadsheetImportView):
    action_perms = {"POST": IMPORT_PERMS}


class SessionSegmentsExportView(_ShowChild, SpreadsheetExportView):
    action_perms = {"GET": (VIEW_SHOW_CALL, "runofshow.view_segment", "runofshow.view_cue")}

    def rows(self):
        return selectors.rundown(self.get_session().pk).select_related("session")

    def filename(self) -> str:
        session = self.get_session()
        return f"rundown-{session.date.isoformat()}-{session.pk}"
