from config.periodic import PeriodicJob

PERIODIC_JOBS = [
    PeriodicJob(
        name="hotset.auto_start_sessions",
        task="hotset.auto_start_sessions",
        every_seconds=60,
        description="Starts due hot set sessions (call time minus the project's minutes) and notifies.",
    ),
]
