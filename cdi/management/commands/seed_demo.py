from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from cdi.demo.history import seed_history
from cdi.intake import NoteInput, create_note, decode_note_text
from cdi.models import Encounter, Note, Patient, Provider

DEMO_NOTES = Path(__file__).resolve().parents[2] / "demo" / "notes.json"
DEMO_PASSWORD = "demo-password-2026"
DEMO_USERS = (
    # username, role, full name
    ("specialist", "cdi_specialist", "Casey Specialist"),
    ("dr.adams", "physician", "Dr. Ada Adams"),
    ("dr.baker", "physician", "Dr. Ben Baker"),
    ("finance", "finance", "Fran Finance"),
    ("coder", "coder", "Cody Coder"),
    ("admin", "admin", "Ari Admin"),
)


class Command(BaseCommand):
    help = "Create demo users of each role, providers, encounters and a few demo notes (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="allow demo accounts when DEBUG is false")

    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("Refusing to create demo accounts with known passwords when DEBUG is false.")
        with transaction.atomic():
            users = self.create_users()
            created = self.create_notes(users)
            history = seed_history(
                users["specialist"], list(Provider.objects.filter(npi__startswith="10000000"))
            )
        self.stdout.write(f"demo data ready: {len(users)} users, {created} new notes, {history} demo queries")
        for username, role, _ in DEMO_USERS:
            self.stdout.write(f"  {role:15} {username} / {DEMO_PASSWORD}")

    def create_users(self) -> dict[str, User]:
        users = {}
        for username, role, full_name in DEMO_USERS:
            first, _, last = full_name.partition(" ")
            user, created = User.objects.get_or_create(
                username=username,
                defaults={"first_name": first, "last_name": last, "email": f"{username}@example.org"},
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.is_staff = role == "admin"
                user.is_superuser = role == "admin"
                user.save()
            user.groups.add(Group.objects.get(name=role))
            users[username] = user
        for npi, username in (("1000000001", "dr.adams"), ("1000000002", "dr.baker")):
            user = users[username]
            Provider.objects.get_or_create(
                npi=npi,
                defaults={
                    "name": user.get_full_name(),
                    "user": user,
                    "email": user.email,
                    "service_line": "Hospital medicine",
                },
            )
        return users

    def create_notes(self, users: dict[str, User]) -> int:
        attending = Provider.objects.get(npi="1000000001")
        created = 0
        for item in json.loads(DEMO_NOTES.read_text()):
            patient, _ = Patient.objects.get_or_create(mrn=item["mrn"], defaults={"sex": "U"})
            encounter, _ = Encounter.objects.get_or_create(
                account_number=item["account"],
                defaults={
                    "patient": patient,
                    "attending": attending,
                    "service_line": item["service_line"],
                    "unit": item["unit"],
                    "admitted_at": timezone.now(),
                    "encounter_class": "outpatient" if item["note_type"] == "Office visit" else "inpatient",
                },
            )
            if Note.objects.filter(encounter=encounter, source=Note.Source.DEMO).exists():
                continue
            create_note(
                NoteInput(
                    encounter=encounter,
                    text=decode_note_text(item["text"]),
                    note_type=item["note_type"],
                    author=attending,
                    source=Note.Source.DEMO,
                ),
                actor=users["specialist"],
            )
            created += 1
        return created
