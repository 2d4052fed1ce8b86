"""``sessions/{id}/items/import/`` and ``…/export/``: the stripboard as CSV or XLSX (SPEC §9)."""

from __future__ import annotations

from config.spreadsheet_api import SpreadsheetExportView, SpreadsheetImportView
from hotset.api.views import VIEW_ITEMS, SessionChildMixin
from hotset.models import ScheduleItem
from hotset.spreadsheets import ScheduleItemResource


class SessionItemsImportView(SessionChildMixin, SpreadsheetImportView):
    """Adds and updates the session's items from a stripboard file (all or nothing)."""

    action_perms = {"POST": ("hotset.add_scheduleitem", "hotset.change_scheduleitem")}

    def resource(self):
        return ScheduleItemResource(session=self.get_session())


class SessionItemsExportView(SessionChildMixin, SpreadsheetExportView):
    action_perms = {"GET": VIEW_ITEMS}

    def resource(self):
        return ScheduleItemResource(session=self.get_session())

    def rows(self):
        return (
            ScheduleItem.objects.filter(session=self.get_session())
            .select_related("session__production_day__project")
            .order_by("position")
        )

    def filename(self) -> str:
        day = self.get_session().production_day
        return f"stripboard-day-{day.day_number}-{day.date.isoformat()}"
