"""What the FHIR layer keeps: keys for idempotency, structured data for the CDI engine, import progress."""

from __future__ import annotations

from django.db import models

from cdi.models import Encounter, Patient


class FhirResource(models.Model):
    """One FHIR resource the server has accepted, keyed by its logical id, pointing at the local row.

    `content_sha256` is the hash of the canonical JSON last accepted, so a resend is recognised as
    unchanged without touching the local row."""

    resource_type = models.CharField(max_length=40)
    fhir_id = models.CharField(max_length=64)
    local_id = models.BigIntegerField()
    content_sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("resource_type", "fhir_id"), name="one_fhir_id_per_type"),
        ]

    def __str__(self) -> str:
        return f"{self.resource_type}/{self.fhir_id}"


class FhirIdentifier(models.Model):
    """A business identifier (system|value) of an accepted resource, so a resend with a new id still matches."""

    resource = models.ForeignKey(FhirResource, on_delete=models.CASCADE, related_name="identifiers")
    resource_type = models.CharField(max_length=40)
    system = models.CharField(max_length=255)
    value = models.CharField(max_length=255)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=("resource_type", "system", "value"), name="one_identifier_per_type"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resource_type}?identifier={self.system}|{self.value}"


class Observation(models.Model):
    """A lab or vital sign (LOINC); a component of a panel (blood pressure) is its own row under `panel`."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="observations")
    encounter = models.ForeignKey(
        Encounter, null=True, blank=True, on_delete=models.PROTECT, related_name="observations"
    )
    panel = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="components"
    )
    loinc_code = models.CharField(max_length=20)
    display = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=20)
    value = models.FloatField(null=True, blank=True)
    value_text = models.CharField(max_length=255, blank=True)
    unit = models.CharField(max_length=40, blank=True)
    effective_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("effective_at", "id")

    def __str__(self) -> str:
        return f"LOINC {self.loinc_code}"


class DocumentedCondition(models.Model):
    """A diagnosis the EHR already holds: tells the engine what is documented (ICD-10-CM or SNOMED CT)."""

    class CodeSystem(models.TextChoices):
        ICD10CM = "icd-10-cm", "ICD-10-CM"
        SNOMED = "snomed", "SNOMED CT"

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="documented_conditions")
    encounter = models.ForeignKey(
        Encounter, null=True, blank=True, on_delete=models.PROTECT, related_name="documented_conditions"
    )
    code_system = models.CharField(max_length=12, choices=CodeSystem.choices)
    code = models.CharField(max_length=20)
    display = models.CharField(max_length=255, blank=True)
    clinical_status = models.CharField(max_length=20, blank=True)
    verification_status = models.CharField(max_length=20, blank=True)
    recorded_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.code_system} {self.code}"


class PerformedProcedure(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="performed_procedures")
    encounter = models.ForeignKey(
        Encounter, null=True, blank=True, on_delete=models.PROTECT, related_name="performed_procedures"
    )
    code_system = models.CharField(max_length=255, blank=True)
    code = models.CharField(max_length=20)
    display = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=20)
    performed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Procedure {self.code}"


class MedicationOrder(models.Model):
    """A MedicationRequest: tells the engine what is being treated (e.g. IV antibiotics, insulin)."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="medication_orders")
    encounter = models.ForeignKey(
        Encounter, null=True, blank=True, on_delete=models.PROTECT, related_name="medication_orders"
    )
    code_system = models.CharField(max_length=255, blank=True)
    code = models.CharField(max_length=40, blank=True)
    display = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=20)
    intent = models.CharField(max_length=20, blank=True)
    route = models.CharField(max_length=100, blank=True)
    authored_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Medication {self.code or self.display}"


class ImportCheckpoint(models.Model):
    """How far a bulk import got into one NDJSON file (by content hash), so a killed import resumes."""

    file_sha256 = models.CharField(max_length=64, unique=True)
    file_name = models.CharField(max_length=255)
    size = models.BigIntegerField()
    lines_done = models.PositiveIntegerField(default=0)
    complete = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.file_name}: {self.lines_done} lines"
