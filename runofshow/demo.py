"""Demo show for ``seed_demo``: an awards night, 12 segments with their cues (idempotent)."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, time, timedelta

from django.utils import timezone

from runofshow import services
from runofshow.models import Cue, Segment, ShowSession

SHOW_NAME = "Setdesk Film Awards — Gala Night"
VENUE = "The Orpheum Theatre, Los Angeles"
TIMEZONE = "America/Los_Angeles"
DOORS = time(19, 0)

L, A, V, G = Cue.Kind.LIGHTING, Cue.Kind.AUDIO, Cue.Kind.VIDEO, Cue.Kind.GRAPHICS
T = Segment.Type

# (name, type, minutes, notes, [(kind, number, offset seconds, description)])
RUNDOWN = [
    ("Walk-in & pre-show music", T.TRANSITION, 10, "House open; band plays the walk-in set.", [
        (L, "1", 0, "House to half, stage wash blue"),
        (A, "1", 0, "Walk-in playlist"),
        (G, "1", 0, "Sponsor loop on the LED wall"),
    ]),
    ("Cold open & host monologue", T.OPENING, 8, "Host enters stage left on the drum roll.", [
        (L, "2", -5, "House out"),
        (V, "1", 0, "Cold open VT"),
        (L, "3", 95, "Follow spot on host"),
        (A, "2", 95, "Host radio mic live"),
    ]),
    ("Best Supporting Actress", T.PRESENTATION, 6, "Presenters: last year's winners. Envelope from PwC rep.", [
        (G, "2", 0, "Category lower third"),
        (V, "2", 30, "Nominee clip package"),
        (A, "3", 240, "Winner walk-up music"),
    ]),
    ("House band medley", T.PERFORMANCE, 5, "Three numbers; stage crew resets the lectern behind the scrim.", [
        (L, "4", 0, "Concert look, haze on"),
        (A, "4", 0, "Band mix to PA"),
    ]),
    ("Best Cinematography", T.PRESENTATION, 5, "", [
        (G, "3", 0, "Category lower third"),
        (V, "3", 20, "Nominee clip package"),
        (A, "5", 200, "Winner walk-up music"),
    ]),
    ("In memoriam", T.VIDEO, 4, "Quiet in the house; no applause cue.", [
        (L, "5", -3, "Stage to black, candle specials"),
        (V, "4", 0, "In memoriam VT"),
        (A, "6", 0, "String quartet live under VT"),
    ]),
    ("Commercial break", T.BREAK, 3, "Broadcast break; floor manager counts back in.", [
        (G, "4", 0, "Countdown clock on confidence monitor"),
        (A, "7", 0, "Break music in the house"),
    ]),
    ("Lifetime Achievement tribute", T.SPEECH, 10, "Tribute VT, then honoree's speech (soft limit 6 min).", [
        (V, "5", 0, "Tribute VT"),
        (L, "6", 150, "Standing-ovation lift"),
        (A, "8", 150, "Honoree lectern mic"),
        (G, "5", 150, "Honoree name super"),
    ]),
    ("Best Original Score", T.PRESENTATION, 5, "Orchestra plays a bar of each nominee.", [
        (G, "6", 0, "Category lower third"),
        (A, "9", 10, "Orchestra mics up"),
    ]),
    ("Sponsor moment", T.SPONSOR, 2, "Scripted read by the host; logo on screen.", [
        (G, "7", 0, "Sponsor logo full screen"),
        (A, "10", 0, "Sponsor sting"),
    ]),
    ("Best Picture", T.PRESENTATION, 8, "Producers' walk-up can be long; allow for it.", [
        (L, "7", 0, "Full stage, gold look"),
        (V, "6", 20, "Best Picture nominee montage"),
        (G, "8", 20, "Category lower third"),
        (A, "11", 360, "Winner fanfare"),
    ]),
    ("Closing & play-off", T.CLOSING, 4, "Host thanks; band plays out; credits roll.", [
        (A, "12", 0, "Play-off music"),
        (G, "9", 30, "End credits"),
        (L, "8", 180, "House lights up"),
    ]),
]  # fmt: skip


def seed(*, users, stdout) -> None:
    """Idempotent: the show is found by name, its segments by order, their cues by kind and
    number; what is missing is created through the services."""
    caller = users.get("show_caller")
    tz = zoneinfo.ZoneInfo(TIMEZONE)
    session = ShowSession.objects.filter(name=SHOW_NAME).first()
    created = session is None
    if created:
        session = services.create_session(
            name=SHOW_NAME, date=timezone.now().astimezone(tz).date(), venue=VENUE, timezone=TIMEZONE, user=caller
        )
    start = datetime.combine(session.date, DOORS, tzinfo=tz)
    existing = {segment.order: segment for segment in session.segments.all()}
    for order, (name, segment_type, minutes, notes, cues) in enumerate(RUNDOWN, start=1):
        segment = existing.get(order) or services.create_segment(
            session=session,
            order=order,
            name=name,
            type=segment_type,
            start_time=start,
            duration=minutes,
            notes=notes,
            user=caller,
        )
        start += timedelta(minutes=minutes)
        have = set(segment.cues.values_list("kind", "number"))
        for kind, number, offset, description in cues:
            if (kind, number) not in have:
                services.create_cue(
                    segment=segment, kind=kind, number=number, offset_seconds=offset, description=description
                )
    if created:
        stdout.write(f"Run of show: {SHOW_NAME} ({len(RUNDOWN)} segments) at /dash/runofshow/{session.pk}/")
