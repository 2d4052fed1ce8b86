"""docs/samples/ (issue 16): every sample file imports cleanly through the API into an empty
database — a dry run first (nothing written), then for real — and re-importing it changes nothing."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).resolve().parents[2] / "docs" / "samples"


def _import(client, url: str, name: str) -> dict:
    content = (SAMPLES / name).read_bytes()
    dry = client.post(url + "?dry_run=1", {"file": SimpleUploadedFile(name, content)}, format="multipart")
    assert dry.status_code == 200 and dry.json()["refused"] == [], (name, dry.json())
    real = client.post(url, {"file": SimpleUploadedFile(name, content)}, format="multipart")
    assert real.status_code == 200 and real.json()["written"] is True, (name, real.json())
    again = client.post(url, {"file": SimpleUploadedFile(name, content)}, format="multipart")
    assert (again.json()["create"], again.json()["update"]) == (0, 0), (name, again.json())
    return real.json()


def test_the_rotations_samples_import_in_order(api_as):
    from rotations.models import Employee, Event

    coordinator = api_as("coordinator")
    assert _import(coordinator, "/api/v1/rotations/employees/import/", "staff-120.csv")["create"] == 120
    _import(coordinator, "/api/v1/rotations/time-off/import/", "time-off.csv")
    assert _import(coordinator, "/api/v1/rotations/events/import/", "events.csv")["create"] == 25
    _import(coordinator, "/api/v1/rotations/rotation-assignments/import/", "rotation-assignments.csv")
    _import(coordinator, "/api/v1/rotations/exceptions/import/", "exceptions.csv")
    assert Employee.objects.get(external_id="ST-0001").qualifications == ["core", "lead", "supervisor"]
    assert Event.objects.filter(event_type="supervisor", parent_event__isnull=False).count() == 10


@pytest.mark.parametrize("name", ["stripboard-60-scenes.csv", "stripboard-60-scenes.xlsx"])
def test_the_stripboard_sample_imports_into_a_shoot_day(api_as, name):
    from hotset import services
    from hotset.models import ScheduleItem

    project = services.create_project(name="Sample feature", timezone_name="Europe/London")
    call = timezone.make_aware(datetime(2027, 1, 11, 7, 0), timezone=project.tzinfo)
    day = services.create_production_day(project=project, date=date(2027, 1, 11), day_number=1, general_call_time=call)
    session = services.create_session(production_day=day)
    result = _import(api_as("first_ad"), f"/api/v1/hotset/sessions/{session.pk}/items/import/", name)
    assert result["create"] == 67
    assert ScheduleItem.objects.filter(session=session, kind="scene").count() == 60
    assert ScheduleItem.objects.filter(session=session, block_type="meal").count() == 2


def test_the_rundown_sample_imports_into_a_show(api_as):
    from runofshow import services
    from runofshow.models import Cue

    show = services.create_session(name="Awards", date=date(2027, 3, 20), timezone="Europe/London")
    result = _import(api_as("show_caller"), f"/api/v1/runofshow/sessions/{show.pk}/segments/import/", "rundown.csv")
    assert result["create"] == 7
    assert Cue.objects.filter(segment__session=show).count() == 12


def test_the_videos_sample_imports_from_the_media_folder(api_as, settings, tmp_path):
    from publishing.models import Video

    settings.PUBLISHING_MEDIA_ROOTS = [str(tmp_path)]
    (tmp_path / "samples").mkdir()
    for clip in ("clutch-ace.mp4", "last-circle.mp4", "speedrun-pb.mp4"):
        (tmp_path / "samples" / clip).write_bytes(b"a clip")
    assert _import(api_as("social_manager"), "/api/v1/publishing/videos/import/", "videos.csv")["create"] == 3
    assert Video.objects.get(title="Last circle").source == str((tmp_path / "samples" / "last-circle.mp4").resolve())
