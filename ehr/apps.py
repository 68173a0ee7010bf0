from __future__ import annotations

from django.apps import AppConfig


class EhrConfig(AppConfig):
    name = "ehr"
    verbose_name = "EHR integration (FHIR R4)"
