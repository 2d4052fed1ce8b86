"""Run-of-show admin: a session with its segments inline (reorder by editing ``order``), each
segment with its cues inline, the live state and the audit log read-only.

Django's admin does not nest inlines, so a session's cues are one click away: every segment
row of the session links to its page, where the cues are inline (and listed in the row).
Every save and delete goes through the services (the rules — a live segment cannot be
deleted, fields are validated — and the events are theirs); an edit writes only the fields
the form changed, so it never overwrites what a show caller just did. Status and actuals are
read-only here: they change only through activate / complete (the admin actions).
"""

from __future__ import annotations

import zoneinfo

from django.contrib import admin, messages
from django.db import models
from django.db.models import Count
from django.utils import timezone
from django.utils.html import format_html_join

from config.admin import ReadOnlyAdmin, ServiceWritesAdmin
from config.errors import DomainError
from config.spreadsheet_admin import ParentSpreadsheetAdmin
from runofshow import services
from runofshow.models import (
    AuditEntry,
    ColumnPreference,
    Cue,
    Segment,
    SessionState,
    ShowSession,
    StageMessage,
    ViewerLink,
)
from runofshow.spreadsheets import SegmentResource


def _changes(obj, form, fields: tuple[str, ...]) -> dict:
    """The form's changed values among the fields a service may update."""
    return {name: getattr(obj, name) for name in form.changed_data if name in fields}


def _stored(obj):
    """The row as stored: the form has already written its values onto ``obj``, and the
    service compares the changes with what is in the database."""
    return type(obj).objects.get(pk=obj.pk)


def _adopt(obj, saved) -> None:
    """The admin goes on with its own object (inlines, the log entry): give it the saved row."""
    obj.__dict__.update(saved.__dict__)


def save_segment(request, obj: Segment, form) -> Segment:
    if obj.pk is None:
        return services.create_segment(
            session=obj.session,
            name=obj.name,
            duration=obj.duration,
            start_time=obj.start_time,
            order=obj.order,
            type=obj.type,
            notes=obj.notes,
            user=request.user,
        )
    return services.update_segment(segment=_stored(obj), **_changes(obj, form, services.SEGMENT_FIELDS))


def save_cue(obj: Cue, form) -> Cue:
    if obj.pk is None:
        return services.create_cue(
            segment=obj.segment,
            number=obj.number,
            kind=obj.kind,
            offset_seconds=obj.offset_seconds,
            description=obj.description,
        )
    return services.update_cue(cue=_stored(obj), **_changes(obj, form, services.CUE_FIELDS))


def in_show_zone(moment, zone_name: str) -> str:
    """A moment as the show reads it: its zone's wall clock, with the zone's abbreviation."""
    if moment is None:
        return "—"
    return timezone.localtime(moment, zoneinfo.ZoneInfo(zone_name)).strftime("%Y-%m-%d %H:%M %Z")


class ShowZoneAdmin(ServiceWritesAdmin):
    """The change page reads and shows times in the show's zone (SPEC §2), like the API.

    ``show_zone_path`` leads from the model to its session's ``timezone``. A new row's zone is
    its session's, once the form names it (``?session=`` or the posted field)."""

    show_zone_path = "timezone"

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        return zone_help(db_field, request, super().formfield_for_dbfield(db_field, request, **kwargs))

    def _show_zone(self, request, object_id) -> str | None:
        if object_id is not None:
            rows = self.model.objects.filter(pk=object_id) if str(object_id).isdigit() else self.model.objects.none()
            return rows.values_list(self.show_zone_path, flat=True).first()
        session_id = request.POST.get("session") or request.GET.get("session")
        if session_id and str(session_id).isdigit():
            return ShowSession.objects.filter(pk=session_id).values_list("timezone", flat=True).first()
        return None

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        zone = self._show_zone(request, object_id)
        if zone is None:
            return super().changeform_view(request, object_id, form_url, extra_context)
        request.show_zone = zone  # for the time fields' help text
        with timezone.override(zone):  # the form parses, and the page renders, in the show's zone
            response = super().changeform_view(request, object_id, form_url, extra_context)
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
        return response


def zone_help(db_field, request, formfield):
    """A time field says which zone it is in."""
    zone = getattr(request, "show_zone", None)
    if formfield is not None and zone and isinstance(db_field, models.DateTimeField):
        formfield.help_text = f"In the show's time zone ({zone})."
    return formfield


def save_inline_formset(formset, save_one, delete_one) -> None:
    """An inline formset's rows, each through its service: deletions first, then edits and
    new rows (only the forms that changed). A refusal rolls the whole request back
    (ServiceWritesAdmin) and names the reason."""
    formset.save(commit=False)
    for obj in formset.deleted_objects:
        delete_one(obj)
    for inline_form in formset.forms:
        if inline_form in formset.deleted_forms or not inline_form.has_changed():
            continue
        inline_form.instance = save_one(inline_form.instance, inline_form)


class SegmentInline(admin.TabularInline):
    model = Segment
    fields = ["order", "name", "start_time", "duration", "type", "status", "notes", "cues_summary"]
    readonly_fields = ["status", "cues_summary"]
    ordering = ["order", "id"]
    extra = 0
    show_change_link = True

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        return zone_help(db_field, request, super().formfield_for_dbfield(db_field, request, **kwargs))

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("cues")

    @admin.display(description="Cues (edit on the segment's page)")
    def cues_summary(self, segment: Segment) -> str:
        if segment.pk is None:
            return "—"
        cues = list(segment.cues.all())
        if not cues:
            return "—"
        return format_html_join(", ", "{} {} @{}s", ((c.kind, c.number, c.offset_seconds) for c in cues))


class CueInline(admin.TabularInline):
    model = Cue
    fields = ["number", "kind", "offset_seconds", "description"]
    ordering = ["offset_seconds", "number", "id"]
    extra = 0


@admin.register(ShowSession)
class ShowSessionAdmin(ShowZoneAdmin):
    list_display = ["name", "date", "venue", "timezone", "segments_count", "live_segment", "created_by"]
    list_filter = ["date", "venue", "timezone"]
    search_fields = ["name", "venue"]
    date_hierarchy = "date"
    readonly_fields = ["created_by", "created_at", "updated_at"]
    inlines = [SegmentInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("state__active_segment", "created_by")
            .annotate(segments_total=Count("segments"))
        )

    @admin.display(description="Segments", ordering="segments_total")
    def segments_count(self, session: ShowSession) -> int:
        return session.segments_total

    @admin.display(description="Live segment")
    def live_segment(self, session: ShowSession) -> str:
        state = getattr(session, "state", None)
        return str(state.active_segment) if state and state.active_segment else "—"

    def save_model(self, request, obj, form, change):
        if obj.pk is None:
            created = services.create_session(
                name=obj.name, date=obj.date, venue=obj.venue, timezone=obj.timezone, user=request.user
            )
            _adopt(obj, created)
            return
        _adopt(obj, services.update_session(session=_stored(obj), **_changes(obj, form, services.SESSION_FIELDS)))

    def delete_model(self, request, obj):
        services.delete_session(session=obj)

    def delete_queryset(self, request, queryset):
        for session in queryset:
            services.delete_session(session=session)

    def save_formset(self, request, form, formset, change):
        save_inline_formset(
            formset,
            lambda obj, inline_form: save_segment(request, obj, inline_form),
            lambda obj: services.delete_segment(segment=obj),
        )


@admin.register(Segment)
class SegmentAdmin(ParentSpreadsheetAdmin, ShowZoneAdmin):
    # The rundown import / export (cues as columns): into the show chosen on the import form, or each row's ``session``.
    resource_classes = [SegmentResource]
    import_parent = "session"
    import_parent_queryset = ShowSession.objects.order_by("-date")
    import_parent_label = "Show"
    show_zone_path = "session__timezone"
    list_display = [
        *("name", "session", "order", "planned_start", "duration"),
        *("type", "status", "cue_total", "updated_at"),
    ]
    list_display_links = ["name"]
    list_editable = ["order"]
    list_filter = ["status", "type", "session"]
    search_fields = ["name", "notes", "session__name"]
    list_select_related = ["session"]
    ordering = ["session", "order", "id"]
    readonly_fields = ["status", "actual_start", "actual_end", "created_by", "created_at", "updated_at"]
    inlines = [CueInline]
    actions = ["activate", "complete", "skip"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(cues_total=Count("cues"))

    @admin.display(description="Cues", ordering="cues_total")
    def cue_total(self, segment: Segment) -> int:
        return segment.cues_total

    @admin.display(description="Planned start (show's zone)", ordering="start_time")
    def planned_start(self, segment: Segment) -> str:
        return in_show_zone(segment.start_time, segment.session.timezone)

    def has_manage_show_call_permission(self, request) -> bool:
        return request.user.has_perm("runofshow.manage_show_call")

    def delete_queryset(self, request, queryset):
        for segment in queryset:  # the live one is refused: nothing is deleted, the reason shown
            services.delete_segment(segment=segment)

    def delete_model(self, request, obj):
        services.delete_segment(segment=obj)

    def save_model(self, request, obj, form, change):
        saved = save_segment(request, obj, form)
        _adopt(obj, saved)

    def save_formset(self, request, form, formset, change):
        save_inline_formset(formset, save_cue, lambda obj: services.delete_cue(cue=obj))

    @admin.action(description="Make the selected segment live", permissions=["manage_show_call"])
    def activate(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Select exactly one segment to make live.", messages.ERROR)
            return
        segment = queryset.get()
        try:
            services.activate_segment(segment=segment, user=request.user, now=timezone.now())
        except DomainError as error:
            self.message_user(request, f"{segment}: {error.detail}", messages.ERROR)
            return
        self.message_user(request, f"{segment} is live.", messages.SUCCESS)

    @admin.action(description="Complete the selected (live) segment", permissions=["manage_show_call"])
    def complete(self, request, queryset):
        for segment in queryset:
            try:
                services.complete_segment(segment=segment, user=request.user, now=timezone.now())
            except DomainError as error:
                self.message_user(request, f"{segment}: {error.detail}", messages.ERROR)
            else:
                self.message_user(request, f"{segment} completed.", messages.SUCCESS)

    @admin.action(description="Skip the selected (pending) segments", permissions=["manage_show_call"])
    def skip(self, request, queryset):
        for segment in queryset.order_by("order", "id"):
            try:
                services.skip_segment(segment=segment, user=request.user, now=timezone.now())
            except DomainError as error:
                self.message_user(request, f"{segment}: {error.detail}", messages.ERROR)
            else:
                self.message_user(request, f"{segment} skipped.", messages.SUCCESS)


@admin.register(Cue)
class CueAdmin(ServiceWritesAdmin):
    list_display = ["number", "kind", "segment", "session", "offset_seconds", "description"]
    list_filter = ["kind", "segment__session"]
    search_fields = ["number", "description", "segment__name"]
    list_select_related = ["segment__session"]
    ordering = ["segment__session", "segment__order", "offset_seconds", "number"]
    readonly_fields = ["created_at", "updated_at"]

    @admin.display(description="Session", ordering="segment__session")
    def session(self, cue: Cue) -> ShowSession:
        return cue.segment.session

    def save_model(self, request, obj, form, change):
        saved = save_cue(obj, form)
        _adopt(obj, saved)

    def delete_model(self, request, obj):
        services.delete_cue(cue=obj)

    def delete_queryset(self, request, queryset):
        for cue in queryset.select_related("segment"):
            services.delete_cue(cue=cue)


@admin.register(ColumnPreference)
class ColumnPreferenceAdmin(ServiceWritesAdmin):
    list_display = ["user", "session", "visible_columns", "updated_at"]
    list_filter = ["session"]
    search_fields = ["user__username", "session__name"]
    list_select_related = ["user", "session"]
    readonly_fields = ["created_at", "updated_at"]

    def save_model(self, request, obj, form, change):
        saved = services.set_visible_columns(user=obj.user, session=obj.session, visible_columns=obj.visible_columns)
        _adopt(obj, saved)

    def delete_model(self, request, obj):
        services.reset_visible_columns(user=obj.user, session=obj.session)

    def delete_queryset(self, request, queryset):
        for preference in queryset.select_related("user", "session"):
            services.reset_visible_columns(user=preference.user, session=preference.session)


@admin.register(SessionState)
class SessionStateAdmin(ReadOnlyAdmin):
    """The live segment per show; changed only by activate / complete."""

    list_display = ["session", "active_segment", "updated_by", "updated_at"]
    list_filter = ["session__date"]
    search_fields = ["session__name", "active_segment__name"]
    list_select_related = ["session", "active_segment", "updated_by"]


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = [
        "recorded_at",
        "session",
        "action",
        "from_segment_name",
        "to_segment_name",
        "actor_username",
        "moment",
    ]
    list_filter = ["action", "session"]
    search_fields = ["from_segment_name", "to_segment_name", "actor_username", "session__name"]
    list_select_related = ["session"]
    date_hierarchy = "recorded_at"

    @admin.display(description="At (show's zone)", ordering="at")
    def moment(self, entry: AuditEntry) -> str:
        return in_show_zone(entry.at, entry.session.timezone)


@admin.register(ViewerLink)
class ViewerLinkAdmin(ServiceWritesAdmin):
    """Stage-timer links: made by a show caller on the console or the API (the token is shown
    once, at creation); revoked here or there."""

    list_display = ["__str__", "session", "created_by", "created_at", "expires_at", "revoked_at"]
    list_filter = ["session", "revoked_at"]
    search_fields = ["label", "session__name", "token_hint"]
    list_select_related = ["session", "created_by"]
    readonly_fields = ["session", "label", "token_hint", "created_by", "created_at", "expires_at", "revoked_at"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead: the row says who made it and when it closed

    @admin.action(description="Revoke the selected links (their screens stop at once)")
    def revoke(self, request, queryset):
        for link in queryset:
            services.revoke_viewer_link(link=link, now=timezone.now())
        self.message_user(request, f"{queryset.count()} link(s) revoked.", messages.SUCCESS)


@admin.register(StageMessage)
class StageMessageAdmin(ServiceWritesAdmin):
    list_display = ["session", "text", "visible", "updated_by", "updated_at"]
    list_select_related = ["session", "updated_by"]
    search_fields = ["session__name", "text"]
    readonly_fields = ["updated_by", "updated_at"]

    def save_model(self, request, obj, form, change):
        _adopt(
            obj, services.set_stage_message(session=obj.session, text=obj.text, visible=obj.visible, user=request.user)
        )

    def has_delete_permission(self, request, obj=None):
        return False  # hide it instead (visible off): every screen follows the service's event
