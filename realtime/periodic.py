from config.periodic import PeriodicJob

PERIODIC_JOBS = [
    PeriodicJob(
        name="realtime.prune_event_log",
        task="realtime.prune_event_log",
        crontab={"minute": "15", "hour": "3"},
        description="Drops events older than 24 h beyond each group's last 10,000.",
    ),
]
