"""AI metadata: the active template, generating a clip's title, caption and hashtags, and
the clip watcher's step that registers a file and schedules it."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.db import transaction
from django.db.models.functions import Now

from config.errors import DomainError, InvalidInput
from config.services import model_update
from publishing import events, selectors, sources
from publishing.generators import DEFAULT_PROMPT, Generator, Metadata, get_generator, render_prompt, unknown_variables
from publishing.models import AITemplate, ScheduledPost, Video
from publishing.services.scheduling import schedule_video
from publishing.services.videos import create_video

TEMPLATE_FIELDS = ("name", "prompt_text")


@transaction.atomic
def create_template(*, name: str, prompt_text: str) -> AITemplate:
    template = AITemplate(name=name, prompt_text=prompt_text)
    template.full_clean()
    template.save()
    return template


@transaction.atomic
def update_template(*, template: AITemplate, **changes) -> AITemplate:
    template = AITemplate.objects.select_for_update().get(pk=template.pk)
    model_update(instance=template, fields=TEMPLATE_FIELDS, data=changes, validate=True)
    return template


@transaction.atomic
def delete_template(*, template: AITemplate) -> None:
    """The active one may go too: the built-in prompt is used until another is activated."""
    template.delete()


@transaction.atomic
def activate_template(*, template: AITemplate) -> AITemplate:
    """Makes ``template`` the one active template (the others are deactivated in the same transaction).

    Locking every template first makes concurrent activations take turns; the
    partial unique index ``publishing_one_active_template`` guards the invariant.
    """
    list(AITemplate.objects.select_for_update().order_by("pk").values_list("pk", flat=True))
    template = AITemplate.objects.get(pk=template.pk)
    AITemplate.objects.filter(is_active=True).exclude(pk=template.pk).update(is_active=False, updated_at=Now())
    if not template.is_active:
        template.is_active = True
        template.save(update_fields=["is_active", "updated_at"])
    events.publish(events.TEMPLATE_ACTIVATED, {"template_id": template.pk, "name": template.name})
    return template


class GeneratorDown(DomainError):
    """503: the AI backend could not be reached or failed."""

    status_code = 503
    default_detail = "The AI backend is unavailable."


def generate_metadata(
    *, filename: str, game_context: str, prompt_text: str | None = None, generator: Generator | None = None
) -> Metadata:
    """Title, caption and hashtags for a clip, from ``prompt_text`` or the active template (else the built-in).

    Raises a GenerationError (InvalidReply, GenerationUnavailable) rather than
    returning anything partial. Talks to the network: call it outside transactions.
    """
    if prompt_text is None:
        template = selectors.active_template()
        prompt_text = template.prompt_text if template else DEFAULT_PROMPT
    unknown = unknown_variables(prompt_text)
    if unknown:  # a template saved before the check: refuse rather than send blanks to the model
        raise InvalidInput(
            "The prompt names variables that cannot be filled.",
            errors={"prompt": [f"Unknown: {', '.join(unknown)}; use {{filename}} and {{game_context}}."]},
        )
    prompt = render_prompt(prompt_text, filename=filename, game_context=game_context)
    return (generator or get_generator()).generate(prompt=prompt, filename=filename, game_context=game_context)


@dataclass
class RegisteredClip:
    video: Video
    posts: list[ScheduledPost]


def register_clip(
    *, path: str | os.PathLike, now: datetime, game_context: str = "", generator: Generator | None = None
) -> RegisteredClip | None:
    """The clip watcher's step for one finished file: register it, give it metadata, schedule it.

    Scheduled on every authenticated platform at the next slot free on all of
    them (so successive clips are spaced). None when the file is already
    registered. Metadata is generated before anything is written: a generation
    error leaves no video and no post behind. A file that breaks the source rules (a link
    leading out of the media roots) raises SourceRefused before anything else.
    """
    source = sources.check_local(os.path.abspath(path))  # the watcher may be given a relative folder
    if Video.objects.filter(source=source).exists():
        return None
    filename = Path(path).name
    metadata = generate_metadata(filename=filename, game_context=game_context or "gaming", generator=generator)
    with transaction.atomic():
        video = create_video(
            source=source,
            original_filename=filename,
            title=metadata.title,
            caption=metadata.caption,
            hashtags=metadata.hashtags,
            game_context=game_context,
        )
        events.publish(events.VIDEO_REGISTERED, {"video_id": video.pk, "title": video.title, "source": video.source})
        platforms = sorted(selectors.authenticated_platforms())
        posts = schedule_video(video=video, platforms=platforms, now=now) if platforms else []
    return RegisteredClip(video=video, posts=posts)
