"""Who may do what in rotations (SPEC §0, §3): supervisors approve; coordinators keep the data and run."""

_MODELS = ("employee", "timeoff", "event", "rotationassignment", "scheduleexception")

VIEW = [f"rotations.view_{m}" for m in (*_MODELS, "schedulerrun", "pendingschedule", "submissionunit")]
MANAGE = [f"rotations.{action}_{m}" for m in _MODELS for action in ("add", "change", "delete")]

ROLE_PERMISSIONS = {
    "supervisor": [
        *VIEW,
        *MANAGE,
        "rotations.run_auto_schedule",
        "rotations.approve_schedule",
        "rotations.change_pendingschedule",
    ],
    "coordinator": [*VIEW, *MANAGE, "rotations.run_auto_schedule"],
    "producer": VIEW,
    "production_manager": VIEW,
}
