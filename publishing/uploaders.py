"""Uploaders: how a post reaches its platform, behind one small interface.

``settings.PUBLISHING_UPLOADER`` picks them:

- ``"outbox"`` (default): copies the video into ``PUBLISHING_OUTBOX_DIR``; the permalink is
  the copy under ``PUBLISHING_OUTBOX_URL`` (none when that is not set);
- ``"http"``: multipart POST to ``PUBLISHING_HTTP_ENDPOINT``;
- a dotted path to a class with the same interface;
- per platform: ``"outbox,youtube=http"`` (the bare name is the default).

Every upload carries the post's idempotency key. An uploader must treat a
second upload with the same key as the same publication (the outbox returns
the permalink it made the first time without copying again; the HTTP
uploader sends the key as ``Idempotency-Key`` for the endpoint to honour).
This is what makes a post reclaimed from a dead worker publish once.

Uploaders read a video only through ``publishing.sources`` (``open_local``, ``fetch``,
``check_url``): the source rules are checked again at upload time, on the file actually
opened. A custom uploader must do the same. Their error messages are shown to every role
(``last_error``): they say what went wrong in our words, never what a remote host said.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple, Protocol
from urllib.parse import quote

import httpx
from django.conf import settings
from django.utils.module_loading import import_string

from publishing import sources

logger = logging.getLogger(__name__)

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
    """The upload did not happen (or we cannot know that it did); the dispatcher may retry.

    ``final``: retrying cannot help (the source breaks a rule): the post fails at once.
    """

    def __init__(self, message: str, *, final: bool = False):
        super().__init__(message)
        self.final = final


class Uploader(Protocol):
    def upload(self, request: UploadRequest) -> UploadResult: ...


is_url = sources.is_url

# A permalink is stored and rendered as a link only when it is an absolute http(s) URL with a
# host and no whitespace or control character (browsers drop those, so "java\tscript:" works).
_PERMALINK = re.compile(r"https?://[^\s\x00-\x1f\x7f/?#\\@]+(?:[/?#][^\s\x00-\x1f\x7f]*)?", re.IGNORECASE)


def safe_permalink(url: str | None) -> str:
    """``url`` if it is an http(s) URL (SPEC §4: stored permalinks are http(s) only), else ""."""
    url = (url or "").strip()
    return url if len(url) <= 1000 and _PERMALINK.fullmatch(url) else ""


def _refused(exc: sources.SourceRefused) -> UploadError:
    """A broken rule ends the post; a file or host that may yet appear is retried."""
    return UploadError(exc.detail, final=not isinstance(exc, sources.SourceMissing))


def _safe_name(filename: str, fallback: str) -> str:
    name = Path(filename).name.strip() or fallback
    return "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in name)[:150]


class OutboxUploader:
    """Publishes by copying the video into ``<outbox>/<platform>/<key>/``.

    The permalink is the copy's address under ``PUBLISHING_OUTBOX_URL`` (an http(s) base URL
    that serves the outbox folder); without it the post records no permalink (never a
    ``file://`` URI: stored permalinks are http(s) only). ``<key>.json`` is written last and
    records the publication: seeing it, a later upload with the same key returns its
    permalink and copies nothing. A lock file per key keeps two uploads of the same key from
    copying at once.
    """

    def __init__(
        self,
        outbox_dir: str | os.PathLike | None = None,
        *,
        base_url: str | None = None,
        rules: sources.Policy | None = None,
    ):
        self.outbox = Path(outbox_dir or settings.PUBLISHING_OUTBOX_DIR).resolve()
        self.base_url = base_url if base_url is not None else getattr(settings, "PUBLISHING_OUTBOX_URL", "")
        self.rules = rules

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
                        "file": str(target),
                    },
                    indent=2,
                )
            )
            result = UploadResult(external_id=f"{request.platform}-{request.idempotency_key}", url=self._url(target))
            _atomic_write(manifest, json.dumps(result.as_dict()))
            return result

    def _url(self, target: Path) -> str:
        if not self.base_url:
            return ""
        relative = target.relative_to(self.outbox).as_posix()
        return safe_permalink(f"{self.base_url.rstrip('/')}/{quote(relative)}")

    def _copy(self, source: str, target: Path) -> None:
        partial = target.with_name(target.name + ".part")
        try:
            with open(partial, "wb") as out:
                sources.copy_source(source, out, rules=self.rules or sources.policy())
        except sources.SourceRefused as exc:
            partial.unlink(missing_ok=True)
            raise _refused(exc) from None
        except sources.FetchFailed as exc:
            partial.unlink(missing_ok=True)
            raise UploadError(str(exc)) from None
        except OSError as exc:
            partial.unlink(missing_ok=True)
            logger.warning("copying %s into the outbox failed", source, exc_info=True)
            raise UploadError(f"Copying the video into the outbox failed ({exc.strerror or 'I/O error'}).") from None
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

    A local video is sent as the ``file`` part (opened through ``sources.open_local``); a URL
    source, checked again by ``sources.check_url``, is sent by reference (``video_url``) for the
    platform to fetch. A 2xx reply must be JSON with ``id`` and ``url`` (the permalink; one that
    is not http(s) is dropped by the dispatcher). Timeouts, connection errors, non-2xx replies
    and malformed bodies are UploadErrors that name the HTTP status, never the body (it is
    logged for the operator).
    """

    def __init__(
        self,
        endpoint: str | None = None,
        *,
        timeout: httpx.Timeout | float | None = None,
        rules: sources.Policy | None = None,
    ):
        self.endpoint = endpoint if endpoint is not None else settings.PUBLISHING_HTTP_ENDPOINT
        self.timeout = timeout if timeout is not None else _timeout()
        self.rules = rules

    def upload(self, request: UploadRequest) -> UploadResult:
        if not self.endpoint:
            raise UploadError("PUBLISHING_HTTP_ENDPOINT is not set.")
        rules = self.rules or sources.policy()
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
            if sources.is_url(request.source):
                sources.check_url(request.source, rules=rules)
                response = httpx.post(
                    self.endpoint, data={**data, "video_url": request.source}, headers=headers, timeout=self.timeout
                )
            else:
                with sources.open_local(request.source, rules=rules) as video:
                    name = _safe_name(request.filename or request.source, "video.mp4")
                    response = httpx.post(
                        self.endpoint,
                        data=data,
                        files={"file": (name, video, "application/octet-stream")},
                        headers=headers,
                        timeout=self.timeout,
                    )
        except sources.SourceRefused as exc:
            raise _refused(exc) from None
        except httpx.TimeoutException as exc:
            raise UploadError(f"Upload to the platform endpoint timed out ({exc.__class__.__name__}).") from None
        except httpx.HTTPError as exc:
            logger.warning("upload of post %s to %s failed: %r", request.post_id, self.endpoint, exc)
            raise UploadError(f"Upload to the platform endpoint failed ({exc.__class__.__name__}).") from None
        except OSError as exc:
            logger.warning("reading %s for post %s failed", request.source, request.post_id, exc_info=True)
            raise UploadError(f"Reading the video failed ({exc.strerror or 'I/O error'}).") from None
        if not response.is_success:
            logger.warning(
                "upload endpoint answered HTTP %s for post %s: %.500s", response.status_code, request.post_id,
                response.text,
            )  # fmt: skip
            raise UploadError(f"Upload endpoint answered HTTP {response.status_code}.")
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
