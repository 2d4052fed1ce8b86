"""Who may do what in rotations: the perms the views name in ``action_perms``, and who may
follow a run's socket group."""

from __future__ import annotations

from realtime import groups, registry

RUN_PERM = "rotations.run_auto_schedule"
APPROVE_PERM = "rotations.approve_schedule"
VIEW_RUN_PERM = "rotations.view_schedulerrun"
VIEW_PROPOSAL_PERM = "rotations.view_pendingschedule"


def can_view_run(user, object_id: str) -> bool:
    """Subscription check for ``rotations.run.<id>``: anyone who may view scheduler runs."""
    from rotations.models import SchedulerRun

    return user.has_perm(VIEW_RUN_PERM) and SchedulerRun.objects.filter(pk=int(object_id)).exists()


def register_subscriptions() -> None:
    """Viewers of scheduler runs may follow ``rotations.run.<id>``."""
    registry.register_subscription(groups.ROTATIONS_RUN, can_view_run)
