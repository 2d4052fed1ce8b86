"""Videos: create, edit, delete, with their content checked against every platform's limits."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlparse

from django.db import IntegrityError, transaction

from config.errors import Conflict, InvalidInput
from publishing import sources
from publishing.limits import Content, HashtagError, merged_errors, normalize_hashtags
from publishing.models import PostStatus, Video

# --- videos ----------------------------------------------------------------------------


def content_of(video: Video) -> Content:
    return Content(title=video.title, caption=video.caption, hashtags=tuple(video.hashtags))


def check_content(*, video: Video, platforms: Iterable[str]) -> None:
    """Raises InvalidInput naming each field and limit ``video`` breaks on any of ``platforms``."""
    platforms = list(platforms)
    errors = merged_errors(platforms, content_of(video))
    if errors:
        raise InvalidInput(f"The video does not fit the content limits of {', '.join(platforms)}.", errors=errors)


def _hashtags(value) -> list[str]:
    try:
        return normalize_hashtags(value)
    except HashtagError as exc:
        raise InvalidInput("Invalid hashtags.", errors={"hashtags": [str(exc)]}) from exc


def _filename_of(source: str) -> str:
    path = urlparse(source).path if sources.is_url(source) else source
    return Path(path).name[:255]


def checked_source(source: str) -> str:
    """The source to store (a local file as its real path), or InvalidInput naming the rule it
    breaks (SPEC §4: confined to the media roots and the allowed hosts; see publishing/sources.py)."""
    source = (source or "").strip()
    if not source:
        raise InvalidInput("A video needs a source.", errors={"source": ["This field may not be blank."]})
    return sources.check_source(source)


@transaction.atomic
def create_video(
    *,
    source: str,
    original_filename: str = "",
    title: str = "",
    caption: str = "",
    hashtags: Iterable[str] | str = (),
    game_context: str = "",
    user=None,
) -> Video:
    """Registers a video (a file path or URL, each at most once; the source must keep to the rules)."""
    given = (source or "").strip()
    source = checked_source(given)
    video = Video(
        source=source,
        original_filename=(original_filename or _filename_of(given)).strip(),
        title=title.strip(),
        caption=caption.strip(),
        hashtags=_hashtags(hashtags),
        game_context=game_context.strip(),
        created_by=user if user is not None and user.is_authenticated else None,
    )
    try:
        with transaction.atomic():
            video.save()
    except IntegrityError as exc:
        raise InvalidInput(
            "This video is already registered.", errors={"source": ["A video with this source already exists."]}
        ) from exc
    return video


@transaction.atomic
def update_video(*, video: Video, **changes) -> Video:
    """Edits a video; its words must still fit every platform it is waiting to go out on."""
    video = Video.objects.select_for_update().get(pk=video.pk)
    allowed = {"source", "original_filename", "title", "caption", "hashtags", "game_context"}
    unknown = set(changes) - allowed
    if unknown:
        raise InvalidInput("Unknown fields.", errors={name: ["Unknown field."] for name in sorted(unknown)})
    if "hashtags" in changes:
        changes["hashtags"] = _hashtags(changes["hashtags"])
    if "source" in changes:
        changes["source"] = checked_source(changes["source"])
    for name, value in changes.items():
        setattr(video, name, value.strip() if isinstance(value, str) else value)
    if "source" in changes:
        if video.posts.filter(status=PostStatus.PROCESSING).exists():
            raise Conflict("The video is being posted right now; change its source afterwards.")
        if Video.objects.filter(source=video.source).exclude(pk=video.pk).exists():
            raise InvalidInput("Duplicate source.", errors={"source": ["A video with this source already exists."]})
    # Every post that may still go out: waiting, held, or failed (a retry would publish it).
    may_go_out = (PostStatus.PENDING, PostStatus.HELD, PostStatus.FAILED)
    waiting_on = sorted(set(video.posts.filter(status__in=may_go_out).values_list("platform", flat=True)))
    if waiting_on:
        check_content(video=video, platforms=waiting_on)
    video.save()
    return video


@transaction.atomic
def delete_video(*, video: Video) -> None:
    """Deletes a video that has nothing scheduled, posting or posted (cancelled and failed posts go with it)."""
    live = video.posts.exclude(status__in=(PostStatus.CANCELLED, PostStatus.FAILED))
    if live.exists():
        raise Conflict("The video has posts that are scheduled, posting or posted; cancel them first.")
    video.posts.all().delete()
    video.delete()
