"""Who may do what on the hot set (SPEC §1): the 1st AD drives the day; producer, director and
production manager read; the crew sees the day's schedule (and receives the notifications)."""

_MODELS = ("project", "hotsetsettings", "productionday", "hotsetsession", "scheduleitem", "suggestion")
_READ = [f"hotset.view_{model}" for model in (*_MODELS, "notification")]
_WRITE = [f"hotset.{action}_{model}" for model in _MODELS for action in ("add", "change", "delete")]

ROLE_PERMISSIONS = {
    "first_ad": ["hotset.run_hot_set", *_READ, *_WRITE],
    "producer": list(_READ),
    "director": list(_READ),
    "production_manager": list(_READ),
    "crew": [f"hotset.view_{model}" for model in ("project", "productionday", "hotsetsession", "scheduleitem")],
}
