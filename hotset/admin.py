"""The hot set in the admin: projects with their settings, days, sessions with their items
inline (actions start / wrap call the same services as the API), notifications, suggestions."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils import timezone

from config.admin import ReadOnlyAdmin, ServiceWritesAdmin
from config.errors import DomainError
from hotset import selectors, services
from hotset.models import (
    HotSetSession,
    HotSetSettings,
    Notification,
    ProductionDay,
    Project,
    ProjectionThrottle,
    SceneMove,
    ScheduleItem,
    Suggestion,
)

_ITEM_STATE_FIELDS = ("status", "actual_start", "actual_end", "skipped_at", "is_partial")


SETTINGS = set(services.SETTINGS_FIELDS)
ITEM_FIELDS = set(services.ITEM_EDITABLE_FIELDS)
DAY_FIELDS = ("project", "date", "day_number", "general_call_time", "planned_wrap", "location", "notes")


def _adopt(obj, saved) -> None:
    """Makes the admin's unsaved ``obj`` the row a service created (the admin then links to it)."""
    for field in obj._meta.concrete_fields:
        setattr(obj, field.attname, getattr(saved, field.attname))
    obj._state.adding = False
    obj._state.db = saved._state.db


def _item_values(values: dict) -> dict:
    """A form's item fields as add_item takes them (a scene has no block type)."""
    out = {name: value for name, value in values.items() if value is not None}
    out.setdefault("block_type", "")
    return out


class HotSetSettingsInline(admin.StackedInline):
    model = HotSetSettings
    can_delete = False
    extra = 1
    max_num = 1


@admin.register(Project)
class ProjectAdmin(ServiceWritesAdmin):
    list_display = ["name", "timezone", "created_at"]
    list_filter = ["timezone"]
    search_fields = ["name"]
    inlines = [HotSetSettingsInline]

    def save_formset(self, request, form, formset, change):
        if formset.model is not HotSetSettings:
            super().save_formset(request, form, formset, change)
            return
        for inline in formset.forms:
            if inline.has_changed() and inline.cleaned_data and not inline.cleaned_data.get("DELETE"):
                changes = {name: inline.cleaned_data[name] for name in inline.changed_data if name in SETTINGS}
                services.update_settings(project=form.instance, changes=changes)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        selectors.settings_for(form.instance)  # every project has its settings

    def delete_model(self, request, obj):
        services.delete_project(project=obj)

    def delete_queryset(self, request, queryset):
        for project in queryset:
            services.delete_project(project=project)


@admin.register(HotSetSettings)
class HotSetSettingsAdmin(ServiceWritesAdmin):
    list_display = [
        "project",
        "auto_start_enabled",
        "auto_start_minutes_before_call",
        "notifications_enabled",
        "notify_minutes_before_call",
        "notify_crew_on_auto_start",
        "default_schedule_view",
        "updated_at",
    ]
    list_editable = ["auto_start_enabled", "notifications_enabled"]
    list_filter = ["auto_start_enabled", "notifications_enabled", "notify_crew_on_auto_start", "default_schedule_view"]
    search_fields = ["project__name"]
    list_select_related = ["project"]
    fieldsets = [
        (None, {"fields": ["project"]}),
        ("Auto-start", {"fields": ["auto_start_enabled", "auto_start_minutes_before_call"]}),
        (
            "Notifications",
            {"fields": ["notifications_enabled", "notify_minutes_before_call", "notify_crew_on_auto_start"]},
        ),
        (
            "Suggestion triggers",
            {
                "fields": [
                    "suggestion_trigger_minutes_behind",
                    "suggestion_trigger_meal_penalty_minutes",
                    "suggestion_trigger_wrap_extension_minutes",
                ]
            },
        ),
        ("Display", {"fields": ["default_schedule_view"]}),
        (
            "Labour rules",
            {
                "fields": [
                    "meal_due_hours_after_call",
                    "meal_minutes",
                    "grace_minutes",
                    "meal_penalty_interval_minutes",
                    "max_day_hours",
                    "turnaround_hours",
                ]
            },
        ),
    ]

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)
            return
        changes = {name: form.cleaned_data[name] for name in form.changed_data if name in SETTINGS}
        if changes:  # through the service: open sessions hear about it
            services.update_settings(project=obj.project, changes=changes)


@admin.register(ProductionDay)
class ProductionDayAdmin(ServiceWritesAdmin):
    list_display = ["project", "day_number", "date", "general_call_time", "planned_wrap", "extended_wrap", "location"]
    list_filter = ["project", "date"]
    search_fields = ["project__name", "location", "notes"]
    date_hierarchy = "date"
    list_select_related = ["project"]
    readonly_fields = ["extended_wrap"]  # set by "extend day"

    def save_model(self, request, obj, form, change):
        if not change:
            day = services.create_production_day(**{name: form.cleaned_data.get(name) for name in DAY_FIELDS})
            _adopt(obj, day)
            return
        changes = {name: form.cleaned_data[name] for name in form.changed_data if name in DAY_FIELDS}
        if changes:
            services.update_production_day(day=ProductionDay.objects.get(pk=obj.pk), changes=changes)

    def delete_model(self, request, obj):
        services.delete_production_day(day=obj)

    def delete_queryset(self, request, queryset):
        for day in queryset:
            services.delete_production_day(day=day)


class ScheduleItemInline(admin.TabularInline):
    model = ScheduleItem
    extra = 0
    ordering = ["position"]
    fields = [
        "position",
        "kind",
        "block_type",
        "scene_number",
        "title",
        "set_name",
        "pages_eighths",
        "setups",
        "planned_start",
        "planned_duration_minutes",
        *_ITEM_STATE_FIELDS,
    ]
    # Order changes through reorder (API / dashboard) so positions stay unique; state through actions.
    readonly_fields = ["position", *_ITEM_STATE_FIELDS]
    show_change_link = True


@admin.register(HotSetSession)
class HotSetSessionAdmin(ServiceWritesAdmin):
    list_display = ["__str__", "project_name", "status", "auto_started", "started_at", "wrapped_at"]
    list_filter = ["status", "auto_started", "production_day__project"]
    search_fields = ["production_day__project__name", "production_day__location"]
    list_select_related = ["production_day__project"]
    date_hierarchy = "production_day__date"
    readonly_fields = [
        "status",
        "auto_started",
        "started_at",
        "wrapped_at",
        "crew_call_confirmed_at",
        "crew_call_confirmed_by",
        "first_shot_confirmed_at",
        "first_shot_confirmed_by",
        "created_at",
        "created_by",
    ]
    inlines = [ScheduleItemInline]
    actions = ["start_sessions", "wrap_sessions"]

    @admin.display(description="Project", ordering="production_day__project__name")
    def project_name(self, obj):
        return obj.production_day.project.name

    def get_readonly_fields(self, request, obj=None):
        # The day is chosen once; afterwards the session belongs to it.
        return [*self.readonly_fields, "production_day"] if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            return  # every field of a session is set by its actions; nothing here to save
        # The same path as the API: settings, throttle row and the created event come with it.
        _adopt(obj, services.create_session(production_day=obj.production_day, user=request.user))

    def save_formset(self, request, form, formset, change):
        """The items inline, row by row through the services (what the API refuses — deleting a
        completed item, editing a wrapped day — is refused here too, and nothing is saved)."""
        session = form.instance
        # What the admin's history message reads (formset.save() would have set these).
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for inline in formset.forms:
            if not inline.has_changed() and not (inline.instance.pk and inline in formset.deleted_forms):
                continue
            item = inline.instance
            label = f"item {item.label}" if item.pk else "new item"
            try:
                if item.pk and inline in formset.deleted_forms:
                    services.delete_item(item=ScheduleItem.objects.get(pk=item.pk))
                    formset.deleted_objects.append(item)
                elif item.pk:
                    changes = {n: inline.cleaned_data[n] for n in inline.changed_data if n in ITEM_FIELDS}
                    if changes:
                        services.update_item(item=ScheduleItem.objects.get(pk=item.pk), changes=changes)
                        formset.changed_objects.append((item, list(changes)))
                else:
                    values = {n: inline.cleaned_data.get(n) for n in ITEM_FIELDS if n in inline.cleaned_data}
                    formset.new_objects.append(services.add_item(session=session, values=_item_values(values)))
            except DomainError as exc:
                exc.detail = f"{label}: {exc.detail}"
                raise

    def delete_model(self, request, obj):
        services.delete_session(session=obj)

    def delete_queryset(self, request, queryset):
        for session in queryset:
            services.delete_session(session=session)

    def _run(self, request, queryset, service, verb):
        done = 0
        for session in queryset:
            try:
                service(session=session, user=request.user, at=timezone.now())
                done += 1
            except DomainError as exc:
                self.message_user(request, f"{session}: {exc.detail}", level=messages.WARNING)
        if done:
            self.message_user(request, f"{verb} {done} session(s).", level=messages.SUCCESS)

    @admin.action(description="Start the selected sessions", permissions=["run"])
    def start_sessions(self, request, queryset):
        self._run(request, queryset, services.start_session, "Started")

    @admin.action(description="Wrap the selected sessions", permissions=["run"])
    def wrap_sessions(self, request, queryset):
        self._run(request, queryset, services.wrap_session, "Wrapped")

    def has_run_permission(self, request):
        return request.user.has_perm("hotset.run_hot_set")


@admin.register(ScheduleItem)
class ScheduleItemAdmin(ServiceWritesAdmin):
    list_display = [
        "__str__",
        "session",
        "position",
        "kind",
        "block_type",
        "status",
        "planned_duration_minutes",
        "actual_start",
        "actual_end",
    ]
    list_filter = ["status", "kind", "block_type", "is_partial"]
    search_fields = ["scene_number", "title", "set_name", "location", "description"]
    list_select_related = ["session__production_day__project"]
    readonly_fields = ["position", *_ITEM_STATE_FIELDS, "updated_at"]
    raw_id_fields = ["session"]

    def save_model(self, request, obj, form, change):
        if not change:
            values = {n: form.cleaned_data.get(n) for n in ITEM_FIELDS if n in form.cleaned_data}
            _adopt(obj, services.add_item(session=obj.session, values=_item_values(values)))
            return
        changes = {n: form.cleaned_data[n] for n in form.changed_data if n in ITEM_FIELDS}
        if changes:
            services.update_item(item=ScheduleItem.objects.get(pk=obj.pk), changes=changes)

    def delete_model(self, request, obj):
        services.delete_item(item=obj)

    def delete_queryset(self, request, queryset):
        for item in queryset:
            services.delete_item(item=item)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["kind", "session", "project", "sent_at", "recipient_count"]
    list_filter = ["kind", "project"]
    search_fields = ["project__name", "payload"]
    date_hierarchy = "sent_at"
    list_select_related = ["project", "session__production_day__project"]
    readonly_fields = [
        "project",
        "session",
        "kind",
        "recipients",
        "recipient_roles",
        "sent_at",
        "payload",
        "dedupe_key",
    ]

    @admin.display(description="Recipients")
    def recipient_count(self, obj):
        return obj.recipients.count()

    def has_add_permission(self, request):
        return False


@admin.register(Suggestion)
class SuggestionAdmin(ServiceWritesAdmin, ReadOnlyAdmin):
    """Suggestions are made by the generator; the 1st AD applies or dismisses them (actions)."""

    list_display = ["title", "session", "type", "target", "impact", "minutes_recoverable", "compliance_flag", "status"]
    list_filter = ["type", "impact", "status", "compliance_flag"]
    search_fields = ["title", "description", "compliance_warning"]
    list_select_related = ["session__production_day__project"]
    actions = ["apply_suggestions", "dismiss_suggestions"]

    def has_run_permission(self, request):
        return request.user.has_perm("hotset.run_hot_set")

    def _each(self, request, queryset, service, verb):
        done = 0
        for suggestion in queryset:
            try:
                service(suggestion=suggestion, user=request.user, now=timezone.now())
                done += 1
            except DomainError as exc:
                self.message_user(request, f"{suggestion.title}: {exc.detail}", level=messages.WARNING)
        if done:
            self.message_user(request, f"{verb} {done} suggestion(s).", level=messages.SUCCESS)

    @admin.action(description="Apply the selected suggestions", permissions=["run"])
    def apply_suggestions(self, request, queryset):
        self._each(request, queryset, services.apply_suggestion, "Applied")

    @admin.action(description="Dismiss the selected suggestions", permissions=["run"])
    def dismiss_suggestions(self, request, queryset):
        self._each(request, queryset, services.dismiss_suggestion, "Dismissed")


@admin.register(SceneMove)
class SceneMoveAdmin(ReadOnlyAdmin):
    list_display = ["label", "session", "to_day", "moved_at", "moved_by"]
    list_filter = ["to_day__project"]
    search_fields = ["label", "scene_number"]
    list_select_related = ["session__production_day__project", "to_day__project", "moved_by"]


@admin.register(ProjectionThrottle)
class ProjectionThrottleAdmin(admin.ModelAdmin):
    list_display = ["session", "last_sent_at", "pending_due_at"]
    list_filter = [("pending_due_at", admin.EmptyFieldListFilter)]
    search_fields = ["session__production_day__project__name"]
    readonly_fields = ["session", "last_sent_at", "pending_due_at"]

    def has_add_permission(self, request):
        return False
