"""A hot set project's shoot days as an iCalendar feed (SPEC §9): what cast and crew subscribe to
in their phone's calendar at ``hotset/projects/{id}/calendar.ics?token=``.

Pure: rows in, bytes out. One event per production day, from the general call to the wrap, in
the project's time zone (with its VTIMEZONE). The end is the best wrap known, in this order:

1. the actual wrap, once the day's session is wrapped;
2. the extended wrap, if the day was extended ("extend day");
3. the planned wrap;
4. without one, the end of the day's planned schedule (call + the items' planned timeline);
5. without a schedule either, call + the project's ``max_day_hours`` (the longest day the
   labour rules allow: a calendar shows the day blocked out rather than a zero-length event).

Each day keeps one UID (``hotset-day-<id>@setdesk``) whatever changes, so a calendar app updates
the event (new call time, new location, wrapped) instead of adding a copy. A production day has
no modification time, so there is no SEQUENCE / LAST-MODIFIED: DTSTAMP is when the feed was
made, and subscribing apps (METHOD:PUBLISH) replace their copy of each UID on every refresh.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from icalendar import Calendar
from icalendar import Event as CalendarEvent

from hotset import timeline

PRODID = "-//Setdesk//Hot set//EN"
TZ_MARGIN = timedelta(days=366)

# Session statuses (hotset.models.HotSetSession.Status) and "" for a day without a session yet.
NOT_STARTED, IN_PROGRESS, WRAPPED = "not_started", "in_progress", "wrapped"
STATUS_TEXT = {"": "scheduled", NOT_STARTED: "not started", IN_PROGRESS: "shooting", WRAPPED: "wrapped"}

# What the event's end is (see the module docstring), as the description says it.
ACTUAL_WRAP, EXTENDED_WRAP, PLANNED_WRAP, SCHEDULE_END, MAX_DAY = (
    "actual wrap", "extended wrap", "planned wrap", "schedule end", "max day",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class ShootDay:
    day_id: int
    day_number: int
    date: date
    call: datetime  # aware: the general call time
    location: str
    status: str  # the session's status, "" without a session
    planned_wrap: datetime | None = None
    extended_wrap: datetime | None = None
    actual_wrap: datetime | None = None  # the session's wrapped_at
    schedule: Sequence[timeline.Item] = ()  # the day's items in order (for its planned end)


def uid(day_id: int) -> str:
    return f"hotset-day-{day_id}@setdesk"


def day_end(day: ShootDay, *, max_day_hours: int) -> tuple[datetime, str]:
    """The event's end and what it is (one of ACTUAL_WRAP … MAX_DAY)."""
    if day.status == WRAPPED and day.actual_wrap is not None:
        return day.actual_wrap, ACTUAL_WRAP
    if day.extended_wrap is not None:
        return day.extended_wrap, EXTENDED_WRAP
    if day.planned_wrap is not None:
        return day.planned_wrap, PLANNED_WRAP
    if day.schedule:
        planned_end = timeline.planned_timeline(day.schedule, day.call)[-1].end  # as the projection's
        if planned_end > day.call:
            return planned_end, SCHEDULE_END
    # The settings allow 1–24 h; a row written around them must not overflow the date.
    return day.call + timedelta(hours=min(max(max_day_hours, 1), 24)), MAX_DAY


def _description(day: ShootDay, project_name: str, end: datetime, basis: str, zone: tzinfo) -> str:
    call = day.call.astimezone(zone)
    times = [f"Call {call:%H:%M}"]
    if day.planned_wrap is not None:
        times.append(f"planned wrap {_local(day.planned_wrap, call, zone)}")
    if day.extended_wrap is not None:
        times.append(f"extended to {_local(day.extended_wrap, call, zone)}")
    if day.status == WRAPPED and day.actual_wrap is not None:
        times.append(f"wrapped {_local(day.actual_wrap, call, zone)}")
    ends = {
        ACTUAL_WRAP: "the actual wrap",
        EXTENDED_WRAP: "the extended wrap",
        PLANNED_WRAP: "the planned wrap",
        SCHEDULE_END: "the end of the planned schedule (no planned wrap set)",
        MAX_DAY: "call + the longest day allowed (no planned wrap or schedule set)",
    }[basis]
    return "\n".join([
        f"{project_name}: shoot day {day.day_number}, {call:%a %d %b %Y}.",
        f"Status: {STATUS_TEXT.get(day.status, day.status)}.",
        " · ".join(times) + ".",
        f"The event ends at {ends}: {_local(end, call, zone)}.",
    ])  # fmt: skip


def _local(moment: datetime, call: datetime, zone: tzinfo) -> str:
    """HH:MM in the project's zone, with the date when it is not the call's day (a night shoot)."""
    local = moment.astimezone(zone)
    return f"{local:%H:%M}" if local.date() == call.date() else f"{local:%H:%M} on {local:%a %d %b}"


def feed(*, project_name: str, zone: tzinfo, days: Iterable[ShootDay], max_day_hours: int, now: datetime) -> bytes:
    """The VCALENDAR of the project's shoot days (``days`` in date order)."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"Setdesk — {project_name} shoot days")
    calendar.add("x-wr-timezone", str(zone))
    # Calendar apps poll at their own pace; this asks for about an hour.
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    span: list[date] = []
    for day in days:
        start = day.call.astimezone(zone)
        end, basis = day_end(day, max_day_hours=max_day_hours)
        event = CalendarEvent()
        event.add("uid", uid(day.day_id))
        event.add("dtstamp", now)
        event.add("dtstart", start)
        if end > day.call:  # an end at or before the call (bad data) leaves the event a moment long
            event.add("dtend", end.astimezone(zone))
        event.add("summary", f"{project_name} — Day {day.day_number}")
        event.add("description", _description(day, project_name, end, basis, zone))
        if day.location:
            event.add("location", day.location)
        event.add("status", "CONFIRMED")
        event.add("transp", "OPAQUE")
        calendar.add_component(event)
        span += [start.date(), end.astimezone(zone).date()]
    if span:
        # The zone's rules over the shoot (with a margin), not icalendar's default 1970–2038.
        calendar.add_missing_timezones(first_date=min(span) - TZ_MARGIN, last_date=max(span) + TZ_MARGIN)
    return calendar.to_ical()
