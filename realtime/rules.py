"""SPEC §5 defaults: which roles receive which event types (editable afterwards in the admin)."""

DEFAULT_RULES: dict[str, list[str]] = {
    "hotset.": ["producer", "director", "production_manager", "first_ad"],
    "runofshow.": ["show_caller", "director"],
    "rotations.": ["supervisor", "coordinator"],
    "publishing.": ["social_manager", "producer"],
}


def ensure_default_rules(rule_model) -> None:
    """Creates any missing default rule (``rule_model`` may be the migration's historical model)."""
    for prefix, roles in DEFAULT_RULES.items():
        for role in roles:
            rule_model.objects.get_or_create(event_type_prefix=prefix, role=role)
