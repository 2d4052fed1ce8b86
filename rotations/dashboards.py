"""Links on /dash/: the rotations dashboard, and the admin pages for the details (SPEC §3, §6, §8)."""


def links(user) -> list[tuple[str, str]]:
    if not user.has_perm("rotations.view_pendingschedule"):
        return []
    return [
        ("Rotations: runs and proposals", "/dash/rotations/"),
        ("Rotation proposals in the admin", "/admin/rotations/pendingschedule/?status__exact=proposed"),
    ]
