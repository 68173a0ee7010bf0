"""Shared fixtures: one user per role (healthchecks' Alice/Bob/Charlie), a patient and encounter."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User

from cdi.models import Encounter, IntegrationClient, Patient, Provider

settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

PASSWORD = "correct-horse-battery-9"


@dataclass
class Cast:
    specialist: User
    physician: User
    other_physician: User
    finance: User
    coder: User
    admin: User
    outsider: User
    provider: Provider
    other_provider: Provider

    def all(self) -> dict[str, User]:
        return {
            "specialist": self.specialist,
            "physician": self.physician,
            "other_physician": self.other_physician,
            "finance": self.finance,
            "coder": self.coder,
            "admin": self.admin,
            "outsider": self.outsider,
        }


def make_user(username: str, role: str | None) -> User:
    user = User.objects.create_user(username, f"{username}@example.org", PASSWORD)
    if role:
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


@pytest.fixture
def cast(db) -> Cast:
    physician = make_user("bob", "physician")
    other_physician = make_user("bea", "physician")
    return Cast(
        specialist=make_user("alice", "cdi_specialist"),
        physician=physician,
        other_physician=other_physician,
        finance=make_user("fran", "finance"),
        coder=make_user("cody", "coder"),
        admin=make_user("root", "admin"),
        outsider=make_user("eve", None),
        provider=Provider.objects.create(npi="1234567890", name="Dr Bob", user=physician),
        other_provider=Provider.objects.create(npi="1234567891", name="Dr Bea", user=other_physician),
    )


@pytest.fixture
def encounter(db) -> Encounter:
    patient = Patient.objects.create(mrn="MRN-TEST-001")
    return Encounter.objects.create(patient=patient, account_number="ACC-001")


@pytest.fixture
def api_token(db) -> str:
    _, token = IntegrationClient.issue("test-ehr")
    return token


NOTE_TEXT = (
    "ASSESSMENT AND PLAN:\n1. CHF. Echo today: ejection fraction 25%. Start furosemide 40 mg IV twice daily.\n"
    "2. Sodium 128, fluid restriction 1.5 L.\n"
)


def make_gap(encounter, note=None, **fields):
    """A gap as the detector stores it, with evidence that indexes the note text exactly."""
    from cdi.models import Gap, Note

    if note is None:
        note = Note.objects.create(encounter=encounter, text=NOTE_TEXT, source="api", status="analysed")
    start = note.text.index("ejection fraction 25%")
    defaults = {
        "category": "acuity",
        "condition": "heart_failure",
        "confidence": 0.9,
        "evidence": [{"start": start, "end": start + 21, "text": note.text[start : start + 21]}],
        "indicators": [{"name": "ejection fraction", "value": 25, "unit": "%", "source": "echo"}],
        "documented_code": "I50.9",
        "documented_as": "CHF",
        "candidate_codes": ["I50.23", "I50.22"],
        "severity_effect": "mcc",
    }
    defaults.update(fields)
    return Gap.objects.create(note=note, encounter=encounter, **defaults)


@pytest.fixture
def attended_encounter(cast, encounter):
    encounter.attending = cast.provider
    encounter.save(update_fields=("attending",))
    cast.provider.email = "bob@example.org"
    cast.provider.save(update_fields=("email",))
    return encounter


@pytest.fixture(scope="session")
def model_runtime(tmp_path_factory) -> Path:
    """The committed `cdi` adapter built into a CTranslate2 runtime, as set-up does (once per run)."""
    import torch

    from inference.build import build_all

    torch.set_num_threads(1)
    root = tmp_path_factory.mktemp("models")
    build_all(settings.INFERENCE_BASE_MODEL, settings.INFERENCE_ADAPTERS_DIR, root, names=["cdi"])
    return root


@pytest.fixture
def with_model(model_runtime, settings):
    """Analyses in this test use the real CDI model."""
    from inference import clear_encoders

    settings.CDI_MODEL_ENABLED = True
    settings.INFERENCE_RUNTIME_DIR = model_runtime
    clear_encoders()
    yield model_runtime
    clear_encoders()
