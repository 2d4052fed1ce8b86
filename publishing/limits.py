"""Each platform's content limits and hashtag handling: pure, no Django.

SPEC §4: YouTube title ≤ 100 characters and description ≤ 5,000; Instagram
caption ≤ 2,200 and ≤ 30 hashtags; TikTok caption ≤ 2,200. A video's
``caption`` is YouTube's description. Instagram counts every hashtag of the
post, those written in the caption as well as the hashtag list.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

HASHTAG_RE = re.compile(r"#(\w+)", re.UNICODE)
TAG_BODY_RE = re.compile(r"^\w+$", re.UNICODE)
MAX_TAG_LENGTH = 100


@dataclass(frozen=True)
class Content:
    title: str
    caption: str
    hashtags: tuple[str, ...] = ()


@dataclass(frozen=True)
class PlatformLimits:
    label: str
    title_max: int | None = None
    title_required: bool = False
    caption_max: int | None = None
    caption_name: str = "caption"
    hashtags_max: int | None = None


LIMITS: dict[str, PlatformLimits] = {
    "youtube": PlatformLimits(
        label="YouTube", title_max=100, title_required=True, caption_max=5000, caption_name="description"
    ),
    "instagram": PlatformLimits(label="Instagram", caption_max=2200, hashtags_max=30),
    "tiktok": PlatformLimits(label="TikTok", caption_max=2200),
}


class HashtagError(ValueError):
    """A value that is not a hashtag (the message names it)."""


def normalize_hashtags(value: str | Iterable[str] | None) -> list[str]:
    """``"#a b, #c"`` or ``["a", "#b"]`` → ``["#a", "#b", "#c"]`` (deduplicated, case kept, order kept).

    Raises HashtagError naming the first bad tag (empty, spaces or punctuation inside).
    """
    if value is None:
        return []
    if isinstance(value, str):
        parts = re.split(r"[\s,]+", value)
    else:
        parts = []
        for item in value:
            if not isinstance(item, str):
                raise HashtagError(f"Hashtags are strings, not {type(item).__name__}.")
            parts.extend(re.split(r"[\s,]+", item))
    tags: list[str] = []
    seen: set[str] = set()
    for part in parts:
        if not part:
            continue
        body = part[1:] if part.startswith("#") else part
        if not TAG_BODY_RE.match(body):
            raise HashtagError(f"{part!r} is not a hashtag (letters, digits and _ only).")
        if len(body) > MAX_TAG_LENGTH:
            raise HashtagError(f"{part[:20]!r}… is longer than {MAX_TAG_LENGTH} characters.")
        if body.lower() not in seen:
            seen.add(body.lower())
            tags.append("#" + body)
    return tags


def count_hashtags(content: Content) -> int:
    """Distinct hashtags of the post: the list plus any written in the caption (case-insensitive)."""
    tags = {tag.lstrip("#").lower() for tag in content.hashtags}
    tags.update(match.lower() for match in HASHTAG_RE.findall(content.caption))
    return len(tags)


def content_errors(platform: str, content: Content) -> dict[str, list[str]]:
    """Field → messages for every limit ``content`` breaks on ``platform`` (empty when it fits)."""
    limits = LIMITS.get(platform)
    if limits is None:
        return {}
    errors: dict[str, list[str]] = {}
    if limits.title_required and not content.title.strip():
        errors.setdefault("title", []).append(f"{limits.label} needs a title.")
    if limits.title_max is not None and len(content.title) > limits.title_max:
        errors.setdefault("title", []).append(
            f"{limits.label} titles are limited to {limits.title_max:,} characters; this one has "
            f"{len(content.title):,}."
        )
    if limits.caption_max is not None and len(content.caption) > limits.caption_max:
        errors.setdefault("caption", []).append(
            f"{limits.label} {limits.caption_name}s are limited to {limits.caption_max:,} characters; this one has "
            f"{len(content.caption):,}."
        )
    if limits.hashtags_max is not None:
        count = count_hashtags(content)
        if count > limits.hashtags_max:
            errors.setdefault("hashtags", []).append(
                f"{limits.label} allows at most {limits.hashtags_max} hashtags per post; this one has {count}."
            )
    return errors


def merged_errors(platforms: Iterable[str], content: Content) -> dict[str, list[str]]:
    """``content_errors`` over several platforms, merged per field."""
    merged: dict[str, list[str]] = {}
    for platform in platforms:
        for field, messages in content_errors(platform, content).items():
            merged.setdefault(field, []).extend(messages)
    return merged
