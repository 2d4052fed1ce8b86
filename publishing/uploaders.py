"""Uploaders: how a post reaches its platform, behind one small interface.

``settings.PUBLISHING_UPLOADER`` picks them:

- ``"outbox"`` (default): copies the video into ``PUBLISHING_OUTBOX_DIR`` and
  returns a permalink to the copy;
- ``"http"``: multipart POST to ``PUBLISHING_HTTP_ENDPOINT``;
- a dotted path to a class with the same interface;
- per platform: ``"outbox,youtube=http"`` (the bare name is the default).

Every upload carries the post's idempotency key. An uploader must treat a
second upload with the same key as the same publication (the outbox returns
the permalink it made the first time without copying again; the HTTP
uploader sends the key as ``Idempotency-Key`` for the endpoint to honour).
This is what makes a post reclaimed from a dead worker publish once.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple, Protocol
from urllib.parse import urlparse

import httpx
from django.conf import settings
from django.utils.module_loading import import_string

IDEMPOTENCY_HEADER = "Idempotency-Key"


_NO_CREDENTIALS: Mapping[str, Any] = MappingProxyType({})


class UploadRequest(NamedTuple):
    """One publication to make. Immutable; a tuple rather than a frozen dataclass because
    the dispatcher builds one per post on its hot path (about 4× cheaper to create)."""

    post_id: int
    platform: str
    idempotency_key: str
    source: str
    filename: str
    title: str
    caption: str
    hashtags: tuple[str, ...] = ()
    account_handle: str = ""
    credentials: Mapping[str, Any] = _NO_CREDENTIALS  # read-only; shared by the posts of one account

    def __repr__(self) -> str:  # never the credentials
        return (
            f"UploadRequest(post_id={self.post_id!r}, platform={self.platform!r}, "
            f"idempotency_key={self.idempotency_key!r}, source={self.source!r})"
        )


class UploadResult(NamedTuple):
    external_id: str
    url: str

    def as_dict(self) -> dict[str, str]:
        return {"external_id": self.external_id, "url": self.url}


class UploadError(Exception):
    """The upload did not happen (or we cannot know that it did); the dispatcher may retry."""


class Uploader(Protocol):
    def upload(self, request: UploadRequest) -> UploadResult: ...


def is_url(source: str) -> bool:
    return urlparse(source).scheme in ("http", "https")


def _safe_name(filename: str, fallback: str) -> str:
    name = Path(filename).name.strip() or fallback
    return "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in name)[:150]


class OutboxUploader:
    """Publishes by copying the video into ``<outbox>/<platform>/<key>/``; the permalink is the copy's URL.

    ``<key>.json`` is written last and records the publication: seeing it, a later
    upload with the same key returns its permalink and copies nothing. A lock
    file per key keeps two uploads of the same key from copying at once.
    """

    def __init__(self, outbox_dir: str | os.PathLike | None = None):
        self.outbox = Path(outbox_dir or settings.PUBLISHING_OUTBOX_DIR).resolve()

    def upload(self, request: UploadRequest) -> UploadResult:
        platform_dir = self.outbox / request.platform
        platform_dir.mkdir(parents=True, exist_ok=True)
        manifest = platform_dir / f"{request.idempotency_key}.json"
        lock_path = platform_dir / f"{request.idempotency_key}.lock"
        with open(lock_path, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if manifest.exists():
                return UploadResult(**json.loads(manifest.read_text()))
            target_dir = platform_dir / request.idempotency_key
            target_dir.mkdir(exist_ok=True)
            target = target_dir / _safe_name(request.filename or request.source, f"post-{request.post_id}.mp4")
            self._copy(request.source, target)
            (target_dir / "post.json").write_text(
                json.dumps(
                    {
                        "post_id": request.post_id,
                        "platform": request.platform,
                        "title": request.title,
                        "caption": request.caption,
                        "hashtags": list(request.hashtags),
                    },
                    indent=2,
                )
            )
            result = UploadResult(external_id=f"{request.platform}-{request.idempotency_key}", url=target.as_uri())
            _atomic_write(manifest, json.dumps(result.as_dict()))
            return result

    def _copy(self, source: str, target: Path) -> None:
        partial = target.with_name(target.name + ".part")
        try:
            if is_url(source):
                with httpx.stream("GET", source, timeout=_timeout(), follow_redirects=True) as response:
                    if response.status_code >= 400:
                        raise UploadError(f"Fetching {source} failed: HTTP {response.status_code}.")
                    with open(partial, "wb") as out:
                        for chunk in response.iter_bytes():
                            out.write(chunk)
            else:
                if not os.path.isfile(source):
                    raise UploadError(f"Video file not found: {source}")
                shutil.copyfile(source, partial)
        except httpx.HTTPError as exc:
            raise UploadError(f"Fetching {source} failed: {exc.__class__.__name__}: {exc}") from exc
        except OSError as exc:
            raise UploadError(f"Copying {source} into the outbox failed: {exc}") from exc
        os.replace(partial, target)


def _atomic_write(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    with os.fdopen(fd, "w") as out:
        out.write(text)
    os.replace(tmp, path)


def _timeout() -> httpx.Timeout:
    seconds = float(getattr(settings, "PUBLISHING_HTTP_TIMEOUT", 300))
    return httpx.Timeout(seconds, connect=min(seconds, 10.0))


class HttpUploader:
    """Multipart POST of the video and its text to an endpoint, with the ``Idempotency-Key`` header.

    A 2xx reply must be JSON with ``id`` and ``url`` (the permalink). Timeouts,
    connection errors, non-2xx replies and malformed bodies are UploadErrors.
    """

    def __init__(self, endpoint: str | None = None, *, timeout: httpx.Timeout | float | None = None):
        self.endpoint = endpoint if endpoint is not None else settings.PUBLISHING_HTTP_ENDPOINT
        self.timeout = timeout if timeout is not None else _timeout()

    def upload(self, request: UploadRequest) -> UploadResult:
        if not self.endpoint:
            raise UploadError("PUBLISHING_HTTP_ENDPOINT is not set.")
        data = {
            "post_id": str(request.post_id),
            "platform": request.platform,
            "title": request.title,
            "caption": request.caption,
            "hashtags": " ".join(request.hashtags),
            "account": request.account_handle,
        }
        headers = {IDEMPOTENCY_HEADER: request.idempotency_key}
        try:
            if is_url(request.source):
                response = httpx.post(
                    self.endpoint, data={**data, "video_url": request.source}, headers=headers, timeout=self.timeout
                )
            else:
                if not os.path.isfile(request.source):
                    raise UploadError(f"Video file not found: {request.source}")
                with open(request.source, "rb") as video:
                    name = _safe_name(request.filename or request.source, "video.mp4")
                    response = httpx.post(
                        self.endpoint,
                        data=data,
                        files={"file": (name, video, "application/octet-stream")},
                        headers=headers,
                        timeout=self.timeout,
                    )
        except httpx.TimeoutException as exc:
            raise UploadError(f"Upload to {self.endpoint} timed out ({exc.__class__.__name__}).") from exc
        except httpx.HTTPError as exc:
            raise UploadError(f"Upload to {self.endpoint} failed: {exc.__class__.__name__}: {exc}") from exc
        except OSError as exc:
            raise UploadError(f"Reading {request.source} failed: {exc}") from exc
        if not response.is_success:
            raise UploadError(f"Upload endpoint answered HTTP {response.status_code}: {response.text[:200]}")
        try:
            body = response.json()
            external_id, url = str(body["id"]), str(body["url"])
        except (ValueError, KeyError, TypeError) as exc:
            raise UploadError(f"Upload endpoint answered {response.status_code} without JSON id and url.") from exc
        return UploadResult(external_id=external_id[:255], url=url[:1000])


BUILTIN = {"outbox": OutboxUploader, "http": HttpUploader}


def _make(name: str) -> Uploader:
    name = name.strip()
    cls = BUILTIN.get(name) or import_string(name)
    return cls()


def uploader_names(setting: str) -> tuple[str, dict[str, str]]:
    """``"outbox,youtube=http"`` → (``"outbox"``, ``{"youtube": "http"}``)."""
    default, per_platform = "outbox", {}
    for part in (setting or "").split(","):
        part = part.strip()
        if not part:
            continue
        if "=" in part:
            platform, _, name = part.partition("=")
            per_platform[platform.strip()] = name.strip()
        else:
            default = part
    return default, per_platform


def get_uploader(platform: str) -> Uploader:
    """The uploader settings choose for ``platform``."""
    default, per_platform = uploader_names(settings.PUBLISHING_UPLOADER)
    return _make(per_platform.get(platform, default))
