"""The auto-start periodic job: when it starts, whom it tells, and that overlapping runs act once."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from hotset import services, tasks
from hotset.models import HotSetSession, HotSetSettings, Notification, ProductionDay
from realtime.groups import HOTSET_SESSION, object_group, role_group, user_group
from realtime.models import EventLog
from tests.hotset.factories import DAY, local, refresh


def _settings(project, **changes):
    HotSetSettings.objects.filter(project=project).update(**changes)


@pytest.mark.django_db
class TestAutoStart:
    def test_starts_at_call_minus_the_minutes_and_not_before(self, session):
        assert services.auto_start_sessions(now=local("06:29")) == []
        assert refresh(session).status == "not_started"
        assert services.auto_start_sessions(now=local("06:30")) == [session.pk]
        session = refresh(session)
        assert (session.status, session.auto_started, session.started_at) == ("in_progress", True, local("06:30"))
        # Idempotent: a later run does nothing more.
        assert services.auto_start_sessions(now=local("06:31")) == []
        assert Notification.objects.filter(session=session, kind="auto_started").count() == 1

    def test_respects_the_project_minutes(self, session, project):
        _settings(project, auto_start_minutes_before_call=90)
        assert services.auto_start_sessions(now=local("05:30")) == [session.pk]

    def test_projects_with_auto_start_off_are_left_alone(self, session, project, roles, make_user):
        make_user("first_ad")
        _settings(project, auto_start_enabled=False)
        for hhmm in ("06:00", "06:30", "07:00", "09:00"):
            assert services.auto_start_sessions(now=local(hhmm)) == []
        assert refresh(session).status == "not_started"
        # Not started, and no auto-start notice; the pre-call reminder follows notifications alone.
        assert list(Notification.objects.values_list("kind", flat=True)) == ["pre_call"]
        assert (
            not EventLog.objects.filter(group_name=object_group(HOTSET_SESSION, session.pk))
            .exclude(event_type__in=["hotset.session.created", "hotset.notification"])
            .exists()
        )

    def test_days_long_over_are_not_started(self, session):
        assert services.auto_start_sessions(now=local("19:30")) == []
        assert services.auto_start_sessions(now=local("07:00") + timedelta(days=3)) == []
        assert refresh(session).status == "not_started"

    def test_started_or_wrapped_sessions_are_untouched(self, session):
        services.start_session(session=session, at=local("06:00"), now=timezone.now())
        assert services.auto_start_sessions(now=local("06:45")) == []
        assert refresh(session).auto_started is False

    def test_notifications_record_recipients_and_go_to_user_and_crew_groups(self, session, make_user):
        ad = make_user("first_ad")
        producer = make_user("producer")
        crew = make_user("crew")
        make_user("vfx")
        services.auto_start_sessions(now=local("06:30"))
        note = Notification.objects.get(session=session)
        assert note.kind == "auto_started"
        assert note.sent_at == local("06:30")
        assert set(note.recipients.all()) == {ad, producer, crew}
        assert "crew" in note.recipient_roles
        assert "07:00" in note.payload["message"]
        groups = set(EventLog.objects.filter(event_type="hotset.notification").values_list("group_name", flat=True))
        assert {
            user_group(ad.pk),
            user_group(crew.pk),
            role_group("crew"),
            object_group(HOTSET_SESSION, session.pk),
        } <= groups
        started = EventLog.objects.get(
            event_type="hotset.session.started", group_name=object_group(HOTSET_SESSION, session.pk)
        )
        assert started.payload["auto_started"] is True

    def test_crew_left_out_when_the_project_says_so(self, session, project, make_user):
        make_user("first_ad")
        crew = make_user("crew")
        _settings(project, notify_crew_on_auto_start=False)
        services.auto_start_sessions(now=local("06:30"))
        note = Notification.objects.get(session=session)
        assert crew not in note.recipients.all()
        assert not EventLog.objects.filter(event_type="hotset.notification", group_name=role_group("crew")).exists()

    def test_notifications_disabled_starts_silently(self, session, project, make_user):
        make_user("first_ad")
        _settings(project, notifications_enabled=False)
        assert services.auto_start_sessions(now=local("06:30")) == [session.pk]
        assert not Notification.objects.exists()

    def test_pre_call_reminder_once_before_auto_start(self, session, make_user):
        make_user("first_ad")
        assert services.auto_start_sessions(now=local("05:59")) == []
        assert not Notification.objects.exists()
        services.auto_start_sessions(now=local("06:00"))
        services.auto_start_sessions(now=local("06:01"))
        reminder = Notification.objects.get(kind="pre_call")
        assert "60 min" in reminder.payload["message"]
        assert refresh(session).status == "not_started"
        services.auto_start_sessions(now=local("06:30"))
        assert sorted(Notification.objects.values_list("kind", flat=True)) == ["auto_started", "pre_call"]

    def test_the_task_uses_the_clock(self, session, time_machine):
        time_machine.move_to(local("06:45"), tick=False)
        assert tasks.auto_start_sessions() == [session.pk]

    def test_notifications_are_listed_over_the_api(self, session, api_as):
        client = api_as("first_ad")
        services.auto_start_sessions(now=local("06:30"))
        body = client.get(f"/api/v1/hotset/sessions/{session.pk}/notifications/").json()
        assert body["count"] == 1
        assert body["results"][0]["type"] == "auto_started"
        assert body["results"][0]["recipients"] == [client.user.username]

    def test_periodic_job_is_scheduled_every_minute(self):
        from django_celery_beat.models import PeriodicTask

        from config.management.commands.setup_periodic_tasks import setup_periodic_tasks

        setup_periodic_tasks()
        job = PeriodicTask.objects.get(name="hotset.auto_start_sessions")
        assert job.task == "hotset.auto_start_sessions"
        assert (job.interval.every, job.interval.period) == (60, "seconds")


@pytest.mark.django_db(transaction=True)
def test_two_overlapping_runs_start_each_session_once_and_notify_once(make_user):
    make_user("first_ad")
    make_user("crew")
    sessions = []
    for n in range(6):
        project = services.create_project(name=f"Parallel {n}", timezone_name="Europe/London")
        day = ProductionDay.objects.create(
            project=project, date=DAY, day_number=1, general_call_time=local("07:00") + timedelta(minutes=n)
        )
        sessions.append(services.create_session(production_day=day))
    now = local("06:45")
    barrier = threading.Barrier(2)
    results: list[list[int]] = []
    errors: list[BaseException] = []

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(services.auto_start_sessions(now=now))
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    started = sorted(results[0] + results[1])
    assert started == sorted(s.pk for s in sessions)  # each exactly once across both runs
    assert HotSetSession.objects.filter(status="in_progress", auto_started=True).count() == 6
    for session in sessions:
        assert Notification.objects.filter(session=session, kind="auto_started").count() == 1
        group = object_group(HOTSET_SESSION, session.pk)
        assert EventLog.objects.filter(group_name=group, event_type="hotset.session.started").count() == 1
        assert EventLog.objects.filter(group_name=group, event_type="hotset.notification").count() == 1
