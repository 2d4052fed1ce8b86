"""A bench-only Celery task for ``realtime_fanout.py``: publishes one run-of-show event from a
worker, through the app's own service (``announce_rundown_change``: log in the transaction,
send after commit on the worker's send loop). Loaded only by the bench's worker::

    PYTHONPATH=bench celery -A config worker -I _fanout_tasks
"""

from __future__ import annotations

from config.celery import app

TASK_NAME = "bench_fanout.announce"


@app.task(name=TASK_NAME)
def announce(session_id: int) -> None:
    from runofshow import services

    services.announce_rundown_change(session_id=session_id)
