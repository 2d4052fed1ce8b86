"""An employee's approved assignments as an iCalendar feed (SPEC §3): what staff subscribe to in
their phone's calendar at ``rotations/employees/{id}/calendar.ics?token=``.

Pure: rows in, bytes out. Each event keeps one UID (``rotations-event-<id>@setdesk``) so a
calendar app updates it when it moves instead of adding a copy; ``SEQUENCE`` and
``LAST-MODIFIED`` follow its changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from icalendar import Calendar
from icalendar import Event as CalendarEvent

PRODID = "-//Setdesk//Rotations//EN"


@dataclass(frozen=True, slots=True)
class Assignment:
    event_id: int
    project_ref_num: int
    name: str
    event_type: str
    location: str
    start: datetime  # aware
    minutes: int
    status: str  # scheduled | submitted
    modified: datetime  # aware


def feed(*, employee_name: str, assignments: Iterable[Assignment], now: datetime) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"Setdesk — {employee_name}")
    # Calendar apps poll at their own pace; this asks for about an hour.
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    for a in assignments:
        item = CalendarEvent()
        item.add("uid", f"rotations-event-{a.event_id}@setdesk")
        item.add("dtstamp", now)
        item.add("dtstart", a.start)
        item.add("dtend", a.start + timedelta(minutes=a.minutes))
        item.add("summary", f"{a.name or a.event_type.title()} (C-{a.project_ref_num})")
        item.add("description", f"{a.event_type} event C-{a.project_ref_num}, {a.minutes} min; {a.status}.")
        if a.location:
            item.add("location", a.location)
        item.add("status", "CONFIRMED")
        item.add("last-modified", a.modified)
        # Seconds since 2020: grows with every change, as SEQUENCE must.
        item.add("sequence", max(0, int(a.modified.timestamp()) - 1_577_836_800))
        calendar.add_component(item)
    return calendar.to_ical()
