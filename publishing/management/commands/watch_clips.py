"""python manage.py watch_clips <folder> — registers, describes and schedules each finished clip."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from publishing import sources
from publishing.watcher import ClipWatcher


class Command(BaseCommand):
    help = (
        "Watches a folder: each new video file, once it has stopped growing, is registered, given a title, "
        "caption and hashtags by the generator (active AI template), and scheduled on every authenticated "
        "platform at the next free, spaced slot."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder")
        parser.add_argument("--once", action="store_true", help="Scan once and exit (tests, cron).")
        parser.add_argument("--interval", type=float, default=5.0, help="Seconds between scans (default 5).")
        parser.add_argument(
            "--settle", type=float, default=5.0, help="Seconds a file must stay unwritten to count as finished."
        )
        parser.add_argument("--game-context", default="", help="Game context for the generator (default: gaming).")

    def handle(self, *args, folder, once, interval, settle, game_context, **options):
        watcher = ClipWatcher(folder, settle_seconds=settle, game_context=game_context, confirm_size=not once)
        if not watcher.folder.is_dir():
            raise CommandError(f"{folder} is not a folder.")
        if not sources.inside_media_roots(watcher.folder):
            # Every clip in it would be refused as a source: say so once, up front.
            raise CommandError(f"{folder} is not under the media roots (PUBLISHING_MEDIA_ROOTS).")
        if not once:
            self.stdout.write(f"Watching {watcher.folder.resolve()} every {interval:g} s (Ctrl-C to stop).")
        try:
            while True:
                self.report(watcher.scan())
                if once:
                    return
                time.sleep(interval)
                # A long-running watcher must not keep a stale connection between scans.
                close_old_connections()
        except KeyboardInterrupt:
            self.stdout.write("Stopped.")

    def report(self, result):
        for clip in result.registered:
            if clip.posts:
                when = clip.posts[0].scheduled_time.isoformat()
                platforms = ", ".join(post.platform for post in clip.posts)
                self.stdout.write(self.style.SUCCESS(f"Scheduled {clip.video.source} on {platforms} at {when}"))
            else:
                self.stdout.write(f"Registered {clip.video.source} (no authenticated platform to schedule on)")
        for path, message in result.failed:
            self.stderr.write(f"Not scheduled {path}: {message}")
        for path in result.waiting:
            self.stdout.write(f"Waiting for {path.name} to finish")
