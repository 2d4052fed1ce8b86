"""Scheduler runs, their proposals and the approvals' outbox, in the admin: approve, reject,
edit and delete through the services."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from config.errors import Conflict, DomainError, InvalidInput
from rotations import engine, services
from rotations.models import (
    OPEN_PROPOSAL_STATUSES,
    PendingSchedule,
    SchedulerRun,
    SubmissionUnit,
)
from rotations.permissions import APPROVE_PERM

RETRYABLE_STATUSES = (*OPEN_PROPOSAL_STATUSES, PendingSchedule.Status.FAILED)


# --- runs and proposals ---------------------------------------------------------------------------------


def _report(modeladmin, request, counts: dict[str, int]) -> None:
    level = messages.WARNING if counts.get("failed") else messages.SUCCESS
    waiting = f", {counts['approved']} approved and being sent to the client's system" if counts.get("approved") else ""
    modeladmin.message_user(
        request,
        f"{counts['submitted']} submitted{waiting}, {counts['failed']} failed (of {counts['considered']}).",
        level,
    )


class PendingScheduleInline(admin.TabularInline):
    model = PendingSchedule
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ["event", "employee", "scheduled_at", "status", "is_swap", "is_fallback", "reason", "failure_reason"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("event", "employee")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ApproveActionsMixin:
    """Bulk approve / reject actions. Their changelist runs without the request transaction:
    approving submits to the client's system proposal by proposal and each outcome commits
    on its own (one transaction per pair in the service), so a later failure cannot roll back
    a submission the client already holds (and have the next approval send it twice)."""

    def has_approve_permission(self, request):
        return request.user.has_perm(APPROVE_PERM)

    def get_urls(self):
        urls = super().get_urls()
        changelist = f"{self.opts.app_label}_{self.opts.model_name}_changelist"
        for pattern in urls:
            if getattr(pattern, "name", None) == changelist:
                pattern.callback = transaction.non_atomic_requests(pattern.callback)
        return urls


def _superseded_by(run: SchedulerRun) -> int | None:
    """The later completed run whose proposals replaced this run's untouched ones."""
    if run.status != SchedulerRun.Status.COMPLETED:
        return None
    later = Q(started_at__gt=run.started_at) | Q(started_at=run.started_at, pk__gt=run.pk)
    return (
        SchedulerRun.objects.filter(later, status=SchedulerRun.Status.COMPLETED)
        .order_by("started_at", "pk")
        .values_list("pk", flat=True)
        .first()
    )


@admin.register(SchedulerRun)
class SchedulerRunAdmin(ApproveActionsMixin, admin.ModelAdmin):
    list_display = [
        "id",
        "kind",
        "status",
        "superseded",
        "window_start",
        "window_end",
        "started_at",
        "progress",
        "events_scheduled",
        "events_failed",
        "swaps",
        "approved_at",
    ]
    list_filter = ["status", "kind", "started_at"]
    search_fields = ["id", "error"]
    date_hierarchy = "started_at"
    inlines = [PendingScheduleInline]
    actions = ["approve_runs", "reject_runs"]
    readonly_fields = [
        "kind",
        "status",
        "window_start",
        "window_end",
        "reference_date",
        "started_at",
        "finished_at",
        "heartbeat_at",
        "progress",
        "progress_message",
        "events_processed",
        "events_scheduled",
        "events_failed",
        "swaps",
        "error",
        "warnings_list",
        "unscheduled_list",
        "triggered_by",
        "approved_at",
        "approved_by",
    ]
    exclude = ["warnings", "unscheduled"]

    def has_add_permission(self, request):
        return False  # runs are started by the scheduler (API or nightly job)

    def delete_model(self, request, obj):
        services.delete_run(run=obj)

    def delete_queryset(self, request, queryset):
        for run in queryset:
            services.delete_run(run=run)

    @admin.display(description="superseded")
    def superseded(self, obj):
        later = _superseded_by(obj)
        return f"by run #{later}" if later else "—"

    @admin.display(description="warnings")
    def warnings_list(self, obj):
        return format_html_join("", "<div>{}</div>", ((w,) for w in obj.warnings)) or "—"

    @admin.display(description="unscheduled events")
    def unscheduled_list(self, obj):
        rows = []
        for u in obj.unscheduled:
            ruled = "; ".join(
                f"{r['employee']}: {', '.join(engine.CONSTRAINT_LABELS.get(c, c) for c in r['constraints'])}"
                for r in u["ruled_out"]
            )
            rows.append((u["project_ref_num"], u["type"] or "", u["reason"], ruled or "—"))
        if not rows:
            return "—"
        return format_html(
            "<table><tr><th>event</th><th>type</th><th>why</th><th>candidates ruled out</th></tr>{}</table>",
            format_html_join("", "<tr><td>#{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", rows),
        )

    @admin.action(description="Approve every open proposal of the selected runs", permissions=["approve"])
    def approve_runs(self, request, queryset):
        for run in queryset:
            try:
                _report(self, request, services.approve_run(run=run, user=request.user, clock=timezone.now))
            except DomainError as exc:
                self.message_user(request, f"Run #{run.pk}: {exc.detail}", messages.ERROR)

    @admin.action(description="Reject every open proposal of the selected runs", permissions=["approve"])
    def reject_runs(self, request, queryset):
        total = 0
        for run in queryset:
            total += services.reject_proposals(proposals=run.proposals.all(), user=request.user, clock=timezone.now)
        self.message_user(request, f"{total} proposal(s) rejected.", messages.SUCCESS)


class PendingScheduleForm(forms.ModelForm):
    """Only the employee and the time can be edited; the service re-checks every hard constraint."""

    class Meta:
        model = PendingSchedule
        fields = ["employee", "scheduled_at"]

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and not self.errors and self.has_changed():
            violations = services.validate_proposal(
                self.instance,
                employee=cleaned["employee"],
                scheduled_at=cleaned["scheduled_at"],
                for_edit=True,
            )
            for field, msgs in services.violation_errors(violations).items():
                for msg in msgs:
                    self.add_error(field, msg)
        return cleaned


class EventTypeFilter(admin.SimpleListFilter):
    title = "event type"
    parameter_name = "event_type"

    def lookups(self, request, model_admin):
        return [(t, t) for t in engine.EVENT_TYPES]

    def queryset(self, request, queryset):
        if self.value() in engine.EVENT_TYPES:
            return queryset.filter(event__event_type=self.value())
        return queryset


@admin.register(PendingSchedule)
class PendingScheduleAdmin(ApproveActionsMixin, admin.ModelAdmin):
    form = PendingScheduleForm
    list_display = [
        "title",
        "run",
        "status",
        "short_reason",
        "is_swap",
        "is_fallback",
        "past_dated",
        "failure_reason",
    ]
    list_filter = ["status", ("scheduled_at", admin.DateFieldListFilter), "employee", EventTypeFilter, "is_swap",
                   "is_fallback", "run"]  # fmt: skip
    search_fields = ["event__project_ref_num", "event__name", "employee__name", "reason"]
    list_select_related = ["run", "event", "employee"]
    autocomplete_fields = ["employee"]
    actions = ["approve_selected", "reject_selected"]
    readonly_fields = [
        "run",
        "event",
        "status",
        "phase",
        "reason",
        "is_fallback",
        "is_swap",
        "bumped_event_ref_num",
        "bumped_event_scheduled_at",
        "swap_reason",
        "failure_reason",
        "api_error_details",
        "decided_at",
        "decided_by",
        "submitted_at",
    ]

    def has_add_permission(self, request):
        return False

    @admin.display(description="proposal", ordering="scheduled_at")
    def title(self, obj):
        return str(obj)

    @admin.display(description="why")
    def short_reason(self, obj):
        return obj.reason if len(obj.reason) <= 120 else obj.reason[:117] + "…"

    @admin.display(description="in the past", boolean=True)
    def past_dated(self, obj):
        """An open proposal whose time has passed: approving it books something already over."""
        return obj.status in RETRYABLE_STATUSES and obj.scheduled_at < timezone.now()

    def delete_model(self, request, obj):
        services.delete_proposal(proposal=obj)

    def delete_queryset(self, request, queryset):
        for proposal in queryset:
            services.delete_proposal(proposal=proposal)

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.status not in (*OPEN_PROPOSAL_STATUSES, PendingSchedule.Status.FAILED):
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not (change and form.has_changed()):
            return
        original = PendingSchedule.objects.get(pk=obj.pk)
        try:
            services.edit_proposal(
                proposal=original,
                user=request.user,
                employee=form.cleaned_data["employee"],
                scheduled_at=form.cleaned_data["scheduled_at"],
            )
        except (InvalidInput, Conflict) as exc:
            self.message_user(request, f"Not saved: {exc.detail} {exc.errors}", messages.ERROR)

    @admin.action(description="Approve selected proposals (re-validate, then submit)", permissions=["approve"])
    def approve_selected(self, request, queryset):
        _report(self, request, services.approve_proposals(proposals=queryset, user=request.user, clock=timezone.now))

    @admin.action(description="Reject selected proposals", permissions=["approve"])
    def reject_selected(self, request, queryset):
        rejected = services.reject_proposals(proposals=queryset, user=request.user, clock=timezone.now)
        self.message_user(request, f"{rejected} proposal(s) rejected.", messages.SUCCESS)


@admin.register(SubmissionUnit)
class SubmissionUnitAdmin(admin.ModelAdmin):
    """The approvals' outbox: what went (or is going) to the client's system, and its answer."""

    list_display = [
        "id",
        "run",
        "status",
        "submitter",
        "assignments",
        "attempts",
        "created_at",
        "sent_at",
        "failure_reason",
    ]
    list_filter = ["status", "submitter", "created_at"]
    readonly_fields = [f.name for f in SubmissionUnit._meta.fields]
    actions = ["send_now"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_send_permission(self, request):
        return request.user.has_perm(APPROVE_PERM)

    @admin.display(description="events")
    def assignments(self, obj):
        return ", ".join(f"C-{a['project_ref_num']}" for a in (obj.payload or {}).get("assignments", []))

    @admin.action(description="Send the selected pending submissions now", permissions=["send"])
    def send_now(self, request, queryset):
        sent = 0
        for unit in queryset.filter(status=SubmissionUnit.Status.PENDING):
            if services.send_submission(unit_id=unit.pk, clock=timezone.now) is not None:
                sent += 1
        self.message_user(request, f"{sent} submission(s) sent; see their status.", messages.SUCCESS)
