"""The hot set in the admin: projects with their settings, days, sessions with their items
inline (actions start / wrap call the same services as the API), notifications, suggestions."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Max
from django.utils import timezone

from config.errors import DomainError
from hotset import selectors, services
from hotset.models import (
    HotSetSession,
    HotSetSettings,
    Notification,
    ProductionDay,
    Project,
    ProjectionThrottle,
    ScheduleItem,
    Suggestion,
)

_ITEM_STATE_FIELDS = ("status", "actual_start", "actual_end", "skipped_at", "is_partial")


def _next_position(session_id: int) -> int:
    last = ScheduleItem.objects.filter(session_id=session_id).aggregate(last=Max("position"))["last"]
    return 0 if last is None else last + 1


class HotSetSettingsInline(admin.StackedInline):
    model = HotSetSettings
    can_delete = False
    extra = 1
    max_num = 1


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["name", "timezone", "created_at"]
    list_filter = ["timezone"]
    search_fields = ["name"]
    inlines = [HotSetSettingsInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        selectors.settings_for(form.instance)  # every project has its settings


@admin.register(HotSetSettings)
class HotSetSettingsAdmin(admin.ModelAdmin):
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


@admin.register(ProductionDay)
class ProductionDayAdmin(admin.ModelAdmin):
    list_display = ["project", "day_number", "date", "general_call_time", "planned_wrap", "location"]
    list_filter = ["project", "date"]
    search_fields = ["project__name", "location", "notes"]
    date_hierarchy = "date"
    list_select_related = ["project"]


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
class HotSetSessionAdmin(admin.ModelAdmin):
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
            super().save_model(request, obj, form, change)
            return
        # The same path as the API: settings, throttle row and the created event come with it.
        session = services.create_session(production_day=obj.production_day, user=request.user)
        for field in obj._meta.concrete_fields:
            setattr(obj, field.attname, getattr(session, field.attname))
        obj._state.adding = False
        obj._state.db = session._state.db

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj.delete()
        next_position = _next_position(form.instance.pk)
        for item in instances:
            if item.pk is None:
                item.position = next_position
                next_position += 1
            item.save()
        formset.save_m2m()
        if instances or formset.deleted_objects:
            services.request_projection_update(session_id=form.instance.pk)

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
class ScheduleItemAdmin(admin.ModelAdmin):
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
        if obj.pk is None:
            obj.position = _next_position(obj.session_id)
        super().save_model(request, obj, form, change)
        services.request_projection_update(session_id=obj.session_id)


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
class SuggestionAdmin(admin.ModelAdmin):
    list_display = ["title", "session", "type", "target", "impact", "minutes_recoverable", "compliance_flag", "status"]
    list_filter = ["type", "impact", "status", "compliance_flag"]
    search_fields = ["title", "description", "compliance_warning"]
    list_select_related = ["session__production_day__project"]
    raw_id_fields = ["session", "resolved_by"]


@admin.register(ProjectionThrottle)
class ProjectionThrottleAdmin(admin.ModelAdmin):
    list_display = ["session", "last_sent_at", "pending_due_at"]
    list_filter = [("pending_due_at", admin.EmptyFieldListFilter)]
    search_fields = ["session__production_day__project__name"]
    readonly_fields = ["session", "last_sent_at", "pending_due_at"]

    def has_add_permission(self, request):
        return False
