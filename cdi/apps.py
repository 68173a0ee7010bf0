from __future__ import annotations

from django.apps import AppConfig


class CdiConfig(AppConfig):
    name = "cdi"
    verbose_name = "Clinical documentation integrity"
    default_auto_field = "django.db.models.BigAutoField"
