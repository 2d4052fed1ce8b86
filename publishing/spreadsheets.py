"""Videos as a spreadsheet (config/spreadsheets.py): one row per video, found by its ``source``
(a video is registered once per file or URL). ``hashtags`` is one cell ("#gaming #clutch");
``posts`` lists where the video is scheduled or out, for reading (posts are made from the queue,
never from a file). A source must keep to the media roots and allowed hosts, as in the API; in a
file it may also be a path relative to the first media root ("clips/ace.mp4"), as a coordinator
lists the clips of a shared folder."""

from __future__ import annotations

import os

from config.errors import DomainError
from config.spreadsheets import ServiceResource, cell_text, columns_of
from publishing import services, sources
from publishing.api import serializers as s
from publishing.models import Video


def _stored_source(source: str) -> str | None:
    """The source as the services store it (a local file as its real path); None when it
    breaks the rules (the service then refuses the row and says why)."""
    try:
        return services.checked_source(source)
    except DomainError:
        return None


class VideoResource(ServiceResource):
    serializer_class = s.VideoSerializer
    columns = columns_of(s.VideoSerializer)

    class Meta:
        model = Video

    def __init__(self, user=None, **context):
        super().__init__(**context)
        self.user = user

    def row_data(self, row) -> dict:
        data = super().row_data(row)
        source = data.get("source")
        if source and not os.path.isabs(source) and not sources.is_url(source):
            roots = sources.policy().media_roots
            if roots:
                data["source"] = os.path.join(roots[0], source)
        return data

    def find(self, data: dict):
        source = cell_text(data.get("source"))
        if not source:
            return None
        return Video.objects.filter(source=_stored_source(source) or source).first()

    def create(self, data: dict):
        return services.create_video(**data, user=self.user)

    def update(self, instance, data: dict):
        return services.update_video(video=instance, **data)

    def clean_validated(self, validated: dict, instance) -> dict:
        # The stored source is the checked one: compare like with like, so a re-import is a no-op.
        if instance.pk and _stored_source(validated.get("source", "")) == instance.source:
            validated.pop("source")
        return validated

    def export(self, queryset=None, **kwargs):
        rows = self.get_queryset() if queryset is None else queryset
        return super().export(rows.prefetch_related("posts"), **kwargs)  # the posts column, in one query

    def export_row(self, instance) -> dict:
        cells = super().export_row(instance)
        cells["hashtags"] = " ".join(cells["hashtags"])
        cells["posts"] = "; ".join(
            f"{p['platform']} {p['status']}" + (f" {p['scheduled_time']}" if p["scheduled_time"] else "")
            for p in cells["posts"]
        )
        return cells
