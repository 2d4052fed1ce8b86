"""Import and export buttons on an admin changelist (config/spreadsheets.py does the work).

Import is two steps, as django-import-export draws them: upload a CSV or XLSX → a preview of
every row (new, update, skipped, or refused with the field and reason; nothing written) →
confirm, which imports the same file all or nothing through the services."""

from __future__ import annotations

from django import forms
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV, XLSX
from import_export.forms import ConfirmImportForm, ImportForm


class SpreadsheetAdmin(ImportExportMixin):
    """Mix in before the ModelAdmin; set ``resource_classes = [<ServiceResource>]``."""

    formats = [CSV, XLSX]


def _with_parent(base: type[forms.Form], name: str, queryset, label: str, hidden: bool) -> type[forms.Form]:
    field = forms.ModelChoiceField(
        queryset=queryset,
        required=False,
        label=label,
        help_text="Every row goes to this one; leave empty when the file has a column naming it for each row.",
        widget=forms.HiddenInput() if hidden else None,
    )
    return type(f"{base.__name__}With{name.title()}", (base,), {name: field})


class ParentSpreadsheetAdmin(SpreadsheetAdmin):
    """Imports rows that belong to a parent (a shoot day's items, a show's segments): the import
    form asks for the parent, so a stripboard or rundown file needs no column naming it."""

    import_parent: str  # the resource's keyword, e.g. "session"
    import_parent_queryset = None
    import_parent_label: str

    def get_import_form_class(self, request):
        return _with_parent(
            ImportForm, self.import_parent, self.import_parent_queryset, self.import_parent_label, False
        )

    def get_confirm_form_class(self, request):
        return _with_parent(ConfirmImportForm, self.import_parent, self.import_parent_queryset, "", True)

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None and import_form.cleaned_data.get(self.import_parent) is not None:
            initial[self.import_parent] = import_form.cleaned_data[self.import_parent].pk
        return initial

    def get_import_resource_kwargs(self, request, **kwargs):
        form = kwargs.get("form")
        parent = form.cleaned_data.get(self.import_parent) if form is not None and form.is_valid() else None
        return {self.import_parent: parent} if parent is not None else {}
