from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone


class Provider(models.Model):
    """A clinician who authors notes and answers queries; a physician user links to one."""

    npi = models.CharField("NPI", max_length=10, unique=True)
    name = models.CharField(max_length=200)
    service_line = models.CharField(max_length=100, blank=True)
    email = models.EmailField(blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="provider"
    )
    fhir_id = models.CharField(max_length=64, blank=True, db_index=True)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class Patient(models.Model):
    mrn = models.CharField("MRN", max_length=64, unique=True)
    name = models.CharField(max_length=200, blank=True)
    birth_date = models.DateField(null=True, blank=True)
    sex = models.CharField(
        max_length=1, blank=True, choices=[("F", "Female"), ("M", "Male"), ("U", "Unknown")]
    )
    fhir_id = models.CharField(max_length=64, blank=True, db_index=True)

    def __str__(self) -> str:
        return f"MRN {self.mrn}"


class Encounter(models.Model):
    class EncounterClass(models.TextChoices):
        INPATIENT = "inpatient", "Inpatient"
        OBSERVATION = "observation", "Observation"
        OUTPATIENT = "outpatient", "Outpatient"
        EMERGENCY = "emergency", "Emergency"

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="encounters")
    account_number = models.CharField(max_length=64, unique=True)
    encounter_class = models.CharField(
        max_length=16, choices=EncounterClass.choices, default=EncounterClass.INPATIENT
    )
    admitted_at = models.DateTimeField(null=True, blank=True)
    discharged_at = models.DateTimeField(null=True, blank=True)
    attending = models.ForeignKey(
        Provider, null=True, blank=True, on_delete=models.SET_NULL, related_name="encounters"
    )
    service_line = models.CharField(max_length=100, blank=True)
    unit = models.CharField(max_length=100, blank=True)
    discharge_status = models.CharField(max_length=2, blank=True, help_text="UB-04 patient status code")
    # Filled by coding / revenue-impact work: the working principal diagnosis and MS-DRG.
    principal_diagnosis = models.CharField(max_length=8, blank=True)
    secondary_diagnoses = models.JSONField(default=list, blank=True)
    procedures = models.JSONField(default=list, blank=True)
    working_drg = models.CharField(max_length=3, blank=True)
    payer = models.CharField(max_length=100, blank=True)
    # MS-DRG before CDI and after the answered queries (set when an answer changes the claim).
    baseline_drg = models.CharField(max_length=3, blank=True)
    baseline_weight = models.DecimalField(max_digits=8, decimal_places=4, null=True, blank=True)
    cdi_drg = models.CharField(max_length=3, blank=True)
    cdi_weight = models.DecimalField(max_digits=8, decimal_places=4, null=True, blank=True)
    fhir_id = models.CharField(max_length=64, blank=True, db_index=True)

    class Meta:
        ordering = ("-admitted_at", "-id")

    def __str__(self) -> str:
        return f"Account {self.account_number}"


class Note(models.Model):
    class Status(models.TextChoices):
        RECEIVED = "received", "Queued"
        PROCESSING = "processing", "Processing"
        ANALYSED = "analysed", "Analysed"
        FAILED = "failed", "Failed"

    class Source(models.TextChoices):
        BROWSER = "browser", "Browser"
        API = "api", "API"
        FHIR = "fhir", "FHIR"
        DEMO = "demo", "Demo data"

    encounter = models.ForeignKey(Encounter, on_delete=models.PROTECT, related_name="notes")
    author = models.ForeignKey(
        Provider, null=True, blank=True, on_delete=models.SET_NULL, related_name="notes"
    )
    note_type = models.CharField(max_length=100, blank=True)
    service_date = models.DateField(null=True, blank=True)
    text = models.TextField()
    text_sha256 = models.CharField(max_length=64, editable=False)

    class DocStatus(models.TextChoices):
        # FHIR DocumentReference.status, stored as given
        CURRENT = "current", "Current"
        SUPERSEDED = "superseded", "Superseded"
        ENTERED_IN_ERROR = "entered-in-error", "Entered in error"

    source = models.CharField(max_length=16, choices=Source.choices)
    doc_status = models.CharField(max_length=20, choices=DocStatus.choices, default=DocStatus.CURRENT)
    supersedes = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="superseded_by"
    )
    external_id = models.CharField(max_length=128, blank=True, db_index=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RECEIVED, db_index=True)
    failure_reason = models.CharField(max_length=500, blank=True)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    analysis_started_at = models.DateTimeField(null=True, blank=True)
    analysed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ("-received_at", "-id")

    def __str__(self) -> str:
        return f"Note {self.pk}"

    def save(self, *args, **kwargs) -> None:
        self.text_sha256 = hashlib.sha256(self.text.encode()).hexdigest()
        super().save(*args, **kwargs)


class Gap(models.Model):
    """A documentation gap found in a note: what a compliant query could fix."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DISMISSED = "dismissed", "Dismissed"
        QUERIED = "queried", "Queried"
        RESOLVED = "resolved", "Resolved"
        SUPERSEDED = "superseded", "Superseded"

    class Severity(models.TextChoices):
        NONE = "none", "None"
        CC = "cc", "CC"
        MCC = "mcc", "MCC"

    note = models.ForeignKey(Note, on_delete=models.PROTECT, related_name="gaps")
    encounter = models.ForeignKey(Encounter, on_delete=models.PROTECT, related_name="gaps")
    category = models.CharField(max_length=32)
    condition = models.CharField(max_length=64)
    confidence = models.FloatField()
    # The CDI adapter's probability for this finding (None when the model was off).
    model_probability = models.FloatField(null=True, blank=True)
    # [{"start": int, "end": int, "text": str}] indexing note.text exactly.
    evidence = models.JSONField(default=list)
    # [{"name": "sodium", "value": 128, "unit": "mmol/L", "date": "...", "source": "text"|"fhir"}]
    indicators = models.JSONField(default=list)
    documented_code = models.CharField(max_length=8, blank=True)
    # How the provider worded the condition ("CHF"), quoted by the query template.
    documented_as = models.CharField(max_length=200, blank=True)
    candidate_codes = models.JSONField(default=list)
    severity_effect = models.CharField(max_length=4, choices=Severity.choices, default=Severity.NONE)
    # Expected revenue effect if the physician documents the candidate code (see cdi.impact).
    expected_impact = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    impact_is_estimate = models.BooleanField(default=False)
    impact_inputs = models.JSONField(default=dict, blank=True)
    rationale = models.CharField(max_length=500, blank=True)
    adapter_version = models.CharField(max_length=64, blank=True)
    kb_version = models.CharField(max_length=32, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN, db_index=True)
    dismiss_reason = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Indexed: the latest change versions the worklist's cached table on every request.
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ("-confidence", "id")
        constraints = [
            models.UniqueConstraint(
                fields=("note", "category", "condition"), name="one_gap_per_pair_per_note"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category}/{self.condition}"


class AuditEvent(models.Model):
    """Append-only record of every change to a note, gap, query or response."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    actor_label = models.CharField(max_length=150, help_text="username, integration client or 'system'")
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ("-at", "-id")
        indexes = [models.Index(fields=("object_type", "object_id"))]

    def __str__(self) -> str:
        return (
            f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_type}#{self.object_id}"
        )

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError("AuditEvent is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("AuditEvent is append-only")


class IntegrationClient(models.Model):
    """An EHR interface or script allowed to post notes; authenticates with a bearer token."""

    name = models.CharField(max_length=100, unique=True)
    token_sha256 = models.CharField(max_length=64, unique=True, editable=False)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def issue(cls, name: str) -> tuple[IntegrationClient, str]:
        """Create a client and return it with its token, which is shown once and stored hashed."""
        token = secrets.token_urlsafe(32)
        client = cls.objects.create(name=name, token_sha256=cls.hash_token(token))
        return client, token

    @classmethod
    def authenticate(cls, token: str) -> IntegrationClient | None:
        if not token:
            return None
        client = cls.objects.filter(token_sha256=cls.hash_token(token), is_active=True).first()
        if client is not None:
            cls.objects.filter(pk=client.pk).update(last_used_at=timezone.now())
        return client


class LoginFailure(models.Model):
    """Failed logins per username, for lockout. Kept in the database so every web process agrees."""

    username = models.CharField(max_length=150, unique=True)
    failures = models.PositiveIntegerField(default=0)
    last_failure_at = models.DateTimeField(default=timezone.now)
    locked_until = models.DateTimeField(null=True, blank=True)


class QueryTemplate(models.Model):
    """A query template for one (category, condition); edits in the admin create a new version."""

    category = models.CharField(max_length=32)
    condition = models.CharField(max_length=64)
    version = models.PositiveIntegerField(default=1)
    title = models.CharField(max_length=200, blank=True)
    purpose = models.CharField(max_length=32)
    format = models.CharField(max_length=20)
    question = models.TextField()
    options = models.JSONField(default=list)
    # Words of the condition's family; the compliance checker uses them to judge the options.
    terms = models.JSONField(default=list, blank=True)
    default_documented_as = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ("category", "condition", "-version")
        constraints = [
            models.UniqueConstraint(fields=("category", "condition", "version"), name="one_template_version"),
        ]

    def __str__(self) -> str:
        return f"{self.category}/{self.condition} v{self.version}"


class Query(models.Model):
    """A physician query about one gap. Its text lives in immutable QueryVersion rows."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SENT = "sent", "Sent"
        ANSWERED = "answered", "Answered"
        WITHDRAWN = "withdrawn", "Withdrawn"

    gap = models.ForeignKey(Gap, on_delete=models.PROTECT, related_name="queries")
    encounter = models.ForeignKey(Encounter, on_delete=models.PROTECT, related_name="queries")
    addressed_to = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="queries")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True, db_index=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    # The signed link carries this nonce; a new send rotates it and an answer clears it (single use).
    link_nonce = models.CharField(max_length=32, blank=True)
    link_expires_at = models.DateTimeField(null=True, blank=True)
    reminders_sent = models.PositiveIntegerField(default=0)
    last_reminded_at = models.DateTimeField(null=True, blank=True)
    escalation_level = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"Query {self.pk}"

    @property
    def current_version(self) -> QueryVersion | None:
        return self.versions.order_by("-number").first()

    def new_link_nonce(self) -> str:
        self.link_nonce = secrets.token_hex(16)
        return self.link_nonce


class QueryVersion(models.Model):
    """One immutable wording of a query: what was checked, and what the physician saw."""

    query = models.ForeignKey(Query, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    format = models.CharField(max_length=20)
    purpose = models.CharField(max_length=32)
    question = models.TextField()
    indicators = models.JSONField(default=list)
    options = models.JSONField(default=list)
    template = models.ForeignKey(QueryTemplate, null=True, blank=True, on_delete=models.PROTECT)
    compliance_problems = models.JSONField(default=list)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("query", "number")
        constraints = [models.UniqueConstraint(fields=("query", "number"), name="one_query_version_number")]

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError("QueryVersion is immutable; create a new version")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Queries are part of the permanent record")

    @property
    def is_compliant(self) -> bool:
        return not self.compliance_problems


class Response(models.Model):
    """The physician's answer to a query version."""

    class Outcome(models.TextChoices):
        AGREED = "agreed", "Agreed"
        DISAGREED = "disagreed", "Disagreed"
        UNDETERMINED = "undetermined", "Clinically undetermined"

    query = models.OneToOneField(Query, on_delete=models.PROTECT, related_name="response")
    version = models.ForeignKey(QueryVersion, on_delete=models.PROTECT, related_name="responses")
    choice = models.CharField(max_length=300)
    other_text = models.TextField(blank=True)
    comment = models.TextField(blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    responder = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="responses")
    responded_at = models.DateTimeField(default=timezone.now)
    via_link = models.BooleanField(default=False)
    # Realised revenue: this answer's share of the encounter's DRG shift (see cdi.revenue).
    # Recomputed, with its inputs, when another answer on the same encounter changes the split.
    realised_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    impact_is_estimate = models.BooleanField(default=False)
    impact_inputs = models.JSONField(default=dict, blank=True)

    IMPACT_FIELDS = ("realised_amount", "impact_is_estimate", "impact_inputs")

    def save(self, *args, **kwargs) -> None:
        # The answer itself is final; only the revenue figure may be recomputed.
        update_fields = kwargs.get("update_fields")
        if self.pk is not None and (
            update_fields is None or not set(update_fields) <= set(self.IMPACT_FIELDS)
        ):
            raise ValueError("A response is final; record a new query instead")
        super().save(*args, **kwargs)
