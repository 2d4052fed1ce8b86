import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from config.secrets import EncryptedJSONField
from publishing.generators import validate_template_text


class PlatformAccount(models.Model):
    """The account Setdesk posts to on one platform. ``credentials`` never leave the server."""

    class Platform(models.TextChoices):
        YOUTUBE = "youtube", "YouTube"
        INSTAGRAM = "instagram", "Instagram"
        TIKTOK = "tiktok", "TikTok"

    platform = models.CharField(max_length=20, choices=Platform.choices, unique=True)
    handle = models.CharField(max_length=100)
    credentials = EncryptedJSONField(
        default=dict, blank=True, help_text="Tokens for the uploader; never shown, stored encrypted."
    )
    authenticated = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["platform"]

    def __str__(self):
        return f"{self.get_platform_display()} @{self.handle}"


class Video(models.Model):
    """A clip to publish: where the file is, and the words that go with it."""

    source = models.CharField(max_length=1000, unique=True, help_text="Local file path or http(s) URL.")
    original_filename = models.CharField(max_length=255, blank=True)
    title = models.CharField(max_length=255, blank=True)
    caption = models.TextField(blank=True, help_text="The post text (YouTube: the description).")
    hashtags = models.JSONField(default=list, blank=True, help_text='e.g. ["#gaming", "#clutch"]')
    game_context = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.title or self.original_filename or self.source


# Module-level names, kept for the imports that use them.
Platform = PlatformAccount.Platform


class ScheduledPost(models.Model):
    """One video on one platform at one time.

    The dispatcher picks it up when ``next_attempt_at`` has passed (the scheduled
    time, later pushed back by retry backoff), holds it under a lease while
    uploading, and passes ``idempotency_key`` to the uploader so that a post
    reclaimed from a dead worker is never published twice.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        PROCESSING = "processing", "Processing"
        COMPLETED = "completed", "Completed"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"
        # Due, but its account is not authenticated: not published; back to pending on re-authentication.
        HELD = "held", "Held"

    video = models.ForeignKey(Video, on_delete=models.PROTECT, related_name="posts")
    # No index of its own: accounts are a handful of rows, and every index here is one
    # more write for each status change of the dispatcher's hot path.
    account = models.ForeignKey(PlatformAccount, on_delete=models.PROTECT, related_name="posts", db_index=False)
    platform = models.CharField(max_length=20, choices=Platform.choices)
    scheduled_time = models.DateTimeField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    external_id = models.CharField(max_length=255, blank=True)
    external_url = models.CharField(max_length=1000, blank=True)
    posted_at = models.DateTimeField(null=True, blank=True)
    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    next_attempt_at = models.DateTimeField(help_text="When the dispatcher may next try (scheduled time or backoff).")
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    lease_token = models.UUIDField(null=True, blank=True, editable=False)
    claimed_by = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Flags the database derives from ``status``, for the indexes to test instead of status.
    # Writing an upload's result (processing → completed) then changes no indexed value, so
    # PostgreSQL rewrites the row in place (a HOT update: no index is touched) — half the
    # dispatcher's writes. Only the claim (pending → processing) moves the row in an index.
    is_queued = models.GeneratedField(
        expression=Q(status="pending"), output_field=models.BooleanField(), db_persist=True, editable=False
    )
    is_live = models.GeneratedField(
        expression=~Q(status="cancelled"), output_field=models.BooleanField(), db_persist=True, editable=False
    )

    class Meta:
        ordering = ["scheduled_time", "id"]
        constraints = [
            # One live post per video and platform; a cancelled one may be scheduled again.
            models.UniqueConstraint(
                fields=["video", "platform"],
                condition=Q(is_live=True),
                name="publishing_one_post_per_video_platform",
            ),
            models.CheckConstraint(
                condition=~Q(status="processing") | Q(lease_expires_at__isnull=False, lease_token__isnull=False),
                name="publishing_processing_has_lease",
            ),
        ]
        indexes = [
            models.Index(fields=["next_attempt_at", "id"], condition=Q(is_queued=True), name="publishing_post_due"),
            models.Index(fields=["platform", "scheduled_time"], name="publishing_post_platform_time"),
            # Lists and counts filter by status within a time window; status itself stays
            # unindexed (see is_queued). Expired leases are found through DispatchLease.
            models.Index(fields=["scheduled_time", "id"], name="publishing_post_time"),
        ]

    def __str__(self):
        return f"{self.video} → {self.platform} at {self.scheduled_time:%Y-%m-%d %H:%M} ({self.status})"


PostStatus = ScheduledPost.Status


class DispatchLease(models.Model):
    """One dispatcher's claim on a batch of posts, until their results are written.

    The reaper finds abandoned batches here (``expires_at`` passed: the worker died or
    hung) rather than through an index over the posts' lease columns, which every
    result write would have to update. One row per batch, not per post.
    """

    token = models.UUIDField(primary_key=True, editable=False)
    worker = models.CharField(max_length=200)
    expires_at = models.DateTimeField(db_index=True)
    post_ids = models.JSONField(default=list, help_text="The claimed posts (those still holding this token count).")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["expires_at"]

    def __str__(self):
        return f"{self.worker}: {len(self.post_ids)} post(s) until {self.expires_at:%Y-%m-%d %H:%M:%S}"


class AITemplate(models.Model):
    """A prompt for the metadata generator; ``{filename}`` and ``{game_context}`` are filled in.

    Exactly one may be active: a partial unique index enforces it in the database.
    """

    name = models.CharField(max_length=100, unique=True)
    prompt_text = models.TextField(validators=[validate_template_text])
    is_active = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "AI template"
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=Q(is_active=True), name="publishing_one_active_template"
            )
        ]

    def __str__(self):
        return f"{self.name}{' (active)' if self.is_active else ''}"
