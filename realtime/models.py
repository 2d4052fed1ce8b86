from django.conf import settings
from django.db import models

from config.roles import ROLES


class GroupCursor(models.Model):
    """A group's position in its event stream: ``seq`` rises by one per event.

    ``epoch`` changes when the stream restarts (cursor recreated), telling
    clients that their ``since`` means nothing any more.
    """

    group_name = models.CharField(max_length=100, unique=True)
    epoch = models.CharField(max_length=32)
    seq = models.BigIntegerField(default=0)

    class Meta:
        db_table = "realtime_groupcursor"  # named in realtime/broadcast.py's upsert

    def __str__(self):
        return f"{self.group_name} @ {self.epoch}:{self.seq}"


class EventLog(models.Model):
    """Every event sent to a group, written in the same transaction as the change.

    The source of truth behind ``seq`` and resume; the channel layer only carries.
    """

    group_name = models.CharField(max_length=100)
    epoch = models.CharField(max_length=32)
    seq = models.BigIntegerField()
    event_type = models.CharField(max_length=100)
    ts = models.DateTimeField()
    payload = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group_name", "epoch", "seq"], name="eventlog_unique_position"),
        ]
        indexes = [models.Index(fields=["ts"], name="eventlog_ts_idx")]

    def __str__(self):
        return f"{self.group_name}#{self.seq} {self.event_type}"

    def envelope(self) -> dict:
        return {
            "type": self.event_type,
            "group": self.group_name,
            "epoch": self.epoch,
            "seq": self.seq,
            "ts": self.ts.isoformat(),
            "payload": self.payload,
        }


class BroadcastRule(models.Model):
    """Which role groups receive which event types (editable in the admin).

    An event goes to every enabled rule's role whose ``event_type_prefix`` its type
    starts with (``"hotset."`` matches all hot set events), plus the groups the
    publishing service names (session, user).
    """

    ROLE_CHOICES = [(role, role) for role in ROLES]

    event_type_prefix = models.CharField(max_length=100, help_text='e.g. "hotset." or "runofshow.segment.activated"')
    role = models.CharField(max_length=40, choices=ROLE_CHOICES)
    enabled = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event_type_prefix", "role"], name="broadcastrule_unique")]
        ordering = ["event_type_prefix", "role"]

    def __str__(self):
        return f"{self.event_type_prefix}* → {self.role}"
