from config.periodic import PeriodicJob

PERIODIC_JOBS = [
    PeriodicJob(
        name="hotset.auto_start_sessions",
        task="hotset.auto_start_sessions",
        every_seconds=60,
        description="Starts due hot set sessions (call time minus the project's minutes) and notifies.",
    ),
    PeriodicJob(
        name="hotset.regenerate_suggestions",
        task="hotset.regenerate_suggestions",
        every_seconds=60,
        description="Regenerates the catch-up suggestions of the days in progress as time passes.",
    ),
    PeriodicJob(
        name="hotset.purge_idempotency_keys",
        task="hotset.purge_idempotency_keys",
        every_seconds=3600,
        description="Forgets the answers kept for Idempotency-Key replays once they are a day old.",
    ),
]
