"""REST reads need the model's ``view_*`` perm, the same rule as sockets and dashboards (SPEC §0).

Issue 9, finding 9: `vfx` (no permissions at all) read employees' time-off reasons, posts'
last errors and templates over REST.
"""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.auth.models import Permission

pytestmark = pytest.mark.django_db

API = "/api/v1/"
# Reads every signed-in user may make whatever their role.
OPEN_TO_EVERY_ROLE = {"/api/v1/auth/me/", "/healthz"}


def _get_paths() -> list[str]:
    """Every GET operation of the published schema, path parameters filled with 1."""
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    schema = json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))
    paths = [path for path, operations in schema["paths"].items() if "get" in operations]
    return sorted(re.sub(r"\{[^}]+\}", "1", path) for path in paths)


def _area(path: str) -> str:
    return path.removeprefix(API).split("/", 1)[0]


def test_the_schema_walk_covers_every_area():
    areas = {_area(path) for path in _get_paths()}
    assert {"auth", "hotset", "runofshow", "rotations", "publishing"} <= areas
    assert len(_get_paths()) > 40


def test_a_role_without_permissions_reads_nothing(api_as):
    vfx = api_as("vfx")
    assert not vfx.user.get_all_permissions()
    readable = {}
    for path in _get_paths():
        status = vfx.get(path, {"platform": "youtube"}).status_code
        if path in OPEN_TO_EVERY_ROLE:
            assert status == 200, path
        elif status != 403:
            readable[path] = status
    assert readable == {}


def test_crew_reads_only_the_hot_set_schedule(api_as):
    """Crew's perms are hotset views of the day's schedule; rotations, publishing and the
    run of show are refused."""
    crew = api_as("crew")
    readable = {}
    for path in _get_paths():
        if _area(path) not in ("rotations", "publishing", "runofshow"):
            continue
        status = crew.get(path, {"platform": "youtube"}).status_code
        if status != 403:
            readable[path] = status
    assert readable == {}
    assert crew.get(f"{API}hotset/sessions/").status_code == 200


ROTATIONS_READS = [
    ("rotations/employees/", "rotations.view_employee"),
    ("rotations/employees/1/", "rotations.view_employee"),
    ("rotations/time-off/", "rotations.view_timeoff"),
    ("rotations/events/", "rotations.view_event"),
    ("rotations/rotation-assignments/", "rotations.view_rotationassignment"),
    ("rotations/exceptions/", "rotations.view_scheduleexception"),
    ("rotations/runs/", "rotations.view_schedulerrun"),
    ("rotations/runs/1/proposals/", "rotations.view_schedulerrun rotations.view_pendingschedule"),
    ("rotations/proposals/", "rotations.view_pendingschedule"),
    ("rotations/auto-schedule/status/1/", "rotations.view_schedulerrun"),
]
PUBLISHING_READS = [
    ("publishing/accounts/", "publishing.view_platformaccount"),
    ("publishing/videos/", "publishing.view_video"),
    ("publishing/posts/", "publishing.view_scheduledpost"),
    ("publishing/posts/upcoming/", "publishing.view_scheduledpost"),
    ("publishing/posts/stats/", "publishing.view_scheduledpost"),
    ("publishing/templates/", "publishing.view_aitemplate"),
    ("publishing/templates/active/", "publishing.view_aitemplate"),
    ("publishing/slots/next/?platform=youtube", "publishing.view_scheduledpost"),
]


@pytest.mark.parametrize(("path", "perm"), ROTATIONS_READS + PUBLISHING_READS)
@pytest.mark.parametrize("role", ["vfx", "crew"])
def test_each_read_is_refused_without_its_view_perm_and_allowed_with_it(api_as, make_user, role, path, perm):
    """``perm``: the view perms the read needs (space-separated)."""
    user = make_user(role)
    client = api_as(user=user)
    refused = client.get(API + path)
    assert refused.status_code == 403, (path, refused.status_code)
    assert set(refused.json()) == {"detail", "errors"}

    for name in perm.split():
        app_label, codename = name.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    user = type(user).objects.get(pk=user.pk)  # a fresh object: Django caches perms per instance
    allowed = api_as(user=user).get(API + path)
    # 404: the object (run 1, employee 1) or the active template does not exist — past the permission.
    assert allowed.status_code in (200, 404), (path, allowed.status_code)


@pytest.mark.parametrize(
    ("role", "area"),
    [
        ("supervisor", "rotations"),
        ("coordinator", "rotations"),
        ("producer", "rotations"),
        ("production_manager", "rotations"),
        ("social_manager", "publishing"),
        ("producer", "publishing"),
    ],
)
def test_the_roles_that_work_with_an_area_still_read_all_of_it(api_as, role, area):
    client = api_as(role)
    for path, _perm in ROTATIONS_READS + PUBLISHING_READS:
        if path.startswith(area):
            assert client.get(API + path).status_code in (200, 404), (role, path)


def test_writes_still_need_the_model_perm(api_as):
    coordinator = api_as("coordinator")
    assert coordinator.post(f"{API}publishing/videos/", {"source": "clips/x.mp4"}).status_code == 403
    vfx = api_as("vfx")
    assert vfx.post(f"{API}rotations/employees/", {"name": "X"}).status_code == 403
