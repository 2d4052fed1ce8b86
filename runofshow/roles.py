"""What each role may do in the run of show (unioned by ``setup_roles``).

Show callers call the show and edit the rundown; producers and coordinators build the
rundown; directors and production managers watch it. Crew and the others do not see it.
"""

_READ = [
    "runofshow.view_show_call",
    "runofshow.view_showsession",
    "runofshow.view_segment",
    "runofshow.view_cue",
    "runofshow.view_sessionstate",
    "runofshow.view_auditentry",
]
_EDIT_RUNDOWN = [
    f"runofshow.{verb}_{model}" for model in ("showsession", "segment", "cue") for verb in ("add", "change", "delete")
]

ROLE_PERMISSIONS = {
    "show_caller": [*_READ, *_EDIT_RUNDOWN, "runofshow.manage_show_call"],
    "producer": [*_READ, *_EDIT_RUNDOWN],
    "coordinator": [*_READ, *_EDIT_RUNDOWN, "runofshow.view_columnpreference"],
    "director": _READ,
    "production_manager": _READ,
}
