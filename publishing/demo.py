"""Demo publishing queue for ``seed_demo``: accounts, clips, posts in every state, two templates. Idempotent."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from publishing import services, sources
from publishing.generators import DEFAULT_PROMPT
from publishing.models import AITemplate, PlatformAccount, PostStatus, ScheduledPost, Video
from publishing.slots import ceil_hour

ACCOUNTS = [
    ("youtube", "setdesk_studio", True),
    ("instagram", "setdesk.studio", True),
    ("tiktok", "setdesk", False),
]

CLIPS = [
    ("valorant_clutch_ace.mp4", "Valorant", "1v4 Clutch Ace on Ascent", "Down to the last round… 🔥"),
    ("apex_triple_kill_final_ring.mp4", "Apex Legends", "Final Ring Triple Kill", "Zone closing, squad wiped."),
    ("rocket_league_ceiling_shot.mp4", "Rocket League", "Ceiling Shot Overtime Winner", "Called it. 🚀"),
    ("minecraft_speedrun_pb.mp4", "Minecraft", "New Speedrun PB", "Seed 42, 14:03. GG."),
]

TEMPLATES = [
    ("Hype gaming", DEFAULT_PROMPT),
    (
        "Calm and professional",
        "Write a professional, calm title and a short caption for the clip {filename} from {game_context}. "
        "No emojis. Give 10-15 hashtags including #setdesk. Answer as JSON with title, caption, hashtags.",
    ),
]

TAGS = ["#gaming", "#clips", "#highlights", "#gamer", "#setdesk"]


def _demo_file(name: str) -> str:
    """A small placeholder file per clip, so the outbox uploader has something to copy.

    It lives under the first media root (by default MEDIA_ROOT), so it is an allowed source."""
    roots = sources.policy().media_roots or (settings.MEDIA_ROOT,)
    folder = Path(roots[0]) / "publishing-demo"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    if not path.exists():
        path.write_bytes(b"\x00\x00\x00\x18ftypmp42" + name.encode())
    return os.path.realpath(path)


def seed(*, users, stdout) -> None:
    manager = users.get("social_manager")
    accounts = {}
    for platform, handle, authenticated in ACCOUNTS:
        accounts[platform], _ = PlatformAccount.objects.get_or_create(
            platform=platform,
            defaults={"handle": handle, "authenticated": authenticated, "credentials": {"token": "demo"}},
        )

    videos = []
    for filename, game, title, caption in CLIPS:
        video, _ = Video.objects.get_or_create(
            source=_demo_file(filename),
            defaults={
                "original_filename": filename,
                "title": title,
                "caption": caption,
                "hashtags": [*TAGS, "#" + game.replace(" ", "").lower()],
                "game_context": game,
                "created_by": manager,
            },
        )
        videos.append(video)

    now = timezone.now()
    first_slot = ceil_hour(now + timedelta(hours=1), services.publishing_tz())
    plan = [
        # (video index, platform, status, scheduled time)
        (0, "youtube", PostStatus.PENDING, first_slot),
        (0, "instagram", PostStatus.PENDING, first_slot),
        (1, "youtube", PostStatus.PENDING, first_slot + timedelta(hours=1)),
        (1, "instagram", PostStatus.PENDING, first_slot + timedelta(hours=1)),
        (2, "youtube", PostStatus.COMPLETED, first_slot - timedelta(hours=5)),
        (3, "instagram", PostStatus.FAILED, first_slot - timedelta(hours=3)),
    ]
    for index, platform, status, when in plan:
        video = videos[index]
        extra = {}
        if status == PostStatus.COMPLETED:
            extra = {"attempts": 1, "posted_at": when, "external_id": f"demo-{video.pk}-{platform}",
                     "external_url": f"https://example.com/{platform}/demo-{video.pk}"}  # fmt: skip
        elif status == PostStatus.FAILED:
            extra = {"attempts": 3, "last_error": "Upload endpoint answered HTTP 503: try again later"}
        ScheduledPost.objects.get_or_create(
            video=video,
            platform=platform,
            status__in=[s for s in PostStatus.values if s != PostStatus.CANCELLED],
            defaults={
                "account": accounts[platform],
                "status": status,
                "scheduled_time": when,
                "next_attempt_at": when,
                "created_by": manager,
                **extra,
            },
        )

    templates = []
    for name, text in TEMPLATES:
        template, _ = AITemplate.objects.get_or_create(name=name, defaults={"prompt_text": text})
        templates.append(template)
    if not AITemplate.objects.filter(is_active=True).exists():
        AITemplate.objects.filter(pk=templates[0].pk).update(is_active=True)
    stdout.write(f"publishing: {len(accounts)} accounts, {len(videos)} videos, {ScheduledPost.objects.count()} posts")
