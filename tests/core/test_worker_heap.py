"""config/celery.py: the worker freezes its heap before the prefork pool forks (the garbage
collector then never walks, and so never copies, the pages children share with the parent)."""

from __future__ import annotations

import gc

from celery import signals

from config.celery import freeze_heap_before_fork


def test_the_worker_freezes_what_the_parent_has_built_before_forking():
    assert freeze_heap_before_fork in signals.worker_init._live_receivers(sender=None)
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    try:
        freeze_heap_before_fork()
        assert gc.get_freeze_count() > 10_000  # Django and the apps, out of the collector's reach
    finally:
        gc.unfreeze()
