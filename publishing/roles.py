"""Who may do what in publishing (SPEC §0): social managers run the queue, producers watch it."""

_MODELS = ["platformaccount", "video", "scheduledpost", "aitemplate"]

ROLE_PERMISSIONS = {
    "social_manager": [
        f"publishing.{action}_{model}" for model in _MODELS for action in ("view", "add", "change", "delete")
    ],
    "producer": [f"publishing.view_{model}" for model in _MODELS],
}
