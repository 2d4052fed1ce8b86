from datetime import timedelta

import pytest
from django.utils import timezone

from realtime import broadcast, selectors, services
from realtime.models import EventLog

pytestmark = pytest.mark.django_db


def test_position_and_replay_without_events():
    assert selectors.group_position("user.999") == ("", 0)
    assert selectors.events_since("user.999", epoch="", since=0) == []
    assert selectors.events_since("user.999", epoch="x", since=3) is None


def test_page_positions_name_every_group_asked_for():
    published = [broadcast.publish("test.e", {}, groups=["user.8"])[0] for _ in range(2)]
    positions = selectors.page_positions(["user.8", "user.998"])
    assert positions == {"user.8": {"epoch": published[0]["epoch"], "seq": 2}, "user.998": {"epoch": "", "seq": 0}}
    # What a page rendered at that position resumes with: the events after it.
    broadcast.publish("test.e", {"n": 3}, groups=["user.8"])
    replay = selectors.events_since("user.8", epoch=positions["user.8"]["epoch"], since=2)
    assert [e["payload"] for e in replay] == [{"n": 3}]


def test_replay_from_start_with_empty_epoch():
    for n in range(3):
        broadcast.publish("test.e", {"n": n}, groups=["user.5"])
    events = selectors.events_since("user.5", epoch="", since=0)
    assert [e["seq"] for e in events] == [1, 2, 3]


def test_pruned_gap_means_resync():
    envelopes = [broadcast.publish("test.e", {}, groups=["user.6"])[0] for _ in range(5)]
    epoch = envelopes[0]["epoch"]
    EventLog.objects.filter(group_name="user.6", seq__lte=2).delete()
    assert selectors.events_since("user.6", epoch=epoch, since=1) is None
    assert [e["seq"] for e in selectors.events_since("user.6", epoch=epoch, since=2)] == [3, 4, 5]


def test_prune_keeps_last_day_and_last_10000(monkeypatch):
    monkeypatch.setattr(services, "KEEP_LAST_PER_GROUP", 3)
    for _ in range(6):
        broadcast.publish("test.e", {}, groups=["user.7"])
    old = timezone.now() - timedelta(hours=30)
    EventLog.objects.filter(group_name="user.7").update(ts=old)
    EventLog.objects.filter(group_name="user.7", seq=2).update(ts=timezone.now())  # recent: kept
    deleted = services.prune_event_log(now=timezone.now())
    assert deleted == 2  # seq 1 and 3: old and not among the last 3
    assert sorted(EventLog.objects.filter(group_name="user.7").values_list("seq", flat=True)) == [2, 4, 5, 6]


def test_publish_rejects_bad_group_names_and_writes_nothing():
    with pytest.raises(ValueError):
        broadcast.publish("test.e", {}, groups=["bad group!"])
    assert not EventLog.objects.filter(event_type="test.e").exists()


def test_channel_layer_down_keeps_the_change(settings):
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": ["redis://127.0.0.1:1/0"]}}
    }
    from channels import layers

    layers.channel_layers.backends.clear()
    try:
        envelopes = broadcast.publish("test.down", {"ok": True}, groups=["user.8"])
        assert broadcast.send_envelopes(envelopes) == 0  # handed off: the caller never waits on Redis
        assert broadcast.send_envelopes(envelopes, wait=10) == 1  # the failure, when waited for
        assert EventLog.objects.filter(event_type="test.down").count() == 1
    finally:
        layers.channel_layers.backends.clear()


def test_sends_from_plain_code_share_one_long_lived_loop():
    """Outside an event loop (workers, commands, threads) sends go through one loop per
    process that keeps its Redis connection, not a new thread and loop per call."""
    import threading

    from realtime.sendloop import send_loop

    envelopes = broadcast.publish("test.loop", {"n": 1}, groups=["user.9"])
    assert broadcast.send_envelopes(envelopes, wait=10) == 0
    loop = send_loop._loop
    assert broadcast.send_envelopes(envelopes, wait=10) == 0
    assert send_loop._loop is loop and loop.is_running()
    assert [t.name for t in threading.enumerate()].count("realtime-send-loop") == 1


def test_a_forked_worker_starts_its_own_send_loop():
    """Celery's prefork pool forks after the parent may have sent: the child's sends must not
    wait on the parent's loop thread, which does not exist in the child."""
    import multiprocessing

    from django.db import connections

    envelopes = broadcast.publish("test.fork", {"n": 1}, groups=["user.10"])
    assert broadcast.send_envelopes(envelopes, wait=10) == 0  # the parent's loop is running
    connections.close_all()
    ctx = multiprocessing.get_context("fork")
    results = ctx.Queue()

    def child():
        results.put(broadcast.send_envelopes(envelopes, wait=10))

    process = ctx.Process(target=child)
    process.start()
    process.join(timeout=30)
    assert process.exitcode == 0
    assert results.get(timeout=1) == 0


def test_a_send_that_hangs_gives_up_and_leaves_nothing_running():
    import asyncio
    import concurrent.futures

    from channels.layers import get_channel_layer

    from realtime.sendloop import send_loop

    started, cancelled = [], []

    async def hangs():
        started.append(True)
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            cancelled.append(True)
            raise

    with pytest.raises(concurrent.futures.TimeoutError):
        send_loop.run(get_channel_layer(), hangs, timeout=0.2)
    assert send_loop.run(get_channel_layer(), lambda: asyncio.sleep(0), timeout=2) is None  # still serving
    assert started == [True] and cancelled == [True]
