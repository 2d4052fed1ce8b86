"""The embedded job runner (make run's default): `.delay()` and the beat schedules run on
the server's loop, and their broadcasts reach sockets through the in-memory channel layer."""

import asyncio
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from celery import shared_task
from channels import layers
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from config import embedded
from realtime import broadcast
from realtime.groups import user_group
from realtime.models import EventLog
from tests.factories import access_token

pytestmark = pytest.mark.django_db(transaction=True)


@shared_task(name="tests.publish_probe")
def publish_probe(user_id: int, marker: str) -> None:
    broadcast.publish("test.probe", {"marker": marker}, groups=[user_group(user_id)])


@pytest.fixture
def embedded_mode(settings):
    settings.EMBEDDED_JOBS = True
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    layers.channel_layers.backends.clear()
    yield
    layers.channel_layers.backends.clear()


async def _eventually(predicate, timeout=10.0):
    deadline = asyncio.get_running_loop().time() + timeout
    while not await sync_to_async(predicate)():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)


async def test_delayed_task_runs_in_process_and_its_broadcast_reaches_the_socket(embedded_mode, make_user):
    from config.asgi import application

    user = await database_sync_to_async(make_user)("crew")
    await embedded.start(workers=1, beat=False)
    try:
        communicator = WebsocketCommunicator(application, f"/ws/?token={access_token(user)}")
        assert (await communicator.connect())[0]
        assert (await communicator.receive_json_from(timeout=2))["type"] == "connected"
        # .delay() from a request-like thread hands the call to the runner.
        await sync_to_async(publish_probe.delay)(user.pk, "hello")
        message = await communicator.receive_json_from(timeout=5)
        assert message["type"] == "test.probe"
        assert message["payload"] == {"marker": "hello"}
        await communicator.disconnect()
    finally:
        await embedded.stop()


async def test_beat_schedules_run_in_process(embedded_mode):
    def arrange():
        broadcast.publish("test.old", {}, groups=["user.4242"])
        EventLog.objects.filter(group_name="user.4242").update(ts=timezone.now() - timedelta(days=3))
        every_second, _ = IntervalSchedule.objects.get_or_create(every=1, period=IntervalSchedule.SECONDS)
        PeriodicTask.objects.update_or_create(
            name="realtime.prune_event_log", defaults={"task": "realtime.prune_event_log", "interval": every_second}
        )

    await sync_to_async(arrange)()
    from realtime import services

    original = services.KEEP_LAST_PER_GROUP
    services.KEEP_LAST_PER_GROUP = 0
    await embedded.start(workers=1, beat=True)
    try:
        await _eventually(lambda: not EventLog.objects.filter(group_name="user.4242").exists())
    finally:
        await embedded.stop()
        services.KEEP_LAST_PER_GROUP = original


async def test_countdown_is_honoured(embedded_mode, make_user):
    user = await database_sync_to_async(make_user)("crew")
    await embedded.start(workers=1, beat=False)
    try:
        await sync_to_async(publish_probe.apply_async)(args=[user.pk, "later"], countdown=0.4)
        await asyncio.sleep(0.1)
        assert not await sync_to_async(EventLog.objects.filter(payload__marker="later").exists)()
        await _eventually(lambda: EventLog.objects.filter(payload__marker="later").exists(), timeout=5)
    finally:
        await embedded.stop()


def test_without_a_runner_delay_runs_inline(embedded_mode, make_user):
    user = make_user("crew")
    publish_probe.delay(user.pk, "inline")
    assert EventLog.objects.filter(event_type="test.probe", payload__marker="inline").exists()
