"""Rotations are reviewed in the admin (SPEC §3, §8): a supervisor in a real browser reads a run's
unscheduled reasons and bulk-approves its proposals; /dash/ links there."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from rotations import engine, selectors, services
from rotations.models import Event, PendingSchedule, ProposalStatus, RotationAssignment
from tests.rotations.factories import make_employee, make_event

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def reviewed_run(broadcast_rules):
    today = selectors.local_today(timezone.now())
    monday = engine.week_of(today) + timedelta(days=7)
    ann = make_employee("Ann", "core", "juicer")
    make_employee("Dan", "core")
    for weekday in range(5):
        RotationAssignment.objects.create(weekday=weekday, rotation_type="juicer", employee=ann)
    make_event(1, "core", monday, monday + timedelta(days=4), 240)
    make_event(2, "juicer", monday, monday, 60)
    make_event(3, "core", monday, monday, 600)  # too long: unscheduled with its reason
    return services.execute_run(clock=timezone.now, run_id=services.start_run(now=timezone.now(), start_date=monday).pk)


def test_supervisor_reviews_and_bulk_approves_in_the_admin(asgi_server, logged_in_page, make_user, reviewed_run):
    page = logged_in_page(make_user("supervisor", is_staff=True))
    page.goto(f"{asgi_server}/dash/")
    assert page.locator("a[href^='/admin/rotations/pendingschedule/']").count() == 1

    page.goto(f"{asgi_server}/admin/rotations/schedulerrun/{reviewed_run.pk}/change/")
    assert "longer than a working day" in page.content()

    page.goto(f"{asgi_server}/admin/rotations/pendingschedule/?run__id__exact={reviewed_run.pk}")
    page.locator("input[name='_selected_action']").first.check()
    page.locator("input[name='_selected_action']").nth(1).check()
    page.select_option("select[name='action']", "approve_selected")
    page.locator("button[name='index'], input[name='index']").first.click()
    page.wait_for_load_state()
    assert "2 submitted, 0 failed" in page.content()
    assert PendingSchedule.objects.filter(status=ProposalStatus.API_SUBMITTED).count() == 2
    assert Event.objects.filter(status="scheduled").count() == 2


def test_a_supervisor_reviews_the_grid_on_a_phone_and_approves_a_day(
    asgi_server, logged_in_page, make_user, reviewed_run
):
    page = logged_in_page(make_user("supervisor"), viewport={"width": 390, "height": 844})
    page.goto(f"{asgi_server}/dash/rotations/")
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live")
    expect(page.locator("#rot-runs li")).to_have_count(1)
    # One day at a time on a phone, with no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    monday = reviewed_run.window_start
    expect(page.locator("#rot-range")).to_contain_text(str(monday.day))
    chips = page.locator(".rot-chip")
    expect(chips).to_have_count(2)  # the juicer event and one core event land on Monday
    chips.first.click()
    expect(page.locator("#rot-detail")).to_contain_text("Why:")
    expect(page.locator("#rot-unscheduled")).to_contain_text("C-3")
    page.get_by_role("button", name="Approve day (2)").click()
    expect(page.locator("#rot-notice")).to_contain_text("2 submitted")
    expect(page.locator(".rot-chip.api_submitted")).to_have_count(2)
    assert set(reviewed_run.proposals.values_list("status", flat=True)) == {ProposalStatus.API_SUBMITTED}


def test_a_coordinator_runs_the_scheduler_and_watches_it_finish_live(
    asgi_server, logged_in_page, make_user, reviewed_run, celery_worker_thread
):
    page = logged_in_page(make_user("coordinator"), viewport={"width": 1366, "height": 900})
    page.goto(f"{asgi_server}/dash/rotations/")
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live")
    expect(page.get_by_role("button", name="Approve all")).to_have_count(0)  # coordinators run, supervisors approve
    page.get_by_role("button", name="Run scheduler now").click()
    expect(page.locator("#rot-progress-percent")).to_have_text("100%", timeout=20_000)
    expect(page.locator("#rot-runs li")).to_have_count(2)
    expect(page.locator("#rot-runs li").nth(1)).to_contain_text("superseded by run")
