"""Checks of the house style (CONTRIBUTING.md) that a review would otherwise have to catch."""

from __future__ import annotations

import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import call_command

# The maths of the product: pure Python, no ORM, no framework (DESIGN.md §5), so they are
# tested and benchmarked without a database and read top to bottom.
PURE_MODULES = [
    "hotset.timeline",
    "hotset.labour",
    "hotset.suggestions",
    "hotset.calendar",
    "publishing.slots",
    "publishing.limits",
    "rotations.engine",
    "rotations.calendar",
    "runofshow.timing",
    "runofshow.columns",
]
FRAMEWORKS = ("django", "rest_framework", "channels", "celery", "kombu")


@pytest.mark.parametrize("module", PURE_MODULES)
def test_a_pure_module_imports_no_framework(module):
    probe = f"import sys, {module}\nprint(sorted({{n.split('.')[0] for n in sys.modules}} & set({FRAMEWORKS!r})))"
    env = {"PATH": "/usr/bin:/bin"}  # no DJANGO_SETTINGS_MODULE: a framework import would show up
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True, cwd=".")
    assert out.stdout.strip() == "[]", f"{module} imports {out.stdout.strip()}"


@pytest.mark.django_db
def test_the_models_and_the_migrations_agree():
    """A model change without its migration fails here (``makemigrations --check``)."""
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exc:  # --check exits 1 when a migration is missing
        pytest.fail(f"missing migrations:\n{out.getvalue()}" if exc.code else out.getvalue())
