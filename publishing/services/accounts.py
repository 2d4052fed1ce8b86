"""Platform accounts: an edit that takes an account out of service holds its due posts, and
putting it back releases them."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from publishing import events
from publishing.models import PlatformAccount, PostStatus, ScheduledPost
from publishing.services.scheduling import _kick_dispatcher


@transaction.atomic
def update_account(*, account: PlatformAccount, changes: dict) -> PlatformAccount:
    """Edits a platform account. Authenticated again: its held posts go back to the queue, due now."""
    account = PlatformAccount.objects.select_for_update().get(pk=account.pk)
    was_authenticated = account.authenticated
    for name, value in changes.items():
        setattr(account, name, value)
    account.save()
    if account.authenticated and not was_authenticated:
        now = timezone.now()
        held = ScheduledPost.objects.select_for_update().filter(account=account, status=PostStatus.HELD)
        ids = list(held.values_list("pk", flat=True))
        if ids:
            ScheduledPost.objects.filter(pk__in=ids).update(
                status=PostStatus.PENDING, last_error="", next_attempt_at=now, updated_at=now
            )
            events.emit_batch(events.POSTS_RELEASED, {"post_ids": ids})
            _kick_dispatcher()
    return account
