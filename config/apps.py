from django.apps import AppConfig


class ConfigConfig(AppConfig):
    """Project-wide commands (setup_roles, setup_periodic_tasks, seed_demo) and API plumbing."""

    name = "config"
    verbose_name = "Setdesk"
