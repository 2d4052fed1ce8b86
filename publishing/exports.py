"""The queue and the completed posts as CSV (the page's and the admin's "Export CSV"): pure —
rows in, text out. Times are local to the publishing time zone, to the second."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import tzinfo

from config.spreadsheets import cell

COLUMNS = (
    ("Post", "id"),
    ("Video", "video_title"),
    ("File", "video_filename"),
    ("Platform", "platform"),
    ("Account", "account_handle"),
    ("Status", "status"),
    ("Scheduled", "scheduled_time"),
    ("Posted", "posted_at"),
    ("Attempts", "attempts"),
    ("Link", "external_url"),
    ("Last error", "last_error"),
)


def to_csv(posts: Iterable, *, tz: tzinfo) -> str:
    """One row per post (ScheduledPost with video and account loaded)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([title for title, _ in COLUMNS])
    for post in posts:
        row = {
            "id": post.pk,
            "video_title": post.video.title,
            "video_filename": post.video.original_filename,
            "platform": post.platform,
            "account_handle": post.account.handle,
            "status": post.status,
            "scheduled_time": post.scheduled_time.astimezone(tz),
            "posted_at": post.posted_at.astimezone(tz) if post.posted_at else None,
            "attempts": post.attempts,
            "external_url": post.external_url,
            "last_error": post.last_error,
        }
        writer.writerow([cell(row[key]) for _, key in COLUMNS])
    return out.getvalue()
