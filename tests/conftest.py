"""Shared fixtures: one user per role (healthchecks' Alice/Bob/Charlie), a patient and encounter."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User

from cdi.models import Encounter, IntegrationClient, Patient, Provider

settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

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
        user.groups.add(Group.objects.get(name=role))
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
