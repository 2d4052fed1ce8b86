"""config/celery.py: the worker freezes its heap before the prefork pool forks (the garbage
collector then never walks, and so never copies, the pages children share with the parent)."""

from __future__ import annotations

import gc

from celery import signals


def test_worker_init_freezes_what_the_parent_has_built():
    import config.celery  # noqa: F401 - connects the handler

    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    try:
        signals.worker_init.send(sender=None)
        assert gc.get_freeze_count() > 10_000  # Django and the apps, moved out of the collector's reach
    finally:
        gc.unfreeze()
