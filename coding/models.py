from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class EncounterCoding(models.Model):
    """The coding state of one encounter: suggestion runs and the coder's sign-off."""

    class Status(models.TextChoices):
        NEW = "new", "Not suggested yet"
        REQUESTED = "requested", "Suggestions requested"
        RUNNING = "running", "Suggesting"
        READY = "ready", "Ready for review"
        COMPLETE = "complete", "Coding complete"

    encounter = models.OneToOneField("cdi.Encounter", on_delete=models.CASCADE, related_name="coding")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NEW, db_index=True)
    requested_at = models.DateTimeField(null=True, blank=True)
    suggested_at = models.DateTimeField(null=True, blank=True)
    ranker = models.CharField(max_length=64, blank=True)
    codeset_version = models.CharField(max_length=80, blank=True)
    em_level = models.JSONField(default=dict, blank=True)
    procedures = models.JSONField(default=list, blank=True)  # CPT suggestions from imported descriptors
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"coding of encounter {self.encounter_id} ({self.status})"

    @property
    def is_complete(self) -> bool:
        return self.status == self.Status.COMPLETE


class CodeSuggestion(models.Model):
    """One ICD-10-CM code on an encounter: suggested by the system or added by a coder.

    Nothing is final until a coder accepts it; an edit keeps the code it replaced.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "To review"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"

    class Origin(models.TextChoices):
        SUGGESTED = "suggested", "Suggested"
        CODER = "coder", "Added by coder"

    encounter = models.ForeignKey("cdi.Encounter", on_delete=models.CASCADE, related_name="code_suggestions")
    note = models.ForeignKey("cdi.Note", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    code = models.CharField(max_length=8)
    title = models.CharField(max_length=255, blank=True)
    original_code = models.CharField(
        max_length=8, blank=True, help_text="the suggested code an edit replaced"
    )
    origin = models.CharField(max_length=16, choices=Origin.choices, default=Origin.SUGGESTED)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True)
    confidence = models.FloatField(null=True, blank=True)
    rank = models.PositiveIntegerField(default=0)
    is_principal = models.BooleanField(default=False)
    evidence = models.JSONField(default=list, blank=True)  # [{note_id, start, end, text, section}]
    why = models.CharField(max_length=300, blank=True)
    rule_notes = models.JSONField(default=list, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-is_principal", "rank", "id")
        constraints = [
            models.UniqueConstraint(fields=("encounter", "code"), name="coding_one_row_per_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.status})"


class CptDescriptor(models.Model):
    """A site's own licensed CPT descriptor, imported with ``import_cpt``; none ship with the product."""

    code = models.CharField(max_length=5, unique=True)
    descriptor = models.TextField()
    imported_at = models.DateTimeField(default=timezone.now)
    source = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return self.code
