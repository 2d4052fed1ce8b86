from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from config.roles import ROLES, collect_role_permissions


def setup_roles() -> dict[str, int]:
    """Creates the role groups and sets each one's permissions to exactly what the apps grant.

    Idempotent: running it again changes nothing. Returns role → number of perms.
    """
    granted = collect_role_permissions()
    # One read for every permission (a query per permission made this ~400 queries).
    by_name = {
        f"{app_label}.{codename}": pk
        for pk, app_label, codename in Permission.objects.values_list("pk", "content_type__app_label", "codename")
    }
    counts = {}
    with transaction.atomic():
        for role in ROLES:
            group, _ = Group.objects.get_or_create(name=role)
            perms = []
            for dotted in sorted(granted[role]):
                if dotted not in by_name:
                    raise CommandError(f"permission {dotted} does not exist (migrations not applied?)")
                perms.append(by_name[dotted])
            group.permissions.set(perms)
            counts[role] = len(perms)
    return counts


class Command(BaseCommand):
    help = "Creates the role groups (producer, first_ad, show_caller, ...) with their permissions. Idempotent."

    def handle(self, *args, **options):
        for role, count in setup_roles().items():
            self.stdout.write(f"{role}: {count} permissions")
