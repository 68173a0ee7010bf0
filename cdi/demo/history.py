"""Demo history for the finance dashboard: encounters, gaps and answered queries over ten weeks.

Figures go through the real code (grouper, base rate, split); only the dates are moved back."""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from .. import querying, revenue
from ..models import Encounter, Gap, Note, Patient, Provider, Query, QueryVersion

# (principal, secondaries, gap category, condition, documented code, candidate code, service line)
SCENARIOS = [
    ("A41.9", ["N39.0"], "undocumented_diagnosis", "encephalopathy", "", "G93.41", "Hospital medicine"),
    ("J18.9", [], "organism", "pneumonia", "J18.9", "J15.1", "Hospital medicine"),
    ("J18.9", [], "undocumented_diagnosis", "hyponatremia", "", "E87.1", "Hospital medicine"),
    ("I50.9", ["I10"], "acuity", "heart_failure", "I50.9", "I50.23", "Cardiology"),
    ("N17.9", ["E11.9"], "severity", "ckd_stage", "N18.9", "N18.4", "Nephrology"),
    ("M16.11", [], "undocumented_diagnosis", "acute_blood_loss_anemia", "", "D62", "Orthopedics"),
    ("K85.90", [], "undocumented_diagnosis", "malnutrition", "", "E43", "Surgery"),
    ("J44.1", [], "acuity", "respiratory_failure", "J96.90", "J96.01", "Pulmonology"),
]
# The ward each service line's demo patients are on, for the worklist's unit filter.
UNITS = {
    "Hospital medicine": "4 West",
    "Cardiology": "CCU",
    "Nephrology": "4 West",
    "Orthopedics": "5 East",
    "Surgery": "5 East",
    "Pulmonology": "ICU",
}
OUTCOMES = ["Metabolic encephalopathy", "Clinically undetermined", "Other (please specify)"]
DEMO_TEXT = "Demo encounter for the finance dashboard. No clinical content."


@transaction.atomic
def seed_history(specialist: User, providers: list[Provider], count: int = 40, seed: int = 7) -> int:
    if Encounter.objects.filter(account_number__startswith="DEMO-H-").exists():
        return 0
    rng = random.Random(seed)
    now = timezone.now()
    for i in range(count):
        principal, secondaries, category, condition, documented, candidate, line = SCENARIOS[
            i % len(SCENARIOS)
        ]
        patient = Patient.objects.create(mrn=f"DEMO-H-MRN-{i:03}", sex=rng.choice("FM"))
        encounter = Encounter.objects.create(
            patient=patient,
            account_number=f"DEMO-H-{i:03}",
            principal_diagnosis=principal,
            secondary_diagnoses=secondaries,
            service_line=line,
            unit=UNITS.get(line, ""),
            attending=providers[i % len(providers)],
            admitted_at=now - dt.timedelta(days=70 - i),
        )
        note = Note.objects.create(
            encounter=encounter, text=DEMO_TEXT, source=Note.Source.DEMO, status="analysed"
        )
        impact = revenue.expected_impact(encounter, category, documented, [candidate])
        gap = Gap.objects.create(
            note=note,
            encounter=encounter,
            category=category,
            condition=condition,
            confidence=0.9,
            evidence=[{"start": 0, "end": 4, "text": DEMO_TEXT[:4]}],
            documented_code=documented,
            candidate_codes=[candidate],
            expected_impact=impact.amount,
            impact_is_estimate=impact.estimate,
            impact_inputs=impact.inputs(),
        )
        query = Query.objects.create(
            gap=gap, encounter=encounter, addressed_to=encounter.attending, created_by=specialist
        )
        QueryVersion.objects.create(
            query=query,
            number=1,
            format="multiple_choice",
            purpose="new_diagnosis",
            question="Demo query.",
            indicators=["demo indicator"],
            options=["Metabolic encephalopathy", "Other (please specify)", "Clinically undetermined"],
            created_by=specialist,
        )
        querying.send_query(query, specialist)
        sent_at = now - dt.timedelta(days=70 - i, hours=rng.randint(0, 12))
        Query.objects.filter(pk=query.pk).update(sent_at=sent_at)
        roll = rng.random()
        if i >= count - 6:
            continue  # the most recent ones are still pending
        choice = OUTCOMES[0] if roll < 0.65 else OUTCOMES[1] if roll < 0.85 else OUTCOMES[2]
        response = querying.answer_query(
            query,
            choice,
            "Demo answer" if choice.startswith("Other") else "",
            "",
            encounter.attending,
            via_link=True,
        )
        answered_at = sent_at + dt.timedelta(hours=rng.randint(4, 96))
        Query.objects.filter(pk=query.pk).update(answered_at=answered_at)
        type(response).objects.filter(pk=response.pk).update(responded_at=answered_at)
    return count
