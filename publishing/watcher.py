"""The clip watcher: finds finished video files in a folder and hands each to ``register_clip`` once.

A file is finished when it has not been written for ``settle_seconds`` (its
mtime) and has not grown since the previous look (when watching continuously,
a file must have been seen at the same size twice; a single ``--once`` scan
goes by the mtime alone). Files already registered
(the database knows their path) are skipped, so restarting the watcher never
schedules a clip twice. A file that breaks the source rules (a symbolic link
leading out of the media roots, see publishing/sources.py) is refused and logged
once, never scheduled.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.utils import timezone

from config.errors import DomainError
from publishing import services, sources
from publishing.generators import GenerationError

logger = logging.getLogger(__name__)

VIDEO_EXTENSIONS = frozenset({".mp4", ".mov", ".mkv", ".webm", ".avi", ".m4v"})
# After a failure the file is looked at again this much later (the AI backend may be back by then).
RETRY_AFTER_SECONDS = 60.0


@dataclass
class ScanResult:
    registered: list[services.RegisteredClip] = field(default_factory=list)
    failed: list[tuple[Path, str]] = field(default_factory=list)
    waiting: list[Path] = field(default_factory=list)


class ClipWatcher:
    def __init__(
        self,
        folder: str | Path,
        *,
        settle_seconds: float = 5.0,
        game_context: str = "",
        confirm_size: bool = True,
        register: Callable[..., services.RegisteredClip | None] = services.register_clip,
    ):
        self.folder = Path(folder)
        self.settle_seconds = settle_seconds
        self.game_context = game_context
        self.confirm_size = confirm_size
        self.register = register
        self._sizes: dict[Path, int] = {}
        self._done: set[Path] = set()
        self._retry_at: dict[Path, float] = {}

    def video_files(self) -> list[Path]:
        return sorted(
            path
            for path in self.folder.iterdir()
            if path.is_file() and path.suffix.lower() in VIDEO_EXTENSIONS and not path.name.startswith(".")
        )

    def finished_files(self, now: float) -> tuple[list[Path], list[Path]]:
        """(finished, still growing) among the folder's video files not handled yet."""
        finished, growing = [], []
        for path in self.video_files():
            if path in self._done or self._retry_at.get(path, 0) > now:
                continue
            try:
                stat = path.stat()
            except FileNotFoundError:
                continue
            previous = self._sizes.get(path)
            self._sizes[path] = stat.st_size
            quiet = now - stat.st_mtime >= self.settle_seconds
            same_size = previous == stat.st_size if self.confirm_size else previous in (None, stat.st_size)
            if stat.st_size > 0 and quiet and same_size:
                finished.append(path)
            else:
                growing.append(path)
        return finished, growing

    def scan(self) -> ScanResult:
        result = ScanResult()
        finished, result.waiting = self.finished_files(time.time())
        for path in finished:
            try:
                registered = self.register(path=path, now=timezone.now(), game_context=self.game_context)
            except sources.SourceRefused as exc:
                if isinstance(exc, sources.SourceMissing):  # gone meanwhile, or still syncing
                    self._retry_at[path] = time.time() + RETRY_AFTER_SECONDS
                else:  # a rule, not a moment: looking again would not change the answer
                    self._done.add(path)
                logger.warning("clip %s refused: %s", path, exc.reason)
                result.failed.append((path, exc.detail))
                continue
            except (GenerationError, DomainError) as exc:
                detail = getattr(exc, "detail", None) or str(exc)
                errors = getattr(exc, "errors", None)
                message = f"{detail} {errors}" if errors else detail
                logger.warning("clip %s not scheduled: %s", path, message)
                result.failed.append((path, message))
                self._retry_at[path] = time.time() + RETRY_AFTER_SECONDS
                continue
            self._done.add(path)
            self._sizes.pop(path, None)
            if registered is not None:
                result.registered.append(registered)
        return result
