"""Links on /dash/: rotations are reviewed in the admin (SPEC §3, §8)."""


def links(user) -> list[tuple[str, str]]:
    if not user.has_perm("rotations.view_pendingschedule"):
        return []
    return [
        ("Rotation proposals to review", "/admin/rotations/pendingschedule/?status__exact=proposed"),
        ("Scheduler runs", "/admin/rotations/schedulerrun/"),
    ]
