"""Metadata generators: a prompt (and the clip's filename and game) in, title / caption / hashtags out.

Two backends behind one interface, chosen by settings:

- ``OfflineGenerator`` (default; no network): deterministic, builds the words
  from the filename and the game context and follows what it can read in the
  template (emojis or not, tone, length, hashtags the template asks for);
- ``OpenAIChatGenerator``: an OpenAI-compatible ``/chat/completions`` endpoint
  (``LLM_BASE_URL``, ``LLM_API_KEY``, ``LLM_MODEL``), used when ``LLM_BASE_URL``
  is set (or ``PUBLISHING_GENERATOR = "openai"``).

Every result, from either backend, passes ``validate_metadata``: JSON-shaped,
title 1–100 characters, caption ≤ 2,200, 10–15 hashtags. A reply that breaks
any of it raises ``InvalidReply`` — callers never get half-filled metadata.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import httpx
from django.conf import settings

from config.parsers import loads_bounded
from publishing.limits import HashtagError, normalize_hashtags

TITLE_MAX = 100
CAPTION_MAX = 2200
HASHTAGS_MIN = 10
HASHTAGS_MAX = 15

DEFAULT_PROMPT = """You are a social media expert creating engaging content for gaming videos.

Given a video filename: {filename}
Game context: {game_context}

Generate:
1. An exciting, click-worthy title (max 100 chars)
2. An engaging caption with emojis (max 2200 chars)
3. 10-15 relevant hashtags

Format as JSON:
{
  "title": "...",
  "caption": "...",
  "hashtags": "#gaming #..."
}"""

SYSTEM_MESSAGE = (
    "You write social media metadata for short gaming videos. Answer with one JSON object only, with the keys "
    '"title" (at most 100 characters), "caption" (at most 2200 characters) and "hashtags" '
    "(10 to 15 hashtags, as a list or one space-separated string)."
)


@dataclass(frozen=True)
class Metadata:
    title: str
    caption: str
    hashtags: tuple[str, ...]

    def as_dict(self) -> dict:
        return {"title": self.title, "caption": self.caption, "hashtags": list(self.hashtags)}


class GenerationError(Exception):
    """Generation failed; nothing may be written from it."""


class InvalidReply(GenerationError):
    """The backend answered, but not with valid metadata (not JSON, or a limit broken)."""


class GenerationUnavailable(GenerationError):
    """The backend could not be reached or failed (timeout, connection error, HTTP error)."""


class Generator(Protocol):
    def generate(self, *, prompt: str, filename: str, game_context: str) -> Metadata: ...


TEMPLATE_VARIABLES = ("filename", "game_context")
# A variable is a bare name in braces; a JSON example ({"title": ...}) is not one.
_VARIABLE_RE = re.compile(r"\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}")


def unknown_variables(template_text: str) -> list[str]:
    """The ``{name}`` placeholders of a template other than ``{filename}`` and ``{game_context}``,
    in order of appearance (each once): they would be sent to the model unfilled."""
    names = []
    for match in _VARIABLE_RE.finditer(template_text or ""):
        if match.group(1) not in TEMPLATE_VARIABLES and match.group(0) not in names:
            names.append(match.group(0))
    return names


def validate_template_text(template_text: str) -> None:
    """Django validator (model field, DRF serializer, admin form): only the two variables."""
    from django.core.exceptions import ValidationError

    unknown = unknown_variables(template_text)
    if unknown:
        raise ValidationError(
            f"Unknown variable{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}: a template may use only "
            "{filename} and {game_context}.",
            code="unknown_variable",
        )


def render_prompt(template_text: str, *, filename: str, game_context: str) -> str:
    """Fills ``{filename}`` and ``{game_context}``; other braces (a JSON example) stay as written."""
    return template_text.replace("{filename}", filename).replace("{game_context}", game_context)


def validate_metadata(data: object) -> Metadata:
    """Checks a decoded reply against the limits; raises InvalidReply listing every problem."""
    if not isinstance(data, dict):
        raise InvalidReply("The reply is not a JSON object with title, caption and hashtags.")
    problems = []
    title, caption, raw_tags = data.get("title"), data.get("caption"), data.get("hashtags")
    if not isinstance(title, str) or not title.strip():
        problems.append("title is missing or not text")
    elif len(title.strip()) > TITLE_MAX:
        problems.append(f"title has {len(title.strip())} characters (limit {TITLE_MAX})")
    if not isinstance(caption, str):
        problems.append("caption is missing or not text")
    elif len(caption.strip()) > CAPTION_MAX:
        problems.append(f"caption has {len(caption.strip())} characters (limit {CAPTION_MAX})")
    tags: list[str] = []
    if not isinstance(raw_tags, str | list):
        problems.append("hashtags are missing (a list or a space-separated string)")
    else:
        try:
            tags = normalize_hashtags(raw_tags)
        except HashtagError as exc:
            problems.append(f"hashtags: {exc}")
        else:
            if not HASHTAGS_MIN <= len(tags) <= HASHTAGS_MAX:
                problems.append(f"{len(tags)} hashtags (need {HASHTAGS_MIN}–{HASHTAGS_MAX})")
    if problems:
        raise InvalidReply("The AI reply is not valid: " + "; ".join(problems) + ".")
    return Metadata(title=title.strip(), caption=caption.strip(), hashtags=tuple(tags))


_FENCE_RE = re.compile(r"^```(?:json)?\s*(.*?)\s*```$", re.DOTALL)


def parse_reply(content: str) -> Metadata:
    """The model's message text → Metadata (tolerates a ```json fence around the object)."""
    text = content.strip()
    fenced = _FENCE_RE.match(text)
    if fenced:
        text = fenced.group(1)
    try:
        data = loads_bounded(text)
    except ValueError as exc:
        raise InvalidReply(f"The AI reply is not JSON: {content[:120]!r}") from exc
    return validate_metadata(data)


# --- offline ---------------------------------------------------------------------

# Words a recorder puts in file names that say nothing about the clip.
_NOISE = {
    "clip", "clips", "replay", "recording", "record", "obs", "final", "edit", "edited", "export", "video", "vid",
    "mp4", "mov", "mkv", "webm", "raw", "take", "copy", "new", "untitled", "highlight", "shadowplay", "capture",
}  # fmt: skip
_POOL = [
    "#gaming", "#gamer", "#gameplay", "#highlights", "#clips", "#videogames", "#gamingcommunity", "#twitch",
    "#streamer", "#epic", "#fyp", "#viral", "#foryou", "#explore", "#pcgaming",
]  # fmt: skip
_OPENERS = {
    "hype": ["This one is unreal!", "Absolute scenes!", "We were NOT ready for this.", "Drop everything and watch."],
    "funny": ["I can't stop laughing at this.", "Well… that happened.", "Peak comedy, no script."],
    "calm": ["A clean play worth a second look.", "Here is a moment from today's session.", "Worth a rewatch."],
}
_CLOSERS = [
    "Would you have made the same call?",
    "Follow for more clips like this.",
    "Tag a friend who needs to see this.",
    "Drop your best play in the comments.",
]
_TITLES = [
    "{phrase} in {game}",
    "Insane {phrase} | {game}",
    "You Won't Believe This {phrase} ({game})",
    "{game}: The {phrase} Moment",
    "This {phrase} Was Unreal | {game}",
]
_EMOJI = ["🔥", "🎮", "😱", "💥", "🏆", "⚡"]


def filename_words(filename: str) -> list[str]:
    """``"valorant_ClutchAce-2024-05-01.mp4"`` → ``["valorant", "Clutch", "Ace"]`` (no dates, numbers, noise)."""
    stem = Path(filename).stem
    stem = re.sub(r"([a-z])([A-Z])", r"\1 \2", stem)
    words = [w for w in re.split(r"[^0-9A-Za-z]+", stem) if w]
    return [w for w in words if not w.isdigit() and w.lower() not in _NOISE and len(w) > 1]


def _tag(text: str) -> str:
    return "#" + re.sub(r"[^0-9a-z_]", "", text.lower())


class OfflineGenerator:
    """Deterministic metadata without any network: same prompt, filename and game → same result."""

    def generate(self, *, prompt: str, filename: str, game_context: str) -> Metadata:
        digest = hashlib.sha256(f"{prompt}\0{filename}\0{game_context}".encode()).digest()
        pick = iter(digest)

        def choose(options: list[str]) -> str:
            return options[next(pick) % len(options)]

        lowered = prompt.lower()
        emojis = "emoji" in lowered
        tone = "funny" if "funny" in lowered or "humor" in lowered else "calm" if "professional" in lowered else "hype"
        short = "short" in lowered or "brief" in lowered
        game = (game_context or "gaming").strip() or "gaming"
        game_title = game if game.lower() == "gaming" else game.title()
        words = filename_words(filename)
        phrase_words = [w for w in words if w.lower() not in game.lower().split()]
        phrase = " ".join(w.capitalize() for w in phrase_words[:6]) or "Big Play"

        title = choose(_TITLES).format(phrase=phrase, game=game_title)
        if emojis:
            title = f"{title} {choose(_EMOJI)}"
        title = _clip(title, TITLE_MAX)

        sentences = [choose(_OPENERS[tone]), f"{phrase} in {game_title}."]
        if not short:
            sentences.append(choose(_CLOSERS))
        caption = " ".join(sentences)
        if emojis:
            caption = f"{choose(_EMOJI)} {caption} {choose(_EMOJI)}"
        caption = _clip(caption, CAPTION_MAX)

        # Hashtags the template itself asks for come first (its JSON example's "#..." is skipped).
        wanted = [t for t in re.findall(r"#\w+", prompt) if t != "#"]
        candidates = wanted + [_tag(game), _tag(game.replace(" ", ""))] + [_tag(w) for w in phrase_words] + _POOL
        tags: list[str] = []
        for tag in candidates:
            if 2 < len(tag) <= 31 and tag.lower() not in {t.lower() for t in tags}:
                tags.append(tag)
        return validate_metadata({"title": title, "caption": caption, "hashtags": tags[:12]})


def _clip(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(" |:(") + "…"


# --- OpenAI-compatible -------------------------------------------------------------


class OpenAIChatGenerator:
    """POST ``{LLM_BASE_URL}/chat/completions``; the reply's message must be the metadata JSON."""

    def __init__(self, *, base_url: str | None = None, api_key: str | None = None, model: str | None = None,
                 timeout: float | None = None):  # fmt: skip
        self.base_url = (base_url if base_url is not None else settings.LLM_BASE_URL).rstrip("/")
        self.api_key = api_key if api_key is not None else settings.LLM_API_KEY
        self.model = model or settings.LLM_MODEL
        self.timeout = timeout if timeout is not None else float(getattr(settings, "LLM_TIMEOUT", 30))

    def generate(self, *, prompt: str, filename: str, game_context: str) -> Metadata:
        if not self.base_url:
            raise GenerationUnavailable("LLM_BASE_URL is not set.")
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        body = {
            "model": self.model,
            "messages": [{"role": "system", "content": SYSTEM_MESSAGE}, {"role": "user", "content": prompt}],
            "temperature": 0.7,
            "response_format": {"type": "json_object"},
        }
        url = f"{self.base_url}/chat/completions"
        try:
            response = httpx.post(url, json=body, headers=headers, timeout=self.timeout)
        except httpx.TimeoutException as exc:
            raise GenerationUnavailable(f"The AI backend at {self.base_url} timed out.") from exc
        except httpx.HTTPError as exc:
            raise GenerationUnavailable(f"The AI backend at {self.base_url} is unreachable: {exc}") from exc
        if not response.is_success:
            raise GenerationUnavailable(f"The AI backend answered HTTP {response.status_code}: {response.text[:200]}")
        try:
            content = response.json()["choices"][0]["message"]["content"]
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise InvalidReply("The AI backend's answer has no choices[0].message.content.") from exc
        if not isinstance(content, str):
            raise InvalidReply("The AI backend's message content is not text.")
        return parse_reply(content)


def get_generator() -> Generator:
    """The backend settings choose: ``PUBLISHING_GENERATOR`` if set, else OpenAI when LLM_BASE_URL is set."""
    name = getattr(settings, "PUBLISHING_GENERATOR", "") or ("openai" if settings.LLM_BASE_URL else "offline")
    if name == "openai":
        return OpenAIChatGenerator()
    return OfflineGenerator()
