from config.periodic import PeriodicJob

PERIODIC_JOBS = [
    PeriodicJob(
        name="publishing.dispatch_due_posts",
        task="publishing.dispatch_due_posts",
        every_seconds=60,
        description="Claims due posts (skip-locked, leased) and uploads each exactly once.",
    ),
    PeriodicJob(
        name="publishing.reclaim_stale_posts",
        task="publishing.reclaim_stale_posts",
        every_seconds=180,
        description="Puts posts whose worker died (lease expired) back in the queue.",
    ),
]
