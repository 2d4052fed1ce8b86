"""Suggestions over the API: regenerate on read (idempotent), apply changes the schedule, dismiss
hides, 409 unless proposed, 403 for readers, 400 for bad input; ``hotset.suggestion.*`` events."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from hotset import services
from hotset.models import HotSetSession, ProductionDay, ScheduleItem, Suggestion
from realtime.models import EventLog
from tests.hotset.factories import local, refresh

pytestmark = pytest.mark.django_db

BASE = "/api/v1/hotset"
WARNINGS = ("meal_penalty_warning", "wrap_extension_warning", "turnaround_warning")


@pytest.fixture
def ad(api_as):
    return api_as("first_ad")


@pytest.fixture
def behind(session, add_item, at_local):
    """Crew call 07:00, first shot 09:30; 1A (Kitchen, 42 min) still shooting at 10:30 → 18 min
    behind. Then 2B (Street) 30, meal 60, activity 20, 3C (Kitchen) 60, 4D (Street) 45: planned
    wrap 13:47, projected 14:05 — an 18-minute overrun."""
    services.update_production_day(day=session.production_day, planned_wrap=local("13:47"), now=timezone.now())
    items = {
        "crew_call": add_item(150, "block", block_type="crew_call"),
        "1A": add_item(42, scene_number="1A", set_name="Kitchen"),
        "2B": add_item(30, scene_number="2B", set_name="Street", pages_eighths=6, setups=2),
        "meal": add_item(60, "block", block_type="meal"),
        "activity": add_item(20, "block", block_type="activity", title="Press photos"),
        "3C": add_item(60, scene_number="3C", set_name="Kitchen"),
        "4D": add_item(45, scene_number="4D", set_name="Street"),
    }
    at_local("09:30")
    services.confirm_crew_call(session=session, user=None, at=local("07:00"), now=timezone.now())
    services.confirm_first_shot(session=session, user=None, at=local("09:30"), now=timezone.now())
    at_local("10:30")
    tick()  # now 18 min behind
    return items


def tick():
    """The minute job: suggestions follow the clock (and new days) without a schedule change."""
    services.regenerate_open_suggestions(now=timezone.now())


def suggestions(client, session, **params):
    r = client.get(f"{BASE}/sessions/{session.pk}/suggestions/", params)
    assert r.status_code == 200, r.json()
    return r.json()["results"]


def find(rows, type_, target=None):
    matches = [r for r in rows if r["type"] == type_ and (target is None or r["target"] == target)]
    assert matches, f"no {type_} in {[(r['type'], r['target']) for r in rows]}"
    return matches[0]


def apply(client, suggestion, body=None):
    return client.post(f"{BASE}/suggestions/{suggestion['id']}/apply/", body or {}, format="json")


def test_reading_regenerates_once_and_lists_by_impact(ad, session, behind):
    rows = suggestions(ad, session)
    types = {r["type"] for r in rows}
    assert {"break_shortening", "walking_lunch", "skip_activity", "scene_consolidation"} <= types
    assert {"schedule_reordering", "scene_cut", "scene_move"} <= types
    assert rows[0]["impact"] == "high"
    ranks = [{"high": 0, "medium": 1, "low": 2}[r["impact"]] for r in rows]
    assert ranks == sorted(ranks)
    lunch = find(rows, "walking_lunch")
    assert lunch["compliance_flag"] and "consent" in lunch["compliance_warning"]
    assert lunch["minutes_recoverable"] == 18  # it saves 60, but only 18 are needed
    # Again: the same rows, no duplicates.
    again = suggestions(ad, session)
    assert sorted(r["id"] for r in again) == sorted(r["id"] for r in rows)
    assert Suggestion.objects.filter(session=session).count() == len(rows)
    logged = EventLog.objects.filter(event_type="hotset.suggestion.proposed").count()
    assert logged == len(rows)


def test_back_on_schedule_withdraws_the_proposals(ad, session, behind, at_local):
    assert suggestions(ad, session)
    services.complete_item(item=behind["1A"], at=local("10:30"), now=timezone.now())
    services.skip_item(item=behind["2B"], at=local("10:30"), now=timezone.now())  # 30 min recovered
    services.start_item(
        item=behind["meal"], at=local("10:30"), now=timezone.now()
    )  # meal planned at 10:42: ahead again
    assert suggestions(ad, session) == []
    assert EventLog.objects.filter(event_type="hotset.suggestion.withdrawn").exists()


def test_apply_break_shortening_shortens_the_meal(ad, session, behind):
    row = find(suggestions(ad, session), "break_shortening")
    r = apply(ad, row)
    assert r.status_code == 200, r.json()
    assert r.json()["status"] == "applied"
    assert refresh(behind["meal"]).planned_duration_minutes == 42
    assert apply(ad, row).status_code == 409  # not proposed any more
    assert EventLog.objects.filter(event_type="hotset.suggestion.applied").count() == 1
    # The 18 minutes are recovered: the day is back on time and no catch-up move is offered.
    assert not [r for r in suggestions(ad, session) if r["type"] not in WARNINGS]


def test_apply_walking_lunch_keeps_the_meal_at_zero_minutes(ad, session, behind):
    r = apply(ad, find(suggestions(ad, session), "walking_lunch"))
    assert r.status_code == 200, r.json()
    meal = refresh(behind["meal"])
    assert (meal.planned_duration_minutes, meal.title, meal.status) == (0, "Walking lunch", "pending")


def test_apply_skip_activity_skips_it_and_the_day_is_caught_up(ad, session, behind):
    rows = suggestions(ad, session)
    assert apply(ad, find(rows, "skip_activity")).status_code == 200
    assert refresh(behind["activity"]).status == "skipped"
    # 20 minutes saved of an 18-minute overrun: the cut (and every other move) is withdrawn.
    assert not [r for r in suggestions(ad, session) if r["type"] not in WARNINGS]


def test_apply_scene_cut_skips_the_scene(ad, session, behind):
    cut = find(suggestions(ad, session), "scene_cut")
    assert apply(ad, cut).status_code == 200
    assert ScheduleItem.objects.get(pk=int(cut["target"].split(":")[1])).status == "skipped"


def test_apply_reordering_groups_the_pending_scenes(ad, session, behind):
    assert apply(ad, find(suggestions(ad, session), "schedule_reordering")).status_code == 200
    order = list(ScheduleItem.objects.filter(session=session).order_by("position").values_list("pk", flat=True))
    b = behind
    # Scene slots keep their places among the blocks: 3C (Kitchen) follows 1A, then the Street scenes.
    assert order == [x.pk for x in (b["crew_call"], b["1A"], b["3C"], b["meal"], b["activity"], b["2B"], b["4D"])]


def test_apply_consolidation_moves_one_scene_next_to_its_set(ad, session, behind):
    row = find(suggestions(ad, session), "scene_consolidation", f"item:{behind['3C'].pk}")
    assert apply(ad, row).status_code == 200
    order = list(ScheduleItem.objects.filter(session=session).order_by("position").values_list("pk", flat=True))
    assert order.index(behind["3C"].pk) == order.index(behind["1A"].pk) + 1


def test_apply_scene_move_takes_the_scene_to_the_next_day(ad, project, session, behind):
    day2 = services.create_production_day(
        project=project, date=date(2025, 6, 11), day_number=2, general_call_time=local("07:00", date(2025, 6, 11))
    )
    tick()
    move = find(suggestions(ad, session), "scene_move")
    assert move["payload"]["production_day_id"] == day2.pk
    r = apply(ad, move)
    assert r.status_code == 200, r.json()
    assert not ScheduleItem.objects.filter(pk=behind["2B"].pk).exists()
    target = HotSetSession.objects.get(production_day=day2)
    moved = ScheduleItem.objects.get(session=target)
    assert (moved.scene_number, moved.set_name, moved.pages_eighths, moved.setups) == ("2B", "Street", 6, 2)
    assert "Moved from day 1" in moved.notes
    assert r.json()["payload"]["result"]["item_id"] == moved.pk


def test_scene_move_without_a_later_day_needs_one(ad, project, session, behind):
    move = find(suggestions(ad, session), "scene_move")
    r = apply(ad, move)
    assert r.status_code == 400
    assert "production_day" in r.json()["errors"]
    other = services.create_project(name="Other", timezone_name="UTC")
    foreign = services.create_production_day(
        project=other, date=date(2025, 6, 12), day_number=1, general_call_time=local("07:00", date(2025, 6, 12))
    )
    assert apply(ad, move, {"production_day": foreign.pk}).status_code == 400
    assert apply(ad, move, {"production_day": session.production_day_id}).status_code == 400
    assert apply(ad, move, {"production_day": "x"}).status_code == 400
    assert apply(ad, move, {"production_day": 2**63 - 1}).status_code == 400
    assert apply(ad, move, {"production_day": 2**63}).status_code == 400
    assert ScheduleItem.objects.filter(pk=behind["2B"].pk).exists()  # nothing half-written
    assert refresh(Suggestion.objects.get(pk=move["id"])).status == "proposed"


def test_scene_move_to_a_wrapped_day_is_409(ad, project, session, behind, at_local):
    day0 = services.create_production_day(
        project=project, date=date(2025, 6, 9), day_number=2, general_call_time=local("07:00", date(2025, 6, 9))
    )
    earlier = services.create_session(production_day=day0)
    services.start_session(session=earlier, at=local("07:00", date(2025, 6, 9)), now=timezone.now())
    services.wrap_session(session=earlier, at=local("18:00", date(2025, 6, 9)), now=timezone.now())
    move = find(suggestions(ad, session), "scene_move")
    assert apply(ad, move, {"production_day": day0.pk}).status_code == 409


def test_apply_extend_day_records_the_extended_wrap_and_keeps_the_planned_one(ad, session, behind):
    services.update_production_day(day=session.production_day, planned_wrap=local("13:47"), now=timezone.now())
    extend = find(suggestions(ad, session), "extend_day")
    assert extend["compliance_flag"] and "Overtime rule" in extend["compliance_warning"]
    assert extend["minutes_recoverable"] == 18
    assert apply(ad, extend).status_code == 200
    day = ProductionDay.objects.get(pk=session.production_day_id)
    assert (day.planned_wrap, day.extended_wrap) == (local("13:47"), local("14:05"))


def test_warnings_are_dismissed_not_applied(ad, session, behind, at_local):
    at_local("13:20")  # 1A still shooting: the meal is overdue
    tick()
    warning = find(suggestions(ad, session), "meal_penalty_warning")
    assert (warning["target"], warning["payload"]["overdue"]) == ("meal:1", True)
    r = apply(ad, warning)
    assert r.status_code == 400 and "type" in r.json()["errors"]
    r = ad.post(f"{BASE}/suggestions/{warning['id']}/dismiss/")
    assert r.status_code == 200 and r.json()["status"] == "dismissed"
    assert ad.post(f"{BASE}/suggestions/{warning['id']}/dismiss/").status_code == 409
    # Dismissed: not proposed again, listed only when asked for.
    assert not [r for r in suggestions(ad, session) if r["type"] == "meal_penalty_warning"]
    assert [r["id"] for r in suggestions(ad, session, status="dismissed")] == [warning["id"]]
    assert EventLog.objects.filter(event_type="hotset.suggestion.dismissed").count() == 1


def test_stale_suggestion_is_409(ad, session, behind):
    row = find(suggestions(ad, session), "skip_activity")
    # Skipped meanwhile, by a change the suggestions have not caught up with yet (a service
    # withdraws them at once: applying a withdrawn one is a 404).
    ScheduleItem.objects.filter(pk=behind["activity"].pk).update(status=ScheduleItem.Status.SKIPPED)
    assert apply(ad, row).status_code == 409


def test_only_the_first_ad_applies_or_dismisses(api_as, ad, session, behind):
    producer = api_as("producer")
    rows = suggestions(producer, session)  # producers read
    assert producer.post(f"{BASE}/suggestions/{rows[0]['id']}/apply/").status_code == 403
    assert producer.post(f"{BASE}/suggestions/{rows[0]['id']}/dismiss/").status_code == 403
    assert api_as("crew").get(f"{BASE}/sessions/{session.pk}/suggestions/").status_code == 403
    assert refresh(Suggestion.objects.get(pk=rows[0]["id"])).status == "proposed"
    assert ad.post(f"{BASE}/suggestions/999999/apply/").status_code == 404
    assert ad.get(f"{BASE}/sessions/999999/suggestions/").status_code == 404


def test_a_wrapped_day_has_no_suggestions(ad, session, behind):
    assert suggestions(ad, session)
    row = find(suggestions(ad, session), "scene_cut")
    services.wrap_session(session=session, at=local("10:30"), now=timezone.now())
    assert suggestions(ad, session) == []
    assert apply(ad, row).status_code == 404  # withdrawn proposals are gone


@pytest.mark.django_db(transaction=True)
def test_concurrent_regenerations_propose_each_suggestion_once(session, behind):
    import threading

    from django.db import connection

    errors = []
    barrier = threading.Barrier(4)

    def regenerate():
        try:
            barrier.wait(timeout=5)
            services.regenerate_suggestions(session=session, now=local("10:30"))
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=regenerate) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert not errors, errors
    rows = list(Suggestion.objects.filter(session=session).values_list("type", "target"))
    assert rows and len(rows) == len(set(rows))
    proposed = EventLog.objects.filter(event_type="hotset.suggestion.proposed", group_name__startswith="hotset.")
    assert proposed.count() == len(rows)  # once each in the session's suggestions group (the roles get theirs too)


def test_a_dismissed_warning_comes_back_when_it_gets_worse_by_its_trigger(ad, session, behind, at_local):
    at_local("13:20")  # 1A still shooting, 2B to go: the meal would start at 13:50, 50 min late
    tick()
    warning = find(suggestions(ad, session), "meal_penalty_warning")
    assert warning["payload"]["severity"] == 50
    assert ad.post(f"{BASE}/suggestions/{warning['id']}/dismiss/").status_code == 200
    at_local("13:45")  # 75 min late: worse, but by less than the 30-minute trigger
    tick()
    assert not [r for r in suggestions(ad, session) if r["type"] == "meal_penalty_warning"]
    at_local("13:50")  # 80 min late: 30 min worse than when dismissed
    tick()
    back = find(suggestions(ad, session), "meal_penalty_warning")
    assert back["id"] != warning["id"] and back["payload"]["severity"] == 80
    assert back["payload"]["projected_penalties"] == 3


def test_a_moved_scene_is_listed_in_the_days_report_with_its_new_day(ad, session, behind, project):
    later = services.create_production_day(
        project=project, date=date(2025, 6, 12), day_number=3, general_call_time=local("07:00", date(2025, 6, 12))
    )
    move = find(suggestions(ad, session), "scene_move")
    assert apply(ad, move, {"production_day": later.pk}).status_code == 200
    report = ad.get(f"{BASE}/sessions/{session.pk}/report/").json()
    (moved,) = report["scenes_moved"]
    assert (moved["scene_number"], moved["to_day_number"], moved["to_date"]) == ("2B", 3, "2025-06-12")
    assert (moved["pages"], moved["setups"], moved["planned_minutes"]) == ("6/8", 2, 30)
    csv_text = ad.get(f"{BASE}/sessions/{session.pk}/report/", {"format": "csv"}).content.decode()
    assert "Scene moved,To day,Date" in csv_text and "2B,3,2025-06-12" in csv_text


def test_reading_the_suggestions_writes_nothing(ad, session, behind, at_local):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    rows = suggestions(ad, session)
    assert rows  # written by the tick in ``behind``
    before = list(Suggestion.objects.order_by("pk").values_list("pk", "status", "minutes_recoverable", "payload"))
    events_before = EventLog.objects.count()
    at_local("13:20")  # the day has moved on; only the next change or tick catches up
    with CaptureQueriesContext(connection) as queries:
        again = suggestions(ad, session)
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []
    assert sorted(r["id"] for r in again) == sorted(r["id"] for r in rows)
    assert (
        list(Suggestion.objects.order_by("pk").values_list("pk", "status", "minutes_recoverable", "payload")) == before
    )
    assert EventLog.objects.count() == events_before
    tick()
    assert find(suggestions(ad, session), "meal_penalty_warning")


def test_a_schedule_change_regenerates_the_suggestions(session, behind):
    assert Suggestion.objects.filter(session=session, type="skip_activity").exists()
    services.skip_item(item=behind["activity"], at=local("10:30"), now=timezone.now())
    assert not Suggestion.objects.filter(session=session, type="skip_activity").exists()
    assert EventLog.objects.filter(event_type="hotset.suggestion.withdrawn").exists()
