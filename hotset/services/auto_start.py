"""Auto-start of due sessions and the notifications that go with it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction

from hotset import events
from hotset.models import (
    HotSetSession,
    HotSetSettings,
    Notification,
)
from hotset.services import projection as _projection
from hotset.services.helpers import CREW_ROLE, NOTIFIED_ROLES, Status, _begin_session, _fmt
from hotset.timeline import minutes
from realtime.groups import role_group, user_group


def _recipients(settings: HotSetSettings) -> tuple[list[str], list]:
    roles = list(NOTIFIED_ROLES)
    if settings.notify_crew_on_auto_start:
        roles.append(CREW_ROLE)
    users = list(
        get_user_model()
        .objects.filter(groups__name__in=roles, is_active=True)
        .distinct()
        .order_by("pk")
        .only("pk", "username")
    )
    return roles, users


def _notify(
    *, session: HotSetSession, settings: HotSetSettings, kind: str, now: datetime, message: str
) -> Notification | None:
    """Records and sends one notification of ``kind`` for the session, once ever (dedupe key)."""
    dedupe_key = f"session:{session.pk}:{kind}"
    if Notification.objects.filter(dedupe_key=dedupe_key).exists():
        return None
    roles, users = _recipients(settings)
    day = session.production_day
    payload = {
        "session_id": session.pk,
        "project_id": day.project_id,
        "kind": kind,
        "message": message,
        "general_call_time": day.general_call_time.astimezone(day.project.tzinfo).isoformat(),
    }
    notification = Notification.objects.create(
        project_id=day.project_id,
        session=session,
        kind=kind,
        recipient_roles=roles,
        sent_at=now,
        payload=payload,
        dedupe_key=dedupe_key,
    )
    notification.recipients.set(users)
    groups: list[str] = [user_group(user.pk) for user in users]
    if CREW_ROLE in roles:
        groups.append(role_group(CREW_ROLE))
    events.publish(
        events.NOTIFICATION,
        {**payload, "notification_id": notification.pk, "sent_at": now.isoformat()},
        session_id=session.pk,
        extra_groups=groups,
    )
    return notification


def _due_sessions(now: datetime, *, lead_field: str, statuses: Iterable[str], switch: str) -> list[int]:
    """Sessions of projects with the setting ``switch`` on whose call − ``lead_field`` minutes has
    passed, still today."""
    horizon = now + timedelta(minutes=1440)
    rows = HotSetSession.objects.filter(
        status__in=list(statuses),
        **{f"production_day__project__hotset_settings__{switch}": True},
        production_day__general_call_time__lte=horizon,
        production_day__general_call_time__gte=now - timedelta(hours=24),
    ).values_list(
        "pk",
        "production_day__general_call_time",
        f"production_day__project__hotset_settings__{lead_field}",
        "production_day__project__hotset_settings__max_day_hours",
    )
    due = []
    for session_id, call, lead_minutes, max_day_hours in rows:
        # Not for a day long over: only from the lead time until the day's maximum length.
        if call - timedelta(minutes=lead_minutes) <= now < call + timedelta(hours=max_day_hours):
            due.append(session_id)
    return due


def _locked_if_free(session_id: int, statuses: Iterable[str]) -> HotSetSession | None:
    """The session locked, or None when another run holds it or it has moved on."""
    return (
        HotSetSession.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("production_day__project__hotset_settings")
        .filter(pk=session_id, status__in=list(statuses))
        .first()
    )


def auto_start_sessions(*, now: datetime) -> list[int]:
    """The periodic job: starts every not-started session of an auto-start project whose call
    minus the project's minutes has passed, marks it ``auto_started`` and records and sends the
    notifications; also sends the pre-call reminder ``notify_minutes_before_call`` ahead (whenever
    notifications are on, auto-start or not).

    Idempotent under overlapping runs: each session is handled in its own transaction under a
    skip-locked row lock, re-checked once locked, and notifications carry a unique dedupe key.
    Projects with auto-start off are left alone. Returns the ids of the sessions started.
    """
    started = []
    auto_start_due = _due_sessions(
        now, lead_field="auto_start_minutes_before_call", statuses=[Status.NOT_STARTED], switch="auto_start_enabled"
    )
    for session_id in auto_start_due:
        with transaction.atomic():
            session = _locked_if_free(session_id, [Status.NOT_STARTED])
            if session is None:
                continue
            settings = session.production_day.project.hotset_settings
            if not settings.auto_start_enabled:
                continue
            _begin_session(session, at=now, auto=True)
            events.publish(events.SESSION_STARTED, events.session_payload(session), session_id=session.pk)
            if settings.notifications_enabled:
                call = _fmt(session.production_day.general_call_time, session)
                _notify(
                    session=session,
                    settings=settings,
                    kind=Notification.Kind.AUTO_STARTED,
                    now=now,
                    message=f"Hot set is live for {session.production_day}. Crew call at {call}.",
                )
            _projection.request_projection_update(session_id=session.pk, now=now)
            started.append(session.pk)
    open_statuses = [Status.NOT_STARTED, Status.IN_PROGRESS]
    # The reminder follows the notifications switch alone: a day started by hand is reminded too.
    reminder_due = _due_sessions(
        now, lead_field="notify_minutes_before_call", statuses=open_statuses, switch="notifications_enabled"
    )
    for session_id in reminder_due:
        with transaction.atomic():
            session = _locked_if_free(session_id, open_statuses)
            if session is None:
                continue
            settings = session.production_day.project.hotset_settings
            call_time = session.production_day.general_call_time
            if not settings.notifications_enabled or now >= call_time:
                continue
            # A session the job only reached after its auto-start time: that notice said it all.
            if Notification.objects.filter(session=session, kind=Notification.Kind.AUTO_STARTED).exists():
                continue
            _notify(
                session=session,
                settings=settings,
                kind=Notification.Kind.PRE_CALL,
                now=now,
                message=f"Crew call at {_fmt(call_time, session)} ({minutes(call_time - now)} min).",
            )
    return started
