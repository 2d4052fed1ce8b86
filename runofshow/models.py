"""Run of show: a show's rundown (segments and their cues), who sees which columns, the
single row that says which segment is live, and the audit log of every change to it."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from runofshow.columns import DEFAULT_COLUMNS, column_errors

MAX_SEGMENT_MINUTES = 24 * 60
MAX_CUE_OFFSET_SECONDS = 24 * 60 * 60


@lru_cache(maxsize=1)
def _timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def validate_timezone(value: str) -> None:
    if value not in _timezones():
        raise ValidationError(f"{value!r} is not a known IANA time zone (e.g. Europe/London).")


def validate_visible_columns(value) -> None:
    errors = column_errors(value)
    if errors:
        raise ValidationError(errors)


def default_columns() -> list[str]:
    return list(DEFAULT_COLUMNS)


class ShowSession(models.Model):
    """One live show (an awards night, a concert): its rundown is its segments, in order."""

    name = models.CharField(max_length=200)
    date = models.DateField()
    venue = models.CharField(max_length=200, blank=True)
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-date", "name", "id"]
        permissions = [
            ("view_show_call", "Can see the run of show"),
            ("manage_show_call", "Can call the show (activate / complete segments)"),
        ]

    def __str__(self):
        return f"{self.name} ({self.date:%Y-%m-%d})"


class Segment(models.Model):
    """A rundown line. ``status`` and the actuals change only through the activate / complete
    services, which keep them in step with the session state row."""

    class Type(models.TextChoices):
        OPENING = "opening", "Opening"
        PRESENTATION = "presentation", "Award presentation"
        PERFORMANCE = "performance", "Performance"
        SPEECH = "speech", "Speech"
        VIDEO = "video", "Video package"
        BREAK = "break", "Break"
        TRANSITION = "transition", "Transition"
        SPONSOR = "sponsor", "Sponsor"
        CLOSING = "closing", "Closing"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETED = "completed", "Completed"
        SKIPPED = "skipped", "Skipped"

    session = models.ForeignKey(ShowSession, on_delete=models.CASCADE, related_name="segments")
    order = models.PositiveIntegerField(help_text="Position in the rundown (ascending).")
    name = models.CharField(max_length=200)
    start_time = models.DateTimeField(help_text="Planned start.")
    duration = models.PositiveIntegerField(help_text="Planned duration in whole minutes.")
    type = models.CharField(max_length=20, choices=Type.choices, default=Type.OTHER)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    actual_start = models.DateTimeField(null=True, blank=True)
    actual_end = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["session", "order", "id"]
        indexes = [models.Index(fields=["session", "order"], name="segment_session_order_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration__gte=1, duration__lte=MAX_SEGMENT_MINUTES), name="segment_duration_range"
            ),
            models.CheckConstraint(
                condition=Q(actual_end__isnull=True)
                | Q(actual_start__isnull=False, actual_end__gte=models.F("actual_start")),
                name="segment_actual_end_after_start",
            ),
            # At most one segment of a session is in progress (the state row names it).
            models.UniqueConstraint(
                fields=["session"], condition=Q(status="in_progress"), name="segment_one_in_progress_per_session"
            ),
        ]

    def __str__(self):
        return f"{self.order}. {self.name}"

    @property
    def end_time(self) -> datetime | None:
        """Planned end: start + duration."""
        if self.start_time is None or self.duration is None:
            return None
        return self.start_time + timedelta(minutes=self.duration)


class Cue(models.Model):
    """A technical cue inside a segment, fired ``offset_seconds`` after the segment starts
    (negative: a stand-by or pre-roll before it)."""

    class Kind(models.TextChoices):
        LIGHTING = "lighting", "Lighting"
        AUDIO = "audio", "Audio"
        VIDEO = "video", "Video"
        GRAPHICS = "graphics", "Graphics"
        OTHER = "other", "Other"

    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="cues")
    number = models.CharField(max_length=16, help_text='As the department calls it, e.g. "12" or "12.5".')
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    offset_seconds = models.IntegerField(default=0, help_text="Seconds after the segment's start (may be negative).")
    description = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["segment", "offset_seconds", "number", "id"]
        constraints = [
            models.UniqueConstraint(fields=["segment", "kind", "number"], name="cue_unique_number_per_kind"),
            models.CheckConstraint(
                condition=Q(offset_seconds__gte=-MAX_CUE_OFFSET_SECONDS, offset_seconds__lte=MAX_CUE_OFFSET_SECONDS),
                name="cue_offset_range",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.number}"


class ColumnPreference(models.Model):
    """Which rundown columns one user shows for one session."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    session = models.ForeignKey(ShowSession, on_delete=models.CASCADE, related_name="column_preferences")
    visible_columns = models.JSONField(default=default_columns, validators=[validate_visible_columns])
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "session"], name="columnpreference_unique_user_session")]

    def __str__(self):
        return f"{self.user} · {self.session}"


class SessionState(models.Model):
    """The single source of truth of a session's live segment. Services lock this row
    (``select_for_update``) for every activate / complete, so callers acting at once serialise."""

    session = models.OneToOneField(ShowSession, on_delete=models.CASCADE, related_name="state")
    active_segment = models.ForeignKey(Segment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(
        null=True, blank=True, help_text="Moment of the last activate / complete (empty until the first)."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["active_segment"], name="sessionstate_active_idx")]

    def __str__(self):
        return f"State of {self.session}"


class AuditEntry(models.Model):
    """One change of a session's live segment: who, when, from which segment to which.

    Segment names are copied so the log still reads after a segment is deleted."""

    class Action(models.TextChoices):
        ACTIVATE = "activate", "Activate"
        COMPLETE = "complete", "Complete"
        SKIP = "skip", "Skip"

    session = models.ForeignKey(ShowSession, on_delete=models.CASCADE, related_name="audit_entries")
    action = models.CharField(max_length=20, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_username = models.CharField(max_length=150, blank=True)
    at = models.DateTimeField(help_text="When it happened (the action's moment).")
    recorded_at = models.DateTimeField(auto_now_add=True)
    from_segment = models.ForeignKey(Segment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    from_segment_name = models.CharField(max_length=200, blank=True)
    to_segment = models.ForeignKey(Segment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    to_segment_name = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        verbose_name_plural = "audit entries"
        indexes = [models.Index(fields=["session", "-recorded_at"], name="auditentry_session_idx")]

    def __str__(self):
        return f"{self.action} {self.from_segment_name or '—'} → {self.to_segment_name or '—'}"


class ViewerLink(models.Model):
    """A secret link to a show's stage timer (``/stage/<token>/``) for talent and crew without
    accounts. Only the token's hash is stored: the link is shown once, when it is made."""

    session = models.ForeignKey(ShowSession, on_delete=models.CASCADE, related_name="viewer_links")
    label = models.CharField(max_length=100, blank=True, help_text="Who it is for, e.g. “Stage left monitor”.")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    token_hint = models.CharField(max_length=8, editable=False, help_text="The token's last characters.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.label or 'Viewer link'} …{self.token_hint} ({self.session})"

    def is_open(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at


class StageMessage(models.Model):
    """The show caller's message on the stage timer (one per show)."""

    MAX_LENGTH = 280

    session = models.OneToOneField(ShowSession, on_delete=models.CASCADE, related_name="stage_message")
    text = models.CharField(max_length=MAX_LENGTH, blank=True)
    visible = models.BooleanField(default=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Message of {self.session}"
