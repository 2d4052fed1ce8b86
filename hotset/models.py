"""Hot set data: projects, their settings, shoot days, the live session and its schedule.

Invariants live here as constraints: one session per day, at most one item in
progress per session, actual times consistent with an item's status.
"""

from __future__ import annotations

import secrets
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"Unknown time zone {value!r} (use an IANA name such as Europe/London).")


def new_calendar_token() -> str:
    """The secret of a project's calendar feed URL (SPEC §9 ``calendar.ics?token=``)."""
    return secrets.token_urlsafe(32)


class Project(models.Model):
    name = models.CharField(max_length=200, unique=True)
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    calendar_token = models.CharField(
        max_length=64,
        unique=True,
        default=new_calendar_token,
        editable=False,
        help_text="The secret in the project's shoot-day calendar feed URL; rotate it to cut off an old link.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)


class HotSetSettings(models.Model):
    """Per-project hot set behaviour: auto-start, notifications, suggestion triggers and labour rules."""

    class ScheduleView(models.TextChoices):
        CURRENT = "current", "Up next"
        FULL = "full", "Full day"
        COMPLETED = "completed", "Completed"

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="hotset_settings")
    auto_start_enabled = models.BooleanField(default=True)
    auto_start_minutes_before_call = models.PositiveIntegerField(default=30, validators=[MaxValueValidator(1440)])
    notifications_enabled = models.BooleanField(default=True)
    notify_minutes_before_call = models.PositiveIntegerField(default=60, validators=[MaxValueValidator(1440)])
    notify_crew_on_auto_start = models.BooleanField(default=True)
    suggestion_trigger_minutes_behind = models.PositiveIntegerField(default=15, validators=[MaxValueValidator(1440)])
    suggestion_trigger_meal_penalty_minutes = models.PositiveIntegerField(
        default=30, validators=[MaxValueValidator(1440)]
    )
    suggestion_trigger_wrap_extension_minutes = models.PositiveIntegerField(
        default=30, validators=[MaxValueValidator(1440)]
    )
    default_schedule_view = models.CharField(max_length=10, choices=ScheduleView.choices, default=ScheduleView.CURRENT)
    # Labour rules the warnings use.
    meal_due_hours_after_call = models.PositiveIntegerField(
        default=6, validators=[MinValueValidator(1), MaxValueValidator(24)]
    )
    meal_minutes = models.PositiveIntegerField(default=30, validators=[MaxValueValidator(240)])
    grace_minutes = models.PositiveIntegerField(default=12, validators=[MaxValueValidator(240)])
    meal_penalty_interval_minutes = models.PositiveIntegerField(
        default=30, validators=[MinValueValidator(1), MaxValueValidator(240)]
    )
    max_day_hours = models.PositiveIntegerField(default=12, validators=[MinValueValidator(1), MaxValueValidator(24)])
    turnaround_hours = models.PositiveIntegerField(default=10, validators=[MaxValueValidator(48)])
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "hot set settings"
        verbose_name_plural = "hot set settings"

    def __str__(self):
        return f"Hot set settings of {self.project}"


class ProductionDay(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="days")
    date = models.DateField()
    day_number = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    general_call_time = models.DateTimeField(help_text="General crew call (shown in the project time zone).")
    planned_wrap = models.DateTimeField(null=True, blank=True)
    extended_wrap = models.DateTimeField(
        null=True,
        blank=True,
        help_text='The wrap the day was extended to ("extend day"); overtime still counts from the planned wrap.',
    )
    location = models.CharField(max_length=200, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["project", "date"]
        constraints = [
            models.UniqueConstraint(fields=["project", "date"], name="hotset_day_unique_date"),
            models.UniqueConstraint(fields=["project", "day_number"], name="hotset_day_unique_number"),
            models.CheckConstraint(
                condition=Q(planned_wrap__isnull=True) | Q(planned_wrap__gt=models.F("general_call_time")),
                name="hotset_day_wrap_after_call",
            ),
            models.CheckConstraint(
                condition=Q(extended_wrap__isnull=True) | Q(extended_wrap__gt=models.F("general_call_time")),
                name="hotset_day_extended_wrap_after_call",
            ),
        ]

    def __str__(self):
        return f"{self.project} · day {self.day_number} ({self.date})"


class HotSetSession(models.Model):
    """The live tracking of one production day."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        WRAPPED = "wrapped", "Wrapped"

    production_day = models.OneToOneField(ProductionDay, on_delete=models.CASCADE, related_name="hotset_session")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NOT_STARTED)
    auto_started = models.BooleanField(default=False)
    started_at = models.DateTimeField(null=True, blank=True)
    wrapped_at = models.DateTimeField(null=True, blank=True)
    crew_call_confirmed_at = models.DateTimeField(null=True, blank=True)
    crew_call_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    first_shot_confirmed_at = models.DateTimeField(null=True, blank=True)
    first_shot_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-production_day__date"]
        permissions = [("run_hot_set", "Can drive the hot set (confirm, start, complete, skip, wrap)")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="not_started") | Q(started_at__isnull=False), name="hotset_session_started_at"
            ),
            models.CheckConstraint(
                condition=~Q(status="wrapped") | Q(wrapped_at__isnull=False), name="hotset_session_wrapped_at"
            ),
            models.CheckConstraint(
                condition=Q(first_shot_confirmed_at__isnull=True) | Q(crew_call_confirmed_at__isnull=False),
                name="hotset_session_first_shot_after_crew_call",
            ),
        ]
        indexes = [models.Index(fields=["status"], name="hotset_session_status_idx")]

    def __str__(self):
        return f"Hot set {self.production_day}"


class ScheduleItem(models.Model):
    """A scene or a block of the day's schedule, in ``position`` order."""

    class Kind(models.TextChoices):
        SCENE = "scene", "Scene"
        BLOCK = "block", "Block"

    class BlockType(models.TextChoices):
        CREW_CALL = "crew_call", "Crew call"
        FIRST_SHOT = "first_shot", "First shot"
        MEAL = "meal", "Meal"
        COMPANY_MOVE = "company_move", "Company move"
        ACTIVITY = "activity", "Activity"
        CAMERA_WRAP = "camera_wrap", "Camera wrap"
        WRAP = "wrap", "Wrap"
        CUSTOM = "custom", "Custom"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETED = "completed", "Completed"
        SKIPPED = "skipped", "Skipped"

    # The stripboard's two headings of a scene: they give its strip colour (INT/DAY white,
    # EXT/DAY yellow, INT/NIGHT blue, EXT/NIGHT green) and group work by light and place.
    class IntExt(models.TextChoices):
        INT = "int", "INT"
        EXT = "ext", "EXT"
        INT_EXT = "int_ext", "INT/EXT"

    class DayNight(models.TextChoices):
        DAY = "day", "DAY"
        NIGHT = "night", "NIGHT"
        DAWN = "dawn", "DAWN"
        DUSK = "dusk", "DUSK"

    session = models.ForeignKey(HotSetSession, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField()
    kind = models.CharField(max_length=5, choices=Kind.choices)
    block_type = models.CharField(max_length=12, choices=BlockType.choices, blank=True)
    title = models.CharField(max_length=200, blank=True)
    scene_number = models.CharField(max_length=20, blank=True)
    set_name = models.CharField(max_length=200, blank=True)
    location = models.CharField(max_length=200, blank=True)
    int_ext = models.CharField("INT/EXT", max_length=7, choices=IntExt.choices, blank=True)
    day_night = models.CharField("DAY/NIGHT", max_length=5, choices=DayNight.choices, blank=True)
    description = models.TextField(blank=True)
    pages_eighths = models.PositiveIntegerField(default=0, help_text="Script pages in eighths (1 4/8 pages = 12).")
    setups = models.PositiveIntegerField(default=0)
    planned_start = models.DateTimeField(
        null=True, blank=True, help_text="Explicit planned start; empty = chained from the previous item."
    )
    planned_duration_minutes = models.PositiveIntegerField(validators=[MaxValueValidator(24 * 60)])
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    actual_start = models.DateTimeField(null=True, blank=True)
    actual_end = models.DateTimeField(null=True, blank=True)
    skipped_at = models.DateTimeField(null=True, blank=True)
    is_partial = models.BooleanField(default=False, help_text="A scene completed in part; the rest another day.")
    notes = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["session", "position"]
        constraints = [
            models.UniqueConstraint(fields=["session", "position"], name="hotset_item_unique_position"),
            models.UniqueConstraint(
                fields=["session"], condition=Q(status="in_progress"), name="hotset_item_one_in_progress"
            ),
            models.CheckConstraint(
                condition=(Q(kind="scene") & Q(block_type="")) | (Q(kind="block") & ~Q(block_type="")),
                name="hotset_item_kind_block_type",
            ),
            models.CheckConstraint(
                condition=(
                    (Q(status="pending") & Q(actual_start__isnull=True) & Q(actual_end__isnull=True))
                    | (Q(status="in_progress") & Q(actual_start__isnull=False) & Q(actual_end__isnull=True))
                    | (
                        Q(status="completed")
                        & Q(actual_start__isnull=False)
                        & Q(actual_end__isnull=False)
                        & Q(actual_end__gte=models.F("actual_start"))
                    )
                    | (Q(status="skipped") & Q(actual_start__isnull=True) & Q(actual_end__isnull=True))
                ),
                name="hotset_item_actuals_match_status",
            ),
            models.CheckConstraint(
                condition=Q(is_partial=False) | (Q(kind="scene") & Q(status="completed")),
                name="hotset_item_partial_only_completed_scene",
            ),
        ]
        indexes = [models.Index(fields=["session", "status"], name="hotset_item_session_status_idx")]

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        if self.kind == self.Kind.SCENE:
            base = f"Sc. {self.scene_number}" if self.scene_number else "Scene"
        else:
            base = self.get_block_type_display()
        return f"{base} — {self.title}" if self.title else base


class SceneMove(models.Model):
    """A scene taken off a day by "move to another day": the day's report lists it with its new day
    (the item itself now lives in the other day's schedule)."""

    session = models.ForeignKey(HotSetSession, on_delete=models.CASCADE, related_name="scene_moves")
    to_day = models.ForeignKey(ProductionDay, on_delete=models.CASCADE, related_name="scenes_moved_in")
    to_item = models.ForeignKey(
        ScheduleItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="moved_from"
    )
    scene_number = models.CharField(max_length=20, blank=True)
    label = models.CharField(max_length=260)
    pages_eighths = models.PositiveIntegerField(default=0)
    setups = models.PositiveIntegerField(default=0)
    planned_duration_minutes = models.PositiveIntegerField(default=0)
    moved_at = models.DateTimeField()
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["session", "moved_at", "pk"]

    def __str__(self):
        return f"{self.label} → {self.to_day}"


class Notification(models.Model):
    """History of the notifications the hot set sent (pre-call reminders, auto-start, ...)."""

    class Kind(models.TextChoices):
        PRE_CALL = "pre_call", "Pre-call reminder"
        AUTO_STARTED = "auto_started", "Session auto-started"
        CREW_CALL_CONFIRMED = "crew_call_confirmed", "Crew call confirmed"
        FIRST_SHOT_CONFIRMED = "first_shot_confirmed", "First shot confirmed"
        WARNING = "warning", "Warning"
        WRAPPED = "wrapped", "Wrapped"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="hotset_notifications")
    session = models.ForeignKey(
        HotSetSession, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=24, choices=Kind.choices)
    recipients = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="hotset_notifications")
    recipient_roles = models.JSONField(default=list, blank=True)
    sent_at = models.DateTimeField()
    payload = models.JSONField(default=dict, blank=True)
    # Makes "notify once" a database rule: e.g. "session:12:auto_started".
    dedupe_key = models.CharField(max_length=100, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-sent_at"]
        indexes = [models.Index(fields=["session", "kind"], name="hotset_notif_session_kind_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} @ {self.sent_at:%Y-%m-%d %H:%M}"


class Suggestion(models.Model):
    """A catch-up suggestion or warning for a session (generated by hotset/suggestions.py)."""

    class Type(models.TextChoices):
        BREAK_SHORTENING = "break_shortening", "Break shortening"
        WALKING_LUNCH = "walking_lunch", "Walking lunch"
        SKIP_ACTIVITY = "skip_activity", "Skip activity"
        SCENE_CONSOLIDATION = "scene_consolidation", "Scene consolidation"
        SCHEDULE_REORDERING = "schedule_reordering", "Schedule reordering"
        SCENE_CUT = "scene_cut", "Scene cut"
        SCENE_MOVE = "scene_move", "Scene move to another day"
        EXTEND_DAY = "extend_day", "Extend day"
        MEAL_PENALTY_WARNING = "meal_penalty_warning", "Meal penalty warning"
        WRAP_EXTENSION_WARNING = "wrap_extension_warning", "Wrap extension warning"
        TURNAROUND_WARNING = "turnaround_warning", "Turnaround warning"

    class Impact(models.TextChoices):
        LOW = "low", "Low"
        MEDIUM = "medium", "Medium"
        HIGH = "high", "High"

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        APPLIED = "applied", "Applied"
        DISMISSED = "dismissed", "Dismissed"

    session = models.ForeignKey(HotSetSession, on_delete=models.CASCADE, related_name="suggestions")
    type = models.CharField(max_length=24, choices=Type.choices)
    target = models.CharField(
        max_length=40, blank=True, default="", help_text='What it is about: "item:12", "day", "meal:overdue".'
    )
    impact = models.CharField(max_length=6, choices=Impact.choices, default=Impact.MEDIUM)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    minutes_recoverable = models.IntegerField(default=0)
    compliance_flag = models.BooleanField(default=False, help_text="Touches a labour rule; needs consent.")
    compliance_warning = models.TextField(blank=True)
    payload = models.JSONField(default=dict, blank=True, help_text="What applying it changes.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["session", "status"], name="hotset_sugg_session_status_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "type", "target"],
                condition=Q(status="proposed"),
                name="hotset_sugg_one_proposed_per_target",
            )
        ]

    def __str__(self):
        return f"{self.get_type_display()}: {self.title}"


class ProjectionThrottle(models.Model):
    """Coalesces ``hotset.projection.updated``: at most one per session per window, the last one wins.

    ``last_sent_at`` is when the last update was published; ``pending_due_at`` is set while a
    delayed send is scheduled (it recomputes the projection when it runs).
    """

    session = models.OneToOneField(
        HotSetSession, on_delete=models.CASCADE, primary_key=True, related_name="projection_throttle"
    )
    last_sent_at = models.DateTimeField(null=True, blank=True)
    pending_due_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"projection throttle of session {self.session_id}"


class IdempotentRequest(models.Model):
    """An action sent with an ``Idempotency-Key`` (SPEC §1): the first answer, kept 24 h, is what a
    repeat of the same key by the same user gets back (hotset/idempotency.py)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=64, help_text="sha256 of method, path and body.")
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="hotset_idempotency_user_key")]
        indexes = [models.Index(fields=["created_at"], name="hotset_idempotency_created")]

    def __str__(self):
        return f"{self.key} ({self.user_id})"
