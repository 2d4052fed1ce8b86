"""The hot set in the admin: projects with their settings and their calendar feed link (action
"Rotate calendar link"), days, sessions with their items inline (actions start / wrap call the
same services as the API), notifications, suggestions, scene moves.

Every save, delete (one or "delete selected"), inline row and action calls the service the API
calls, so the admin refuses what the API refuses and the hotset.* events go out the same way; a
refusal changes nothing and shows why (``ServiceWritesAdmin``). What only services write
(notifications, suggestions, scene moves, the projection throttle) is view-only here.

Past ~450 lines: one ModelAdmin per hot set model, each short; they share the service-write
helpers at the top, so the module stays whole rather than split into one file per admin."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth import get_permission_codename
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from config.admin import ReadOnlyAdmin, ServiceWritesAdmin
from config.errors import Conflict, DomainError
from config.spreadsheet_admin import ParentSpreadsheetAdmin
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
from hotset.spreadsheets import ScheduleItemResource

_ITEM_STATE_FIELDS = ("status", "actual_start", "actual_end", "skipped_at", "is_partial")


# Rows only services write; they go when their project, day or session is deleted.
_DELETED_ALONG = (HotSetSettings, Suggestion, SceneMove, Notification, ProjectionThrottle)

SETTINGS = set(services.SETTINGS_FIELDS)
ITEM_FIELDS = set(services.ITEM_EDITABLE_FIELDS)
PROJECT_FIELDS = set(services.PROJECT_EDITABLE_FIELDS)
DAY_FIELDS = ("project", "date", "day_number", "general_call_time", "planned_wrap", "location", "notes")


def _adopt(obj, saved) -> None:
    """Makes the admin's unsaved ``obj`` the row a service created (the admin then links to it)."""
    for field in obj._meta.concrete_fields:
        setattr(obj, field.attname, getattr(saved, field.attname))
    obj._state.adding = False
    obj._state.db = saved._state.db


def _no_formset_objects(formset) -> None:
    """What the admin's history message reads (``formset.save()`` would have set these)."""
    formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []


class DeletesThroughService(ServiceWritesAdmin):
    """Deletes go through a service that takes the object's service-written rows with it
    (settings, suggestions, scene moves, notifications, the projection throttle). Their admins
    never delete such a row on its own, which Django would read as "you may not delete this
    object": a user with the model permission to delete them may delete the parent."""

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        allowed = {
            str(model._meta.verbose_name)
            for model in _DELETED_ALONG
            if request.user.has_perm(f"{model._meta.app_label}.{get_permission_codename('delete', model._meta)}")
        }
        return deleted, counts, {name for name in perms_needed if str(name) not in allowed}, protected


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
class ProjectAdmin(DeletesThroughService):
    list_display = ["name", "timezone", "created_at"]
    list_filter = ["timezone"]
    search_fields = ["name"]
    inlines = [HotSetSettingsInline]
    readonly_fields = ["calendar_feed"]
    actions = ["rotate_calendar_links"]

    @admin.display(description="calendar feed")
    def calendar_feed(self, obj):
        if obj is None or obj.pk is None:
            return "Saved projects get a calendar link."
        url = f"{reverse('hotset-project-calendar', args=[obj.pk])}?token={obj.calendar_token}"
        return format_html(
            '<a href="{}">{}</a><div class="help">Subscribe to it in a calendar app (the shoot days, call to '
            'wrap). "Rotate calendar link" makes a new one and stops this one.</div>',
            url,
            "calendar.ics link",
        )

    @admin.action(description="Rotate calendar link (the old link stops working)", permissions=["change"])
    def rotate_calendar_links(self, request, queryset):
        for project in queryset:
            services.rotate_project_calendar_token(project=project)
        self.message_user(request, f"{queryset.count()} calendar link(s) rotated.", messages.SUCCESS)

    def save_model(self, request, obj, form, change):
        if not change:  # the project with its settings, as the API makes it
            _adopt(obj, services.create_project(name=obj.name, timezone_name=obj.timezone))
            return
        changes = {name: form.cleaned_data[name] for name in form.changed_data if name in PROJECT_FIELDS}
        if changes:
            _adopt(obj, services.update_project(project=Project.objects.get(pk=obj.pk), **changes))

    def save_formset(self, request, form, formset, change):
        if formset.model is not HotSetSettings:
            super().save_formset(request, form, formset, change)
            return
        _no_formset_objects(formset)
        for inline in formset.forms:
            if inline.has_changed() and inline.cleaned_data and not inline.cleaned_data.get("DELETE"):
                changes = {name: inline.cleaned_data[name] for name in inline.changed_data if name in SETTINGS}
                if changes:
                    settings = services.update_settings(project=form.instance, **changes)
                    formset.changed_objects.append((settings, list(changes)))

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        selectors.settings_for(form.instance)  # every project has its settings

    def delete_model(self, request, obj):
        services.delete_project(project=obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():  # all of them or none
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

    def get_readonly_fields(self, request, obj=None):
        return ["project"] if obj else []  # a project's settings stay its own

    def has_delete_permission(self, request, obj=None):
        return False  # they go with their project; to reset them, edit them

    def save_model(self, request, obj, form, change):
        if not change:  # a project without settings (every new one has them): the defaults, then the form's values
            changes = {name: form.cleaned_data[name] for name in SETTINGS if name in form.cleaned_data}
            _adopt(obj, services.update_settings(project=obj.project, **changes))
            return
        changes = {name: form.cleaned_data[name] for name in form.changed_data if name in SETTINGS}
        if changes:  # through the service: open sessions hear about it
            services.update_settings(project=obj.project, **changes)


@admin.register(ProductionDay)
class ProductionDayAdmin(DeletesThroughService):
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
            services.update_production_day(day=ProductionDay.objects.get(pk=obj.pk), now=timezone.now(), **changes)

    def delete_model(self, request, obj):
        services.delete_production_day(day=obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():  # all of them or none
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
        "int_ext",
        "day_night",
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
class HotSetSessionAdmin(DeletesThroughService):
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
        _no_formset_objects(formset)
        for row, inline in enumerate(formset.forms, start=1):
            item = inline.instance
            deleting = inline in formset.deleted_forms
            if (deleting and not item.pk) or (not deleting and not inline.has_changed()):
                continue  # a new row ticked for deletion, or a row left as it was
            saved = ScheduleItem.objects.filter(pk=item.pk).first() if item.pk else None
            label = f"row {row} ({saved.label if saved else 'new item'})"  # as it stands, not as edited
            try:
                if item.pk and saved is None:
                    raise Conflict("The item was deleted meanwhile.")
                if deleting:
                    services.delete_item(item=saved, now=timezone.now())
                    formset.deleted_objects.append(saved)
                elif saved:
                    changes = {n: inline.cleaned_data[n] for n in inline.changed_data if n in ITEM_FIELDS}
                    if changes:
                        updated = services.update_item(item=saved, now=timezone.now(), **changes)
                        formset.changed_objects.append((updated, list(changes)))
                else:
                    values = {n: inline.cleaned_data.get(n) for n in ITEM_FIELDS if n in inline.cleaned_data}
                    formset.new_objects.append(
                        services.add_item(session=session, values=_item_values(values), now=timezone.now())
                    )
            except DomainError as exc:
                exc.detail = f"{label}: {exc.detail}"
                raise

    def delete_model(self, request, obj):
        services.delete_session(session=obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():  # all of them or none
            for session in queryset:
                services.delete_session(session=session)

    def _run(self, request, queryset, service, verb):
        done = 0
        for session in queryset:
            try:
                now = timezone.now()
                service(session=session, user=request.user, at=now, now=now)
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
class ScheduleItemAdmin(ParentSpreadsheetAdmin, ServiceWritesAdmin):
    # The stripboard import / export: into the shoot day chosen on the import form, or each row's ``session``.
    resource_classes = [ScheduleItemResource]
    import_parent = "session"
    import_parent_queryset = HotSetSession.objects.select_related("production_day__project").order_by(
        "-production_day__date"
    )
    import_parent_label = "Shoot day (session)"
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

    def get_readonly_fields(self, request, obj=None):
        # An item stays in its session (a scene moves to another day by the "move scene" suggestion).
        return [*self.readonly_fields, "session"] if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if not change:
            values = {n: form.cleaned_data.get(n) for n in ITEM_FIELDS if n in form.cleaned_data}
            _adopt(obj, services.add_item(session=obj.session, values=_item_values(values), now=timezone.now()))
            return
        changes = {n: form.cleaned_data[n] for n in form.changed_data if n in ITEM_FIELDS}
        if changes:
            services.update_item(item=ScheduleItem.objects.get(pk=obj.pk), now=timezone.now(), **changes)

    def delete_model(self, request, obj):
        services.delete_item(item=obj, now=timezone.now())

    def delete_queryset(self, request, queryset):
        with transaction.atomic():  # all of them or none
            for item in queryset:
                services.delete_item(item=item, now=timezone.now())


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    """What was sent (the services write it; a deleted row would be sent again)."""

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
    """Scenes moved to another day by the "move scene" suggestion (written by apply_suggestion)."""

    list_display = ["session", "label", "to_day", "moved_at", "moved_by"]
    list_display_links = ["label"]
    list_filter = ["to_day__project"]
    search_fields = ["label", "scene_number"]
    list_select_related = ["session__production_day__project", "to_day__project", "moved_by"]


@admin.register(ProjectionThrottle)
class ProjectionThrottleAdmin(ReadOnlyAdmin):
    """The projection updates' coalescing state (the services keep it)."""

    list_display = ["session", "last_sent_at", "pending_due_at"]
    list_filter = [("pending_due_at", admin.EmptyFieldListFilter)]
    search_fields = ["session__production_day__project__name"]
    readonly_fields = ["session", "last_sent_at", "pending_due_at"]
