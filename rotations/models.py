"""Rotations: employees, events, weekly rotations, exceptions, scheduler runs and their proposals.

The invariants that the database can hold are in each model's Meta (unique rotation per
weekday and type, one running scheduler run at a time, an event is either unassigned or
fully assigned); the scheduling rules live in :mod:`rotations.engine`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def default_weekdays() -> list[int]:
    return [0, 1, 2, 3, 4]


def new_calendar_token() -> str:
    import secrets

    return secrets.token_urlsafe(32)


class Employee(models.Model):
    """Someone the scheduler may assign: an event needs its type among the qualifications."""

    class Qualification(models.TextChoices):
        CORE = "core", "Core"
        JUICER = "juicer", "Juicer"
        DIGITAL = "digital", "Digital"
        SUPERVISOR = "supervisor", "Supervisor"
        CLUB_SUPERVISOR = "club_supervisor", "Club supervisor"
        LEAD = "lead", "Lead"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200)
    external_id = models.CharField(
        max_length=64, unique=True, null=True, blank=True, help_text="The employee's id in the client's system."
    )
    qualifications = models.JSONField(
        default=list, blank=True, help_text="A set drawn from core, juicer, digital, supervisor, club_supervisor, ..."
    )
    active = models.BooleanField(default=True)
    max_events_per_day = models.PositiveSmallIntegerField(default=1)
    max_events_per_week = models.PositiveSmallIntegerField(default=5)
    available_weekdays = models.JSONField(
        default=default_weekdays, blank=True, help_text="Weekly availability: weekdays 0 (Mon) to 6 (Sun)."
    )
    calendar_token = models.CharField(
        max_length=64,
        unique=True,
        default=new_calendar_token,
        editable=False,
        help_text="The secret in the employee's calendar feed URL; rotate it to cut off an old link.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_events_per_day__gte=1, max_events_per_day__lte=50), name="rotations_employee_day_limit"
            ),
            models.CheckConstraint(
                condition=Q(max_events_per_week__gte=1, max_events_per_week__lte=250),
                name="rotations_employee_week_limit",
            ),
        ]

    def __str__(self):
        return self.name


class TimeOff(models.Model):
    """An employee's absence, both dates inclusive."""

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="time_off")
    start_date = models.DateField()
    end_date = models.DateField()
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["start_date", "id"]
        verbose_name = "time off"
        verbose_name_plural = "time off"
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")), name="rotations_timeoff_range")
        ]
        indexes = [models.Index(fields=["employee", "start_date", "end_date"], name="rotations_timeoff_emp_idx")]

    def __str__(self):
        return f"{self.employee} off {self.start_date}–{self.end_date}"


class Event(models.Model):
    """Work to schedule between its start and due dates; a supervisor event oversees a core event."""

    class Type(models.TextChoices):
        CORE = "core", "Core"
        SUPERVISOR = "supervisor", "Supervisor"
        JUICER = "juicer", "Juicer"
        DIGITAL = "digital", "Digital"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        UNSCHEDULED = "unscheduled", "Unscheduled"
        SCHEDULED = "scheduled", "Scheduled"
        SUBMITTED = "submitted", "Submitted"

    project_ref_num = models.BigIntegerField(unique=True)
    name = models.CharField(max_length=255, blank=True)
    event_type = models.CharField(max_length=20, choices=Type.choices)
    start_date = models.DateField()
    due_date = models.DateField()
    estimated_minutes = models.PositiveIntegerField(default=60)
    location = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.UNSCHEDULED)
    assigned_employee = models.ForeignKey(
        Employee, null=True, blank=True, on_delete=models.PROTECT, related_name="assigned_events"
    )
    scheduled_at = models.DateTimeField(null=True, blank=True)
    parent_event = models.ForeignKey(
        "self",
        to_field="project_ref_num",
        db_column="parent_event_ref_num",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supervisor_events",
        help_text="For a supervisor event: the project ref num of its core event.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_date", "project_ref_num"]
        constraints = [
            models.CheckConstraint(condition=Q(due_date__gte=models.F("start_date")), name="rotations_event_dates"),
            models.CheckConstraint(
                condition=Q(estimated_minutes__gte=1, estimated_minutes__lte=1440), name="rotations_event_minutes"
            ),
            models.CheckConstraint(
                condition=(
                    Q(status="unscheduled", assigned_employee__isnull=True, scheduled_at__isnull=True)
                    | Q(
                        status__in=["scheduled", "submitted"],
                        assigned_employee__isnull=False,
                        scheduled_at__isnull=False,
                    )
                ),
                name="rotations_event_assignment_matches_status",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_date"], name="rotations_event_status_due"),
            models.Index(fields=["assigned_employee", "scheduled_at"], name="rotations_event_assigned"),
        ]

    def __str__(self):
        return f"#{self.project_ref_num} {self.event_type} {self.name}".strip()

    @property
    def parent_event_ref_num(self) -> int | None:
        return self.parent_event_id


class RotationAssignment(models.Model):
    """The standing weekly rotation: who is the juicer / primary lead on each weekday."""

    class RotationType(models.TextChoices):
        JUICER = "juicer", "Juicer"
        PRIMARY_LEAD = "primary_lead", "Primary lead"

    class Weekday(models.IntegerChoices):
        MONDAY = 0, "Monday"
        TUESDAY = 1, "Tuesday"
        WEDNESDAY = 2, "Wednesday"
        THURSDAY = 3, "Thursday"
        FRIDAY = 4, "Friday"

    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    rotation_type = models.CharField(max_length=20, choices=RotationType.choices)
    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="rotations")

    class Meta:
        ordering = ["weekday", "rotation_type"]
        constraints = [
            models.UniqueConstraint(fields=["weekday", "rotation_type"], name="rotations_unique_weekday_type"),
            models.CheckConstraint(condition=Q(weekday__gte=0, weekday__lte=4), name="rotations_rotation_weekday"),
        ]

    def __str__(self):
        return f"{WEEKDAY_NAMES[self.weekday]} {self.rotation_type}: {self.employee}"


class ScheduleException(models.Model):
    """A one-off override of the rotation on one date; the standing rotation stays as it is."""

    date = models.DateField()
    rotation_type = models.CharField(max_length=20, choices=RotationAssignment.RotationType.choices)
    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="rotation_exceptions")
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["date", "rotation_type"]
        constraints = [models.UniqueConstraint(fields=["date", "rotation_type"], name="rotations_unique_exception")]

    def __str__(self):
        return f"{self.date} {self.rotation_type}: {self.employee}"


class SchedulerRun(models.Model):
    """One auto-scheduler run over a window of workdays. At most one runs at a time."""

    class Kind(models.TextChoices):
        AUTOMATIC = "automatic", "Automatic"
        MANUAL = "manual", "Manual"

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        COMPLETED = "completed", "Completed"
        FAILED = "failed", "Failed"
        CRASHED = "crashed", "Crashed"

    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.MANUAL)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RUNNING)
    window_start = models.DateField()
    window_end = models.DateField(help_text="Last calendar day of the window (inclusive).")
    reference_date = models.DateField(help_text="The run's 'today' (bump rule: never within 2 days of due).")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField()
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done.")
    progress_message = models.CharField(max_length=200, blank=True)
    events_processed = models.PositiveIntegerField(default=0)
    events_scheduled = models.PositiveIntegerField(default=0)
    events_failed = models.PositiveIntegerField(default=0)
    swaps = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    warnings = models.JSONField(default=list, blank=True)
    unscheduled = models.JSONField(default=list, blank=True, help_text="Events left unscheduled, with reasons.")
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-started_at", "-id"]
        permissions = [("run_auto_schedule", "Can run the auto-scheduler")]
        constraints = [
            # The guard against two runs at once: a second insert of a running run fails.
            models.UniqueConstraint(fields=["status"], condition=Q(status="running"), name="rotations_one_running_run"),
            models.CheckConstraint(condition=Q(window_end__gte=models.F("window_start")), name="rotations_run_window"),
        ]
        indexes = [models.Index(fields=["started_at"], name="rotations_run_started")]

    def __str__(self):
        return f"Run #{self.pk} ({self.kind}, {self.status})"


class SubmissionUnit(models.Model):
    """The outbox: what one approval submits to the client's system, written in the approving
    transaction and sent after it commits, once, by a task (``Idempotency-Key`` = ``key``).

    A unit is a core event with its supervisor events (or one event alone): one request, so the
    client accepts or refuses them together. ``payload`` is the request body as approved."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    run = models.ForeignKey(SchedulerRun, on_delete=models.CASCADE, related_name="submission_units")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    submitter = models.CharField(max_length=20, help_text="local or http")
    payload = models.JSONField(default=dict)
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True, help_text="When a sender took it (its lease starts).")
    sent_at = models.DateTimeField(null=True, blank=True)
    failure_reason = models.TextField(blank=True)
    details = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["status", "created_at"], name="rotations_unit_status")]

    def __str__(self):
        return f"Submission #{self.pk} ({self.status})"

    @property
    def key(self) -> str:
        return f"setdesk-rotations-unit-{self.pk}"


class PendingSchedule(models.Model):
    """A proposed assignment from a run, waiting for a supervisor; nothing is applied before approval."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        USER_EDITED = "user_edited", "Edited"
        APPROVED = "approved", "Approved"
        API_SUBMITTED = "api_submitted", "Submitted"
        FAILED = "failed", "Failed"
        REJECTED = "rejected", "Rejected"

    run = models.ForeignKey(SchedulerRun, on_delete=models.CASCADE, related_name="proposals")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="proposals")
    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="proposals")
    scheduled_at = models.DateTimeField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PROPOSED)
    phase = models.CharField(max_length=20, blank=True, help_text="rotation, core, supervisor or repair")
    reason = models.TextField(blank=True, help_text="Why this employee.")
    is_fallback = models.BooleanField(default=False, help_text="Rotation employee unavailable: someone else.")
    is_swap = models.BooleanField(default=False)
    bumped_event_ref_num = models.BigIntegerField(null=True, blank=True)
    bumped_event_scheduled_at = models.DateTimeField(
        null=True, blank=True, help_text="Where the bumped event was (approval frees it only if it is still there)."
    )
    swap_reason = models.TextField(blank=True)
    failure_reason = models.TextField(blank=True)
    api_error_details = models.JSONField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    submission = models.ForeignKey(
        SubmissionUnit, null=True, blank=True, on_delete=models.SET_NULL, related_name="proposals"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["scheduled_at", "id"]
        permissions = [("approve_schedule", "Can approve or reject proposed schedules")]
        constraints = [models.UniqueConstraint(fields=["run", "event"], name="rotations_one_proposal_per_event")]
        indexes = [
            models.Index(fields=["run", "status"], name="rotations_proposal_run_status"),
            models.Index(fields=["status"], name="rotations_proposal_status"),
        ]

    def __str__(self):
        """ "C-1042 core → Alice, Tue 10 Dec 09:00" (the rotations' local time)."""
        from zoneinfo import ZoneInfo

        tz = ZoneInfo(settings.ROTATIONS_TIME_ZONE or settings.TIME_ZONE)
        when = self.scheduled_at.astimezone(tz).strftime("%a %d %b %H:%M") if self.scheduled_at else "?"
        return f"C-{self.event.project_ref_num} {self.event.event_type} → {self.employee.name}, {when}"


# The enums under their historical module-level names (every import of them keeps working).
Qualification = Employee.Qualification
EventType = Event.Type
EventStatus = Event.Status
RotationType = RotationAssignment.RotationType
Weekday = RotationAssignment.Weekday
RunKind = SchedulerRun.Kind
RunStatus = SchedulerRun.Status
ProposalStatus = PendingSchedule.Status
SubmissionStatus = SubmissionUnit.Status

OPEN_PROPOSAL_STATUSES = (PendingSchedule.Status.PROPOSED, PendingSchedule.Status.USER_EDITED)
