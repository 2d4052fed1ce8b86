"""The dispatcher against PostgreSQL: exactly once under concurrency, leases, retries with backoff."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.utils import timezone

from publishing import services
from publishing.models import DispatchLease, PlatformAccount, PostStatus, ScheduledPost, Video
from publishing.uploaders import IDEMPOTENCY_HEADER, HttpUploader, OutboxUploader, UploadError, UploadResult
from realtime.models import EventLog
from tests.publishing.factories import Reply

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]


class CountingUploader:
    """A fake platform that counts what it is asked to publish (thread-safe)."""

    def __init__(self, fail_times: int = 0):
        self.lock = threading.Lock()
        self.calls: Counter[int] = Counter()
        self.keys: Counter[str] = Counter()
        self.fail_times = fail_times

    def upload(self, request):
        with self.lock:
            self.calls[request.post_id] += 1
            self.keys[request.idempotency_key] += 1
            if sum(self.calls.values()) <= self.fail_times:
                raise UploadError("platform said no")
        return UploadResult(external_id=f"ext-{request.post_id}", url=f"https://example.com/p/{request.post_id}")


def _due_posts(n: int, *, platform: str = "youtube", folder: Path | None = None) -> list[int]:
    """``n`` due posts; with ``folder``, their videos are real files there."""
    account, _ = PlatformAccount.objects.get_or_create(
        platform=platform, defaults={"handle": "h", "authenticated": True}
    )
    sources = [f"/clips/{platform}-{i}.mp4" for i in range(n)]
    if folder is not None:
        folder.mkdir(exist_ok=True)
        for i in range(n):
            sources[i] = str(folder / f"{platform}-{i}.mp4")
            Path(sources[i]).write_bytes(b"video %d" % i)
    videos = Video.objects.bulk_create(Video(source=source, title=source) for source in sources)
    due = timezone.now() - timedelta(minutes=1)
    posts = ScheduledPost.objects.bulk_create(
        ScheduledPost(video=v, account=account, platform=platform, scheduled_time=due, next_attempt_at=due)
        for v in videos
    )
    return [p.pk for p in posts]


def test_four_racing_workers_publish_each_of_500_posts_exactly_once(broadcast_rules):
    ids = _due_posts(500)
    uploader = CountingUploader()
    barrier = threading.Barrier(4)
    reports, errors = [], []

    def work(n):
        try:
            barrier.wait()
            reports.append(
                services.dispatch_due_posts(
                    clock=timezone.now, worker=f"w{n}", batch_size=10, uploader_for=lambda _: uploader
                )
            )
        except Exception as exc:  # pragma: no cover - surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors
    assert set(uploader.calls) == set(ids)
    assert max(uploader.calls.values()) == 1  # nobody published twice
    assert sum(r.completed for r in reports) == 500
    assert sum(1 for r in reports if r.claimed) >= 2  # the work really was shared
    assert ScheduledPost.objects.filter(status=PostStatus.COMPLETED, attempts=1).count() == 500
    assert not ScheduledPost.objects.exclude(lease_token=None).exists()
    # One result event per recorded batch, not one per post.
    dispatched = EventLog.objects.filter(event_type="publishing.posts.dispatched", group_name="role.social_manager")
    assert sum(e.payload["counts"]["completed"] for e in dispatched) == 500
    assert dispatched.count() < 500
    assert not DispatchLease.objects.exists()


def test_fails_twice_then_succeeds_completes_on_attempt_3_with_backoff(http_server, time_machine, tmp_path):
    ids = _due_posts(1, folder=tmp_path / "clips")
    calls = []

    def flaky(request):
        calls.append(request)
        if len(calls) <= 2:
            return Reply(status=503, body={"error": "busy"})
        return Reply(body={"id": "yt-1", "url": "https://youtube.example/v/1"})

    server = http_server(flaky)
    uploader = HttpUploader(f"{server.url}/upload", timeout=5)
    t0 = timezone.now()
    time_machine.move_to(t0, tick=False)

    def dispatch():
        return services.dispatch_due_posts(clock=timezone.now, worker="w", uploader_for=lambda _: uploader)

    assert dispatch().retrying == 1
    post = ScheduledPost.objects.get(pk=ids[0])
    assert (post.status, post.attempts) == ("pending", 1)
    assert "HTTP 503" in post.last_error
    assert post.next_attempt_at == t0 + timedelta(seconds=60)
    time_machine.move_to(t0 + timedelta(seconds=59), tick=False)
    assert dispatch().claimed == 0  # still backing off
    time_machine.move_to(t0 + timedelta(seconds=61), tick=False)
    assert dispatch().retrying == 1
    post.refresh_from_db()
    assert post.attempts == 2 and post.next_attempt_at == t0 + timedelta(seconds=61 + 120)  # doubled
    time_machine.move_to(t0 + timedelta(seconds=61 + 121), tick=False)
    assert dispatch().completed == 1
    post.refresh_from_db()
    assert (post.status, post.attempts, post.last_error) == ("completed", 3, "")
    assert post.external_url == "https://youtube.example/v/1" and post.external_id == "yt-1"
    assert len(calls) == 3
    assert {c.headers[IDEMPOTENCY_HEADER.lower()] for c in calls} == {str(post.idempotency_key)}


def test_always_failing_ends_failed_after_3_attempts_with_the_last_error(time_machine):
    ids = _due_posts(1)
    uploader = CountingUploader(fail_times=10**6)
    t0 = timezone.now()
    for offset in (0, 61, 61 + 121):
        time_machine.move_to(t0 + timedelta(seconds=offset), tick=False)
        services.dispatch_due_posts(clock=timezone.now, worker="w", uploader_for=lambda _: uploader)
    post = ScheduledPost.objects.get(pk=ids[0])
    assert (post.status, post.attempts, post.last_error) == ("failed", 3, "platform said no")
    time_machine.move_to(t0 + timedelta(days=1), tick=False)
    assert services.dispatch_due_posts(clock=timezone.now, worker="w", uploader_for=lambda _: uploader).claimed == 0
    assert uploader.calls[ids[0]] == 3


def test_an_uploader_crash_fails_the_attempt_not_the_worker():
    ids = _due_posts(2)

    class Broken:
        def upload(self, request):
            raise RuntimeError("bug in uploader")

    report = services.dispatch_due_posts(clock=timezone.now, worker="w", uploader_for=lambda _: Broken())
    assert report.retrying == 2
    # The kind of error, not its text (it may quote a host or a file); the traceback is in the log.
    assert ScheduledPost.objects.get(pk=ids[0]).last_error == (
        "The uploader failed unexpectedly (RuntimeError); see the worker log."
    )


def test_a_worker_killed_mid_upload_is_reclaimed_after_the_lease_and_published_once(
    http_server, time_machine, broadcast_rules, tmp_path
):
    """A real dispatcher process is SIGKILLed while its upload is in flight."""
    ids = _due_posts(1, platform="tiktok", folder=tmp_path / "clips")
    published: dict[str, dict] = {}
    first_arrived, lock = threading.Event(), threading.Lock()

    def platform(request):
        key = request.headers[IDEMPOTENCY_HEADER.lower()]
        with lock:
            if key not in published:  # the platform publishes a key once, and answers repeats with it
                published[key] = {"id": f"v-{len(published) + 1}", "url": f"https://tiktok.example/{key}"}
            first = len(server.received) == 1
        if first:
            first_arrived.set()
            server.release.wait(30)  # the upload hangs until the worker is dead
            return None
        return Reply(body=published[key])

    server = http_server(platform)
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "PUBLISHING_UPLOADER": "http",
        "PUBLISHING_HTTP_ENDPOINT": f"{server.url}/upload",
        "PUBLISHING_MEDIA_ROOTS": str(tmp_path),  # the clips are under the test's folder
        "LOG_LEVEL": "ERROR",
    }
    code = "from publishing.tasks import dispatch_due_posts; dispatch_due_posts()"
    worker = subprocess.Popen([sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=env)  # noqa: S603
    try:
        assert first_arrived.wait(60), "the worker never started uploading"
        post = ScheduledPost.objects.get(pk=ids[0])
        assert post.status == "processing" and post.attempts == 1
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    server.release.set()

    now = timezone.now()
    assert services.reclaim_stale_posts(now=now) == 0  # the lease still runs
    time_machine.move_to(post.lease_expires_at + timedelta(seconds=1), tick=False)
    assert services.reclaim_stale_posts(now=timezone.now()) == 1
    post.refresh_from_db()
    assert post.status == "pending" and "reclaimed" in post.last_error

    report = services.dispatch_due_posts(
        clock=timezone.now, worker="survivor", uploader_for=lambda _: HttpUploader(f"{server.url}/upload")
    )
    assert report.completed == 1
    post.refresh_from_db()
    assert (post.status, post.attempts) == ("completed", 2)
    assert len(server.received) == 2
    assert len(published) == 1  # one publication: both uploads carried the same key
    assert post.external_url == published[str(post.idempotency_key)]["url"]
    assert EventLog.objects.filter(event_type="publishing.posts.reclaimed", group_name="role.producer").exists()


def test_outbox_upload_done_by_a_dead_worker_is_not_copied_again(time_machine, clip_file, _outbox):
    source = clip_file("dead_worker.mp4", b"video")
    account = PlatformAccount.objects.create(platform="instagram", handle="h", authenticated=True)
    video = Video.objects.create(source=source, original_filename="dead_worker.mp4", title="t")
    due = timezone.now() - timedelta(minutes=1)
    ScheduledPost.objects.create(video=video, account=account, platform="instagram", scheduled_time=due,
                                 next_attempt_at=due)  # fmt: skip
    # The doomed worker claims the post, finishes the copy, and dies before recording it.
    token, claimed = services.claim_due_posts(now=timezone.now(), limit=5, worker="doomed")
    first = OutboxUploader().upload(services.upload_request(claimed[0]))
    os.remove(source)  # a second copy would now fail: the test proves none is attempted

    time_machine.move_to(claimed[0].lease_expires_at + timedelta(seconds=1), tick=False)
    assert services.reclaim_stale_posts(now=timezone.now()) == 1
    report = services.dispatch_due_posts(clock=timezone.now, worker="survivor")
    assert report.completed == 1
    post = ScheduledPost.objects.get()
    assert post.external_url == first.url and post.attempts == 2
    copies = list(Path(_outbox, "instagram").rglob("dead_worker.mp4"))
    assert len(copies) == 1
    # The dead worker's late result (if it ever came back) would be ignored: its lease is gone.
    assert services.record_outcomes(token=token, outcomes=[services.Outcome(post=claimed[0], error="late")],
                                    now=timezone.now()) == []  # fmt: skip


def test_a_big_drain_is_told_in_one_bounded_event(broadcast_rules):
    """Each list names at most EVENT_LIST_LIMIT posts; counts tell the whole batch."""
    from publishing.events import EVENT_LIST_LIMIT

    ids = _due_posts(EVENT_LIST_LIMIT + 50)
    services.dispatch_due_posts(clock=timezone.now, worker="w", uploader_for=lambda _: CountingUploader())
    [event] = EventLog.objects.filter(event_type="publishing.posts.dispatched", group_name="role.social_manager")
    payload = event.payload
    assert payload["counts"] == {"completed": len(ids), "retrying": 0, "failed": 0}
    assert payload["truncated"] is True
    assert len(payload["completed"]) == EVENT_LIST_LIMIT and set(payload["completed"]) <= set(ids)


def test_each_claimed_batch_holds_one_lease_row_until_its_results_are_written():
    ids = _due_posts(5)
    token, claimed = services.claim_due_posts(now=timezone.now(), limit=3, worker="w1")
    lease = DispatchLease.objects.get()
    assert (lease.token, lease.worker, sorted(lease.post_ids)) == (token, "w1", sorted(p.pk for p in claimed))
    assert lease.expires_at == claimed[0].lease_expires_at

    # Results for part of the batch: the rest still hold the lease, so it stays for the reaper.
    ok = services.UploadResult(external_id="x", url="https://example.com/x")
    services.record_outcomes(token=token, outcomes=[services.Outcome(post=claimed[0], result=ok)],
                             now=timezone.now())  # fmt: skip
    assert DispatchLease.objects.filter(token=token).exists()
    services.record_outcomes(token=token, outcomes=[services.Outcome(post=p, result=ok) for p in claimed[1:]],
                             now=timezone.now())  # fmt: skip
    assert not DispatchLease.objects.exists()

    # The dispatcher drops each batch's lease with its last results.
    report = services.dispatch_due_posts(clock=timezone.now, worker="w2", uploader_for=lambda _: CountingUploader())
    assert report.completed == 2 and not DispatchLease.objects.exists()
    assert ScheduledPost.objects.filter(pk__in=ids, status="completed").count() == 5


def test_a_result_write_touches_no_index():
    """Completing a post changes no indexed value, so PostgreSQL updates the row in place (HOT).

    An index over ``status`` (or a column the result write sets) would make every result
    write insert into every index of the table again, doubling the dispatcher's cost.
    """
    _due_posts(20)
    token, claimed = services.claim_due_posts(now=timezone.now(), limit=20, worker="w")
    ok = services.UploadResult(external_id="x", url="https://example.com/x")
    table = ScheduledPost._meta.db_table
    # What the claim replaced is dead once it commits, and a busy page is pruned lazily
    # (when read, if the horizon allows): vacuum makes the room a long-running table has,
    # so the count does not depend on when pruning happened to run.
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM {connection.ops.quote_name(table)}")
    counts = "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables WHERE relname = %s"
    # Inside one transaction this backend's counters are not flushed: before and after compare.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(counts, [table])
        updated_before, hot_before = cursor.fetchone()
        services.record_outcomes(token=token, outcomes=[services.Outcome(post=p, result=ok) for p in claimed],
                                 now=timezone.now(), announce=False)  # fmt: skip
        cursor.execute(counts, [table])
        updated, hot = cursor.fetchone()
    assert (updated - updated_before, hot - hot_before) == (20, 20)
    assert ScheduledPost.objects.filter(status="completed").count() == 20


def test_the_reaper_skips_leases_not_yet_expired_and_drops_spent_ones(time_machine):
    _due_posts(2)
    token, [first] = services.claim_due_posts(now=timezone.now(), limit=1, worker="alive")
    assert services.reclaim_stale_posts(now=timezone.now()) == 0
    assert DispatchLease.objects.filter(token=token).exists()

    # A lease whose posts were all written meanwhile is simply dropped once expired.
    _, [second] = services.claim_due_posts(now=timezone.now(), limit=1, worker="alive")
    ScheduledPost.objects.filter(pk=second.pk).update(status="completed", lease_token=None, lease_expires_at=None)
    time_machine.move_to(first.lease_expires_at + timedelta(seconds=1), tick=False)
    assert services.reclaim_stale_posts(now=timezone.now()) == 1
    assert not DispatchLease.objects.exists()
    assert ScheduledPost.objects.get(pk=first.pk).status == "pending"
    assert ScheduledPost.objects.get(pk=second.pk).status == "completed"


def test_the_last_attempt_lost_to_a_dead_worker_fails_the_post(time_machine):
    ids = _due_posts(1)
    ScheduledPost.objects.filter(pk__in=ids).update(attempts=2)
    _, claimed = services.claim_due_posts(now=timezone.now(), limit=5, worker="doomed")
    assert claimed[0].attempts == 3
    time_machine.move_to(claimed[0].lease_expires_at + timedelta(seconds=1), tick=False)
    assert services.reclaim_stale_posts(now=timezone.now()) == 1
    post = ScheduledPost.objects.get()
    assert post.status == "failed" and "during the last attempt" in post.last_error


def test_slow_uploads_record_each_result_and_renew_the_batch_lease(time_machine, settings):
    """With uploads slower than flush_seconds, each result is written as it comes and the rest keep their lease."""
    ids = _due_posts(3)
    t0 = timezone.now()
    time_machine.move_to(t0, tick=False)
    seen = []

    class Slow:
        def upload(self, request):
            # Each upload "takes" ten minutes of the 15-minute lease.
            time_machine.move_to(timezone.now() + timedelta(minutes=10), tick=False)
            states = {p.pk: (p.status, p.lease_expires_at) for p in ScheduledPost.objects.filter(pk__in=ids)}
            seen.append((timezone.now(), states))
            return UploadResult(external_id="x", url="https://example.com/x")

    report = services.dispatch_due_posts(clock=timezone.now, worker="w", uploader_for=lambda _: Slow(), flush_seconds=0)
    assert report.completed == 3
    # When the third upload ran (30 min in), the first two were already recorded and the third still held a lease.
    when, last = seen[-1]
    assert when == t0 + timedelta(minutes=30)
    assert last[ids[0]][0] == last[ids[1]][0] == "completed"
    # Its first lease (t0 + 15 min) would have run out; the renewal at each write keeps it held.
    assert last[ids[2]][0] == "processing" and last[ids[2]][1] > when


def _database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] or "postgres"
    if s["PASSWORD"]:
        auth += f":{s['PASSWORD']}"
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def test_post_now_runs_the_dispatcher_in_a_real_worker(api_as, celery_worker_thread, clip_file, broadcast_rules):
    """Force through the API → the task is enqueued on commit → a real Celery worker posts it."""
    manager = api_as("social_manager")
    account = PlatformAccount.objects.create(platform="youtube", handle="h", authenticated=True)
    video = Video.objects.create(source=clip_file("forced.mp4"), original_filename="forced.mp4", title="Forced")
    later = timezone.now() + timedelta(hours=5)
    post = ScheduledPost.objects.create(video=video, account=account, platform="youtube", scheduled_time=later,
                                        next_attempt_at=later)  # fmt: skip
    assert manager.post(f"/api/v1/publishing/posts/{post.pk}/force/").status_code == 200
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:  # waiting on another thread's work, not on time
        post.refresh_from_db()
        if post.status == "completed":
            break
        time.sleep(0.1)
    assert post.status == "completed" and post.external_url == ""  # the outbox has no URL configured


def _announced(event_type: str):
    return EventLog.objects.filter(event_type=event_type, group_name="role.social_manager").order_by("seq")


def test_a_quick_run_costs_one_event_and_a_slow_batch_is_announced_as_claimed_first(broadcast_rules):
    ids = _due_posts(3)
    assert (
        services.dispatch_due_posts(clock=timezone.now, worker="w", uploader_for=lambda _: CountingUploader()).completed
        == 3
    )
    assert not _announced("publishing.posts.claimed").exists()  # quick uploads: no "processing" to show
    [dispatched] = _announced("publishing.posts.dispatched")
    assert sorted(dispatched.payload["completed"]) == sorted(ids)

    EventLog.objects.all().delete()
    [slow_id] = _due_posts(1, platform="tiktok")

    class WaitsUntilAnnounced:
        """An upload still running after VISIBLE_PROCESSING_SECONDS: it ends once the claim is announced."""

        def upload(self, request):
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:  # waiting on the announcing thread's work
                if _announced("publishing.posts.claimed").exists():
                    break
                time.sleep(0.02)
            return UploadResult(external_id="x", url="https://example.com/x")

    assert (
        services.dispatch_due_posts(
            clock=timezone.now, worker="w", uploader_for=lambda _: WaitsUntilAnnounced()
        ).completed
        == 1
    )
    claimed, dispatched = _announced("publishing.posts.claimed").get(), _announced("publishing.posts.dispatched").get()
    assert claimed.payload == {"post_ids": [slow_id], "worker": "w", "counts": {"post_ids": 1}, "truncated": False}
    assert claimed.seq < dispatched.seq  # "claimed" never follows the results
    assert dispatched.payload["completed"] == [slow_id]


def test_one_batch_with_successes_retries_and_a_last_attempt_is_written_in_full(broadcast_rules, time_machine):
    ids = _due_posts(4)
    ScheduledPost.objects.filter(pk=ids[3]).update(attempts=2)  # its coming attempt is the last
    t0 = timezone.now()
    time_machine.move_to(t0, tick=False)

    class Mixed:
        def upload(self, request):
            if request.post_id in (ids[1], ids[3]):
                raise UploadError(f"no {request.post_id}")
            return UploadResult(external_id=f"e{request.post_id}", url=f"https://example.com/{request.post_id}")

    report = services.dispatch_due_posts(clock=timezone.now, worker="w", batch_size=10, uploader_for=lambda _: Mixed())
    assert (report.completed, report.retrying, report.failed) == (2, 1, 1)
    posts = {p.pk: p for p in ScheduledPost.objects.all()}
    assert posts[ids[0]].status == posts[ids[2]].status == "completed"
    assert posts[ids[0]].external_id == f"e{ids[0]}" and posts[ids[0]].posted_at == t0
    assert (posts[ids[1]].status, posts[ids[1]].attempts, posts[ids[1]].last_error) == ("pending", 1, f"no {ids[1]}")
    assert posts[ids[1]].next_attempt_at == t0 + timedelta(seconds=60)
    assert (posts[ids[3]].status, posts[ids[3]].attempts, posts[ids[3]].last_error) == ("failed", 3, f"no {ids[3]}")
    assert not ScheduledPost.objects.exclude(lease_token=None).exists() and not posts[ids[0]].claimed_by
    payload = _announced("publishing.posts.dispatched").get().payload
    assert sorted(payload["completed"]) == sorted([ids[0], ids[2]])
    assert [r["id"] for r in payload["retrying"]] == [ids[1]] and [f["id"] for f in payload["failed"]] == [ids[3]]


def test_results_of_a_lease_lost_mid_batch_are_dropped_and_the_rest_written():
    ids = _due_posts(3)
    token, claimed = services.claim_due_posts(now=timezone.now(), limit=3, worker="slow", announce=False)
    assert [p.pk for p in claimed] == ids and {p.attempts for p in claimed} == {1}
    key = ScheduledPost.objects.get(pk=ids[0]).idempotency_key
    assert services.upload_request(claimed[0]).idempotency_key == str(key)
    # Another worker reclaimed and re-claimed the second post meanwhile (its lease ran out).
    ScheduledPost.objects.filter(pk=ids[1]).update(lease_token=None, status="pending")
    other_token, [taken] = services.claim_due_posts(now=timezone.now(), limit=1, worker="other", announce=False)
    assert taken.pk == ids[1] and taken.attempts == 2
    outcomes = [services.Outcome(post=p, result=UploadResult("x", "https://example.com/x")) for p in claimed]
    written = services.record_outcomes(token=token, outcomes=outcomes, now=timezone.now(), announce=False)
    assert sorted(written) == [ids[0], ids[2]]
    second = ScheduledPost.objects.get(pk=ids[1])
    assert (second.status, second.lease_token, second.claimed_by) == ("processing", other_token, "other")


def test_the_uploader_gets_the_accounts_credentials_decrypted(settings, caplog):
    class Capturing(CountingUploader):
        seen: dict = {}

        def upload(self, request):
            Capturing.seen[request.platform] = dict(request.credentials)
            return super().upload(request)

    _due_posts(2)
    PlatformAccount.objects.filter(platform="youtube").update(authenticated=True)
    account = PlatformAccount.objects.get(platform="youtube")
    account.credentials = {"token": "yt-s3cret"}
    account.save()
    assert (
        services.dispatch_due_posts(clock=timezone.now, worker="w", uploader_for=lambda _: Capturing()).completed == 2
    )
    assert Capturing.seen["youtube"] == {"token": "yt-s3cret"}

    # Stored under a key no longer configured: the uploads go ahead without them, and it is logged.
    _due_posts(1, platform="instagram")
    other = PlatformAccount.objects.get(platform="instagram")
    settings.FIELD_ENCRYPTION_KEYS = ["retired"]
    other.credentials = {"token": "ig"}
    other.save()
    settings.FIELD_ENCRYPTION_KEYS = ["current"]
    assert (
        services.dispatch_due_posts(clock=timezone.now, worker="w", uploader_for=lambda _: Capturing()).completed == 1
    )
    assert Capturing.seen["instagram"] == {}
    assert "cannot be decrypted" in caplog.text
