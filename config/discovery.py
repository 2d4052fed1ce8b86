"""Finds an optional module (``periodic``, ``demo``, ``roles``) in every installed app."""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

from django.apps import apps


def app_modules(module_name: str) -> list[ModuleType]:
    found = []
    for app_config in apps.get_app_configs():
        full_name = f"{app_config.name}.{module_name}"
        try:
            found.append(import_module(full_name))
        except ModuleNotFoundError as exc:
            if exc.name != full_name:
                raise
    return found
