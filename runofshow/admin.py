"""Run-of-show admin: a session with its segments inline (reorder by editing ``order``), each
segment with its cues inline, the live state and the audit log read-only.

Django's admin does not nest inlines, so a session's cues are one click away: every segment
row of the session links to its page, where the cues are inline (and listed in the row).
Status and actuals are read-only here: they change only through the activate / complete
services (the admin actions), and saves here write only the fields the form changed, so an
admin edit never overwrites what a show caller just did.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import Count
from django.utils.html import format_html_join

from config.admin import ReadOnlyAdmin
from config.errors import DomainError
from runofshow import services
from runofshow.models import AuditEntry, ColumnPreference, Cue, Segment, SessionState, ShowSession


def _save_changed(obj, form) -> None:
    """New rows are saved whole; existing rows only in the fields the form changed."""
    if obj.pk is None:
        obj.save()
        return
    fields = [name for name in form.changed_data if name in {f.name for f in obj._meta.concrete_fields}]
    if fields:
        obj.save(update_fields=[*fields, "updated_at"])


class LiveSegmentGuardFormSet(forms.BaseInlineFormSet):
    """Refuses deleting the live segment from the session page (complete it first)."""

    def clean(self):
        super().clean()
        if self.instance.pk is None:
            return
        active_id = SessionState.objects.filter(session=self.instance).values_list("active_segment_id", flat=True)
        live = next(iter(active_id), None)
        for form in self.deleted_forms:
            if form.instance.pk is not None and form.instance.pk == live:
                raise forms.ValidationError(f"“{form.instance.name}” is live; complete it before deleting it.")


class SegmentInline(admin.TabularInline):
    model = Segment
    formset = LiveSegmentGuardFormSet
    fields = ["order", "name", "start_time", "duration", "type", "status", "notes", "cues_summary"]
    readonly_fields = ["status", "cues_summary"]
    ordering = ["order", "id"]
    extra = 0
    show_change_link = True

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
class ShowSessionAdmin(admin.ModelAdmin):
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
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        services.ensure_state(session=obj)

    def save_formset(self, request, form, formset, change):
        formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj.delete()
        for inline_form in formset.forms:
            if inline_form in formset.deleted_forms or not inline_form.has_changed():
                continue
            obj = inline_form.instance
            if obj.pk is None and isinstance(obj, Segment):
                obj.created_by = request.user
            _save_changed(obj, inline_form)
        formset.save_m2m()
        services.announce_rundown_change(session_id=form.instance.pk)


@admin.register(Segment)
class SegmentAdmin(admin.ModelAdmin):
    list_display = ["name", "session", "order", "start_time", "duration", "type", "status", "cue_total", "updated_at"]
    list_display_links = ["name"]
    list_editable = ["order"]
    list_filter = ["status", "type", "session"]
    search_fields = ["name", "notes", "session__name"]
    list_select_related = ["session"]
    ordering = ["session", "order", "id"]
    readonly_fields = ["status", "actual_start", "actual_end", "created_by", "created_at", "updated_at"]
    inlines = [CueInline]
    actions = ["activate", "complete"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(cues_total=Count("cues"))

    @admin.display(description="Cues", ordering="cues_total")
    def cue_total(self, segment: Segment) -> int:
        return segment.cues_total

    def has_manage_show_call_permission(self, request) -> bool:
        return request.user.has_perm("runofshow.manage_show_call")

    def has_delete_permission(self, request, obj=None):
        if obj is not None and SessionState.objects.filter(active_segment=obj).exists():
            return False  # the live segment: complete it first
        return super().has_delete_permission(request, obj)

    def delete_queryset(self, request, queryset):
        live = queryset.filter(pk__in=SessionState.objects.values("active_segment"))
        if live.exists():
            self.message_user(request, "Live segments were kept: complete them first.", messages.WARNING)
        session_ids = set(queryset.values_list("session_id", flat=True))
        queryset.exclude(pk__in=live.values("pk")).delete()
        for session_id in session_ids:
            services.announce_rundown_change(session_id=session_id)

    def delete_model(self, request, obj):
        services.delete_segment(segment=obj)

    def save_model(self, request, obj, form, change):
        if obj.pk is None:
            obj.created_by = request.user
        _save_changed(obj, form)
        services.announce_rundown_change(session_id=obj.session_id)

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        services.announce_rundown_change(session_id=form.instance.session_id)

    @admin.action(description="Make the selected segment live", permissions=["manage_show_call"])
    def activate(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Select exactly one segment to make live.", messages.ERROR)
            return
        segment = queryset.get()
        try:
            services.activate_segment(segment=segment, user=request.user)
        except DomainError as error:
            self.message_user(request, f"{segment}: {error.detail}", messages.ERROR)
            return
        self.message_user(request, f"{segment} is live.", messages.SUCCESS)

    @admin.action(description="Complete the selected (live) segment", permissions=["manage_show_call"])
    def complete(self, request, queryset):
        for segment in queryset:
            try:
                services.complete_segment(segment=segment, user=request.user)
            except DomainError as error:
                self.message_user(request, f"{segment}: {error.detail}", messages.ERROR)
            else:
                self.message_user(request, f"{segment} completed.", messages.SUCCESS)


@admin.register(Cue)
class CueAdmin(admin.ModelAdmin):
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
        super().save_model(request, obj, form, change)
        services.announce_rundown_change(session_id=obj.segment.session_id)

    def delete_model(self, request, obj):
        services.delete_cue(cue=obj)


@admin.register(ColumnPreference)
class ColumnPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "session", "visible_columns", "updated_at"]
    list_filter = ["session"]
    search_fields = ["user__username", "session__name"]
    list_select_related = ["user", "session"]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(SessionState)
class SessionStateAdmin(ReadOnlyAdmin):
    """The live segment per show; changed only by activate / complete."""

    list_display = ["session", "active_segment", "updated_by", "updated_at"]
    list_filter = ["session__date"]
    search_fields = ["session__name", "active_segment__name"]
    list_select_related = ["session", "active_segment", "updated_by"]


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["recorded_at", "session", "action", "from_segment_name", "to_segment_name", "actor_username", "at"]
    list_filter = ["action", "session"]
    search_fields = ["from_segment_name", "to_segment_name", "actor_username", "session__name"]
    list_select_related = ["session"]
    date_hierarchy = "recorded_at"
