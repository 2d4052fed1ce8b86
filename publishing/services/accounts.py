"""Platform accounts: an edit that takes an account out of service holds its due posts, and
putting it back releases them."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction

from config.errors import Conflict
from config.services import model_update
from publishing import events
from publishing.models import PlatformAccount, PostStatus, ScheduledPost
from publishing.services.scheduling import kick_dispatcher

ACCOUNT_FIELDS = ("platform", "handle", "credentials", "authenticated")


@transaction.atomic
def create_account(
    *, platform: str, handle: str, credentials: dict | None = None, authenticated: bool = False
) -> PlatformAccount:
    account = PlatformAccount(
        platform=platform, handle=handle, credentials=credentials or {}, authenticated=authenticated
    )
    account.full_clean()
    try:
        with transaction.atomic():
            account.save()
    except IntegrityError as exc:
        raise Conflict(f"There is already a {platform} account.") from exc
    return account


@transaction.atomic
def update_account(*, account: PlatformAccount, now: datetime, **changes) -> PlatformAccount:
    """Edits a platform account (only the fields that changed). Authenticated again: its held
    posts go back to the queue, due ``now``."""
    account = PlatformAccount.objects.select_for_update().get(pk=account.pk)
    was_authenticated = account.authenticated
    model_update(instance=account, fields=ACCOUNT_FIELDS, data=changes)
    if account.authenticated and not was_authenticated:
        held = ScheduledPost.objects.select_for_update().filter(account=account, status=PostStatus.HELD)
        ids = list(held.values_list("pk", flat=True))
        if ids:
            ScheduledPost.objects.filter(pk__in=ids).update(
                status=PostStatus.PENDING, last_error="", next_attempt_at=now, updated_at=now
            )
            events.publish(events.POSTS_RELEASED, events.bounded({"post_ids": ids}))
            kick_dispatcher()
    return account


@transaction.atomic
def delete_account(*, account: PlatformAccount) -> None:
    """An account with posts is kept (409): mark it unauthenticated instead."""
    if account.posts.exists():
        raise Conflict("The account has posts; mark it unauthenticated instead of deleting it.")
    account.delete()
