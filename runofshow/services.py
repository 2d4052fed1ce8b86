"""Every write of the run of show. Permission-free (views and admin check perms); each
function is one use case, atomic, and publishes its events to be sent after commit.

The live state of a show has one source of truth, its :class:`SessionState` row. Every
activate / complete locks that row first (``select_for_update``), so two show callers
acting at once are serialised: the second sees the first's result, and both land in
the audit log.
"""

from __future__ import annotations

import secrets
from contextlib import contextmanager
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max, Q

from config.errors import Conflict, InvalidInput
from config.services import model_update
from realtime import groups
from realtime.signals import CLOSE_FORBIDDEN, revoke
from runofshow import events, selectors
from runofshow.columns import column_errors
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

SESSION_FIELDS = ("name", "date", "venue", "timezone")
SEGMENT_FIELDS = ("order", "name", "start_time", "duration", "type", "notes")
CUE_FIELDS = ("number", "kind", "offset_seconds", "description")


@contextmanager
def _unique_race():
    """A unique constraint another request won in the meantime is a 409, never a 500."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as exc:
        raise Conflict("A concurrent change took this value; reload and try again.") from exc


def _create(instance):
    instance.full_clean()
    with _unique_race():
        instance.save()
    return instance


def _update(instance, changes: dict, fields: tuple[str, ...]) -> list[str]:
    """Validates and saves only the changed fields (never overwriting a status another request set)."""
    with _unique_race():
        _instance, changed = model_update(instance=instance, fields=fields, data=changes, validate=True)
    return changed


def _rundown_changed(session_id: int) -> None:
    events.publish(events.RUNDOWN_CHANGED, events.rundown_changed_payload(session_id), session_id=session_id)


# --- Sessions -------------------------------------------------------------------


@transaction.atomic
def create_session(*, name: str, date: date, venue: str = "", timezone: str = "UTC", user=None) -> ShowSession:
    """A show with its (idle) state row."""
    session = _create(ShowSession(name=name, date=date, venue=venue, timezone=timezone, created_by=user))
    ensure_state(session=session)
    return session


@transaction.atomic
def update_session(*, session: ShowSession, **changes) -> ShowSession:
    if _update(session, changes, SESSION_FIELDS):
        _rundown_changed(session.pk)
    return session


@transaction.atomic
def delete_session(*, session: ShowSession) -> None:
    session.delete()


def ensure_state(*, session: ShowSession) -> SessionState:
    state, _ = SessionState.objects.get_or_create(session=session)
    return state


# --- Segments and cues ------------------------------------------------------------


@transaction.atomic
def create_segment(
    *,
    session: ShowSession,
    name: str,
    duration: int,
    start_time: datetime | None = None,
    order: int | None = None,
    type: str = Segment.Type.OTHER,  # noqa: A002 - the SPEC's field name
    notes: str = "",
    user=None,
) -> Segment:
    """Adds a segment. Without ``order`` it goes last; without ``start_time`` it starts when
    the last segment of the rundown is planned to end (the first segment needs one)."""
    last = session.segments.order_by("-order", "-id").first()
    if order is None:
        order = session.segments.aggregate(top=Max("order"))["top"] or 0
        order += 1
    if start_time is None:
        if last is None:
            raise InvalidInput(errors={"start_time": ["Required for the first segment of a show."]})
        start_time = last.end_time
    segment = Segment(
        session=session,
        order=order,
        name=name,
        start_time=start_time,
        duration=duration,
        type=type,
        notes=notes,
        created_by=user,
    )
    _create(segment)
    _rundown_changed(session.pk)
    return segment


@transaction.atomic
def update_segment(*, segment: Segment, **changes) -> Segment:
    """Edits the planned side of a segment; its status and actuals change only by activate / complete."""
    if _update(segment, changes, SEGMENT_FIELDS):
        _rundown_changed(segment.session_id)
    return segment


@transaction.atomic
def delete_segment(*, segment: Segment) -> None:
    """Deletes a segment; the live one cannot be deleted (409) — complete it first."""
    state = _lock_state(segment.session_id)
    if state.active_segment_id == segment.pk:
        raise Conflict("The segment is live; complete it before deleting it.")
    session_id = segment.session_id
    segment.delete()
    _rundown_changed(session_id)


@transaction.atomic
def create_cue(
    *,
    segment: Segment,
    number: str,
    kind: str = Cue.Kind.OTHER,
    offset_seconds: int = 0,
    description: str = "",
) -> Cue:
    cue = _create(
        Cue(segment=segment, number=number, kind=kind, offset_seconds=offset_seconds, description=description)
    )
    _rundown_changed(segment.session_id)
    return cue


@transaction.atomic
def update_cue(*, cue: Cue, **changes) -> Cue:
    if _update(cue, changes, CUE_FIELDS):
        _rundown_changed(cue.segment.session_id)
    return cue


@transaction.atomic
def delete_cue(*, cue: Cue) -> None:
    session_id = cue.segment.session_id
    cue.delete()
    _rundown_changed(session_id)


@transaction.atomic
def announce_rundown_change(*, session_id: int) -> None:
    """Tells the session's viewers to refetch the rundown (e.g. after a bulk change made
    outside these services; the fan-out benchmark's worker task sends it)."""
    _rundown_changed(session_id)


# --- The show call --------------------------------------------------------------


def _lock_state(session_id: int) -> SessionState:
    """The session's state row, locked until the transaction ends (created if missing)."""
    state, _ = SessionState.objects.select_for_update().get_or_create(session_id=session_id)
    return state


def _lock_segments(target_id: int, other_id: int | None = None) -> dict[int, Segment]:
    """The segments an action changes, locked in one query; a target deleted meanwhile is a 409."""
    ids = [target_id] if other_id is None else [target_id, other_id]
    locked = {row.pk: row for row in Segment.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
    if target_id not in locked:
        raise Conflict("The segment was deleted meanwhile.")
    return locked


def _moment(state: SessionState, *, now: datetime, at: datetime | None) -> datetime:
    """``at`` (the moment the caller says it happened) or ``now``; never before the state's
    last change, so the actuals of a show never run backwards."""
    moment = at or now
    if state.updated_at is not None and moment < state.updated_at:
        if at is None:  # another caller committed while this one waited for the lock, or the
            return state.updated_at  # server's clock stepped back: keep the record monotonic
        raise InvalidInput(
            errors={"at": [f"Must not be before the show's last change ({state.updated_at.isoformat()})."]}
        )
    return moment


def _audit(*, state, action: str, user, at: datetime, from_segment, to_segment) -> AuditEntry:
    return AuditEntry.objects.create(
        session_id=state.session_id,
        action=action,
        actor=user,
        actor_username=getattr(user, "username", "") or "",
        at=at,
        from_segment=from_segment,
        from_segment_name=from_segment.name if from_segment else "",
        to_segment=to_segment,
        to_segment_name=to_segment.name if to_segment else "",
    )


# ``expected_active`` not given: the caller does not say what it believes is live.
UNSTATED = object()


def _check_expected(state: SessionState, expected_active) -> None:
    """409 naming the live segment when the caller believed another one (or none) was live:
    a second caller's click never completes the first caller's segment at 0 s."""
    if expected_active is UNSTATED or expected_active == state.active_segment_id:
        return
    live = state.active_segment
    if live is None:
        detail = "No segment is live now (someone else moved the show); reload."
    else:
        detail = f"Segment {live.pk} \u201c{live.name}\u201d is live now (someone else moved the show); reload."
    raise Conflict(detail, errors={"expected_active": [detail]})


def _skip_pending_before(target: Segment, *, state, user, moment: datetime) -> list[Segment]:
    """The pending segments ahead of ``target`` in the rundown are jumped over: skipped."""
    jumped = list(
        Segment.objects.select_for_update()
        .filter(session_id=target.session_id, status=Segment.Status.PENDING)
        .filter(Q(order__lt=target.order) | Q(order=target.order, pk__lt=target.pk))
        .order_by("order", "pk")
    )
    for segment in jumped:
        segment.status = Segment.Status.SKIPPED
        segment.save(update_fields=["status", "updated_at"])
        _audit(state=state, action=AuditEntry.Action.SKIP, user=user, at=moment, from_segment=segment, to_segment=None)
    return jumped


def _finish(segment: Segment, moment: datetime) -> None:
    segment.status = Segment.Status.COMPLETED
    segment.actual_end = moment
    segment.save(update_fields=["status", "actual_end", "updated_at"])


@transaction.atomic
def activate_segment(
    *, segment: Segment, user, now: datetime, at: datetime | None = None, expected_active=UNSTATED
) -> SessionState:
    """Makes ``segment`` the live one at ``at`` (a logged past moment) or ``now``. A segment
    already live is completed at the same moment (its actual end = this segment's actual
    start); the pending segments before it in the rundown are skipped. Activating a
    completed or skipped segment runs it. Activating the live segment → 409; so is an
    ``expected_active`` (the segment id the caller believes is live, or None) that is not."""
    state = _lock_state(segment.session_id)
    _check_expected(state, expected_active)
    if state.active_segment_id == segment.pk:
        raise Conflict("The segment is already live.")
    locked = _lock_segments(segment.pk, state.active_segment_id)
    target = locked[segment.pk]
    moment = _moment(state, now=now, at=at)
    previous = locked.get(state.active_segment_id)
    if previous is not None:
        _finish(previous, moment)
    jumped = _skip_pending_before(target, state=state, user=user, moment=moment)
    target.status = Segment.Status.IN_PROGRESS
    target.actual_start = moment
    target.actual_end = None
    target.save(update_fields=["status", "actual_start", "actual_end", "updated_at"])
    state.active_segment = target
    state.updated_by = user
    state.updated_at = moment
    state.save(update_fields=["active_segment", "updated_by", "updated_at"])
    _audit(
        state=state, action=AuditEntry.Action.ACTIVATE, user=user, at=moment, from_segment=previous, to_segment=target
    )
    if previous is not None:
        events.publish(
            events.SEGMENT_COMPLETED, events.segment_completed_payload(previous), session_id=state.session_id
        )
    if jumped:
        events.publish(events.SEGMENTS_SKIPPED, events.segments_skipped_payload(jumped), session_id=state.session_id)
    events.publish(
        events.SEGMENT_ACTIVATED,
        events.segment_activated_payload(target, updated_by=getattr(user, "pk", None)),
        session_id=state.session_id,
    )
    return state


@transaction.atomic
def complete_segment(
    *, segment: Segment, user, now: datetime, at: datetime | None = None, expected_active=UNSTATED
) -> SessionState:
    """Completes the live segment (actual end = the moment); the show then has no live
    segment until the next activate. Completing a segment that is not live → 409, as is an
    ``expected_active`` that is not the live one."""
    state = _lock_state(segment.session_id)
    _check_expected(state, expected_active)
    if state.active_segment_id != segment.pk:
        raise Conflict("Only the live segment can be completed; this one is not live.")
    target = _lock_segments(segment.pk)[segment.pk]
    moment = _moment(state, now=now, at=at)
    _finish(target, moment)
    state.active_segment = None
    state.updated_by = user
    state.updated_at = moment
    state.save(update_fields=["active_segment", "updated_by", "updated_at"])
    _audit(state=state, action=AuditEntry.Action.COMPLETE, user=user, at=moment, from_segment=target, to_segment=None)
    events.publish(events.SEGMENT_COMPLETED, events.segment_completed_payload(target), session_id=state.session_id)
    return state


@transaction.atomic
def skip_segment(*, segment: Segment, user, now: datetime, at: datetime | None = None) -> Segment:
    """Marks a pending segment skipped: it leaves the projection (expected end, offset) and
    can still be activated later. Any other status → 409."""
    state = _lock_state(segment.session_id)
    target = _lock_segments(segment.pk)[segment.pk]
    if target.status != Segment.Status.PENDING:
        raise Conflict(f"Only a pending segment can be skipped; this one is {target.get_status_display().lower()}.")
    moment = _moment(state, now=now, at=at)
    target.status = Segment.Status.SKIPPED
    target.save(update_fields=["status", "updated_at"])
    _audit(state=state, action=AuditEntry.Action.SKIP, user=user, at=moment, from_segment=target, to_segment=None)
    events.publish(events.SEGMENTS_SKIPPED, events.segments_skipped_payload([target]), session_id=state.session_id)
    return target


# --- Preferences ----------------------------------------------------------------


@transaction.atomic
def set_visible_columns(*, user, session: ShowSession, visible_columns) -> ColumnPreference:
    """Saves the user's columns for the session; an unknown or repeated name → 400, nothing saved."""
    errors = column_errors(visible_columns)
    if errors:
        raise InvalidInput("Invalid columns.", errors={"visible_columns": errors})
    preference, _ = ColumnPreference.objects.update_or_create(
        user=user, session=session, defaults={"visible_columns": list(visible_columns)}
    )
    return preference


@transaction.atomic
def reset_visible_columns(*, user, session: ShowSession) -> None:
    """Back to the default columns for the session."""
    ColumnPreference.objects.filter(user=user, session=session).delete()


# --- The stage timer: viewer links and the message ---------------------------------------------

# Viewer tokens start with this, so the socket tells them from a user's access token.
VIEWER_TOKEN_PREFIX = "stage_"  # noqa: S105 - a prefix, not a secret
LINK_REVOKED = "link revoked"


def viewer_link_group(link_id: int) -> str:
    """The group only a link's own sockets join: a revocation closes them through it."""
    return groups.object_group(groups.RUNOFSHOW_VIEWER_LINK, link_id)


@transaction.atomic
def create_viewer_link(
    *, session: ShowSession, user, now: datetime, label: str = "", hours: int | None = None
) -> tuple[ViewerLink, str]:
    """A new link to the show's stage timer and its token (shown once: only its hash is kept)."""
    hours = settings.RUNOFSHOW_VIEWER_LINK_HOURS if hours is None else hours
    if not 1 <= hours <= settings.RUNOFSHOW_VIEWER_LINK_MAX_HOURS:
        raise InvalidInput(errors={"hours": [f"Between 1 and {settings.RUNOFSHOW_VIEWER_LINK_MAX_HOURS}."]})
    token = VIEWER_TOKEN_PREFIX + secrets.token_urlsafe(32)
    link = _create(
        ViewerLink(
            session=session,
            label=label,
            token_hash=selectors.token_hash(token),
            token_hint=token[-4:],
            created_by=user,
            expires_at=now + timedelta(hours=hours),
        )
    )
    return link, token


@transaction.atomic
def revoke_viewer_link(*, link: ViewerLink, now: datetime) -> ViewerLink:
    """Closes the link: its page stops loading, and its open sockets are closed (4403) after commit."""
    if link.revoked_at is None:
        link.revoked_at = now
        link.save(update_fields=["revoked_at"])
    revoke([viewer_link_group(link.pk)], code=CLOSE_FORBIDDEN, reason=LINK_REVOKED)
    return link


@transaction.atomic
def set_stage_message(*, session: ShowSession, text: str, visible: bool, user) -> StageMessage:
    """The show caller's message on every stage timer of the show, live."""
    if len(text) > StageMessage.MAX_LENGTH:
        raise InvalidInput(errors={"text": [f"At most {StageMessage.MAX_LENGTH} characters."]})
    message, _ = StageMessage.objects.update_or_create(
        session=session, defaults={"text": text, "visible": visible, "updated_by": user}
    )
    events.publish(events.MESSAGE_UPDATED, events.message_payload(message), session_id=session.pk)
    return message
