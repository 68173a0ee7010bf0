from __future__ import annotations

from django.apps import AppConfig


class InferenceConfig(AppConfig):
    """Holds the model management commands; inference/ itself has no Django models or views."""

    name = "inference"
    verbose_name = "Inference"
