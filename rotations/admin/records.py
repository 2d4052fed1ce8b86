"""The records coordinators keep, in the admin: saved and deleted through their services."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html

from config.admin import ServiceWritesAdmin
from config.spreadsheet_admin import SpreadsheetAdmin
from rotations import services, spreadsheets
from rotations.models import (
    WEEKDAY_NAMES,
    Employee,
    Event,
    RotationAssignment,
    ScheduleException,
    TimeOff,
)

# --- writes through the services (a refusal rolls the request back: ServiceWritesAdmin) -----------


def _stored(obj):
    """The row as stored: the form has already written its values onto ``obj``, and the
    service compares the changes with what is in the database."""
    return type(obj).objects.get(pk=obj.pk)


def _adopt(obj, saved) -> None:
    """The admin goes on with its own object (inlines, the log entry): give it the saved row."""
    obj.__dict__.update(saved.__dict__)


def _save(obj, form, thing: str, fields: tuple[str, ...]):
    """``obj`` (the form's values on it) through ``create_<thing>`` or ``update_<thing>``."""
    if obj.pk is None:
        values = {name: getattr(obj, name) for name in form.fields if name in fields or name == "project_ref_num"}
        return getattr(services, f"create_{thing}")(**values)
    changes = {name: getattr(obj, name) for name in form.changed_data if name in fields or name == "project_ref_num"}
    return getattr(services, f"update_{thing}")(**{thing: _stored(obj)}, **changes)


class RecordAdmin(ServiceWritesAdmin):
    """A record kept by coordinators: saved and deleted through its services, so their rules
    (dates in order, a parent that is a core event, a qualified rotation employee) hold here too."""

    thing: str
    service_fields: tuple[str, ...]

    def save_model(self, request, obj, form, change):
        _adopt(obj, _save(obj, form, self.thing, self.service_fields))

    def delete_model(self, request, obj):
        getattr(services, f"delete_{self.thing}")(**{self.thing: obj})

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


# --- employees ------------------------------------------------------------------------------------


class EmployeeForm(forms.ModelForm):
    qualifications = forms.MultipleChoiceField(
        choices=Employee.Qualification.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    available_weekdays = forms.TypedMultipleChoiceField(
        choices=list(enumerate(WEEKDAY_NAMES)),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Weekly availability",
    )

    class Meta:
        model = Employee
        fields = [
            "name",
            "external_id",
            "active",
            "qualifications",
            "max_events_per_day",
            "max_events_per_week",
            "available_weekdays",
        ]

    def clean_qualifications(self):
        return sorted(set(self.cleaned_data["qualifications"]))

    def clean_available_weekdays(self):
        return sorted(set(self.cleaned_data["available_weekdays"]))


class TimeOffInline(admin.TabularInline):
    model = TimeOff
    extra = 0
    fields = ["start_date", "end_date", "reason"]


class QualificationFilter(admin.SimpleListFilter):
    title = "qualification"
    parameter_name = "qualification"

    def lookups(self, request, model_admin):
        return Employee.Qualification.choices

    def queryset(self, request, queryset):
        if self.value() in Employee.Qualification.values:
            return queryset.filter(qualifications__icontains=f'"{self.value()}"')
        return queryset


@admin.register(Employee)
class EmployeeAdmin(SpreadsheetAdmin, RecordAdmin):
    resource_classes = [spreadsheets.EmployeeResource]
    thing = "employee"
    service_fields = services.EMPLOYEE_FIELDS
    form = EmployeeForm
    list_display = ["name", "external_id", "qualification_list", "active", "max_events_per_day", "max_events_per_week"]
    list_filter = ["active", QualificationFilter]
    search_fields = ["name", "external_id"]
    inlines = [TimeOffInline]
    readonly_fields = ["calendar_feed"]
    actions = ["rotate_calendar_links"]

    @admin.display(description="qualifications")
    def qualification_list(self, obj):
        return ", ".join(obj.qualifications or [])

    @admin.display(description="calendar feed")
    def calendar_feed(self, obj):
        if obj is None or obj.pk is None:
            return "Saved employees get a calendar link."
        url = f"{reverse('rotations-employee-calendar', args=[obj.pk])}?token={obj.calendar_token}"
        return format_html(
            '<a href="{}">{}</a><div class="help">Subscribe to it in a calendar app (approved assignments). '
            '"Rotate calendar links" makes a new one and stops this one.</div>',
            url,
            "calendar.ics link",
        )

    def save_formset(self, request, form, formset, change):
        """The time-off rows, each through its service: deletions first, then the changed rows."""
        formset.save(commit=False)
        for obj in formset.deleted_objects:
            services.delete_time_off(time_off=obj)
        for inline_form in formset.forms:
            if inline_form in formset.deleted_forms or not inline_form.has_changed():
                continue
            instance = inline_form.instance
            if instance.pk is None:
                instance.employee = form.instance
            inline_form.instance = _save(instance, inline_form, "time_off", services.TIME_OFF_FIELDS)

    @admin.action(description="Rotate calendar links (the old links stop working)")
    def rotate_calendar_links(self, request, queryset):
        for employee in queryset:
            services.rotate_calendar_token(employee=employee)
        self.message_user(request, f"{queryset.count()} calendar link(s) rotated.", messages.SUCCESS)


@admin.register(TimeOff)
class TimeOffAdmin(SpreadsheetAdmin, RecordAdmin):
    resource_classes = [spreadsheets.TimeOffResource]
    thing = "time_off"
    service_fields = services.TIME_OFF_FIELDS
    list_display = ["employee", "start_date", "end_date", "reason"]
    list_filter = ["start_date"]
    search_fields = ["employee__name", "reason"]
    date_hierarchy = "start_date"
    autocomplete_fields = ["employee"]
    list_select_related = ["employee"]


# --- events and rotations -------------------------------------------------------------------------------


@admin.register(Event)
class EventAdmin(SpreadsheetAdmin, RecordAdmin):
    resource_classes = [spreadsheets.EventResource]
    thing = "event"
    service_fields = services.EVENT_FIELDS
    list_display = [
        "project_ref_num",
        "name",
        "event_type",
        "start_date",
        "due_date",
        "estimated_minutes",
        "status",
        "assigned_employee",
        "scheduled_at",
        "parent_event",
    ]
    list_filter = ["event_type", "status", "due_date"]
    search_fields = ["project_ref_num", "name", "location"]
    autocomplete_fields = ["assigned_employee", "parent_event"]
    list_select_related = ["assigned_employee"]
    date_hierarchy = "due_date"


@admin.register(RotationAssignment)
class RotationAssignmentAdmin(SpreadsheetAdmin, RecordAdmin):
    resource_classes = [spreadsheets.RotationAssignmentResource]
    thing = "rotation_assignment"
    service_fields = services.ROTATION_FIELDS
    list_display = ["weekday", "rotation_type", "employee"]
    list_filter = ["rotation_type", "weekday"]
    search_fields = ["employee__name"]
    autocomplete_fields = ["employee"]
    list_select_related = ["employee"]


@admin.register(ScheduleException)
class ScheduleExceptionAdmin(SpreadsheetAdmin, RecordAdmin):
    resource_classes = [spreadsheets.ScheduleExceptionResource]
    thing = "schedule_exception"
    service_fields = services.EXCEPTION_FIELDS
    list_display = ["date", "rotation_type", "employee", "reason"]
    list_filter = ["rotation_type", "date"]
    search_fields = ["employee__name", "reason"]
    autocomplete_fields = ["employee"]
    date_hierarchy = "date"
    list_select_related = ["employee"]
