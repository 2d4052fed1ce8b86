"""python manage.py seed_demo — demo data and a demo login per role (idempotent).

Each app may add its own demo data with ``<app>/demo.py``::

    def seed(*, users: dict[str, User], stdout) -> None: ...

``users`` maps each role (and ``"admin"``) to its demo user.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from config.discovery import app_modules
from config.management.commands.setup_periodic_tasks import setup_periodic_tasks
from config.management.commands.setup_roles import setup_roles
from config.roles import ROLES

DEMO_PASSWORD = "setdesk-demo"  # noqa: S105 - a published demo login, printed by make run
ADMIN_USERNAME = "admin"


def seed_users() -> dict:
    User = get_user_model()
    users = {}
    admin, created = User.objects.get_or_create(
        username=ADMIN_USERNAME, defaults={"is_staff": True, "is_superuser": True, "email": "admin@example.com"}
    )
    if created:
        admin.set_password(DEMO_PASSWORD)
        admin.save()
    users["admin"] = admin
    for role in ROLES:
        # Coordinators, supervisors and producers work in the admin.
        user, created = User.objects.get_or_create(username=f"demo_{role}", defaults={"is_staff": True})
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        user.groups.add(Group.objects.get(name=role))
        users[role] = user
    return users


class Command(BaseCommand):
    help = "Seeds a demo project, show, rotations and publishing queue, with a demo login per role. Idempotent."

    def handle(self, *args, **options):
        setup_roles()
        setup_periodic_tasks()
        with transaction.atomic():
            users = seed_users()
            for module in app_modules("demo"):
                module.seed(users=users, stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password for all: {DEMO_PASSWORD}):"))
        self.stdout.write(f"  {ADMIN_USERNAME} (superuser)")
        for role in ROLES:
            self.stdout.write(f"  demo_{role}")
