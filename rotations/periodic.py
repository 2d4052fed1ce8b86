from config.periodic import PeriodicJob

PERIODIC_JOBS = [
    PeriodicJob(
        name="rotations.nightly_auto_schedule",
        task="rotations.nightly_auto_schedule",
        crontab={"minute": "30", "hour": "2"},
        description="Purges runs older than 3 weeks, then proposes the next three weeks of assignments.",
    ),
    PeriodicJob(
        name="rotations.reap_crashed_runs",
        task="rotations.reap_crashed_runs",
        every_seconds=120,
        description="Marks crashed the scheduler runs whose heartbeat is stale.",
    ),
    PeriodicJob(
        name="rotations.send_pending_submissions",
        task="rotations.send_pending_submissions",
        every_seconds=60,
        description="Sends approved assignments whose submission was not sent (a lost task or a dead worker).",
    ),
]
