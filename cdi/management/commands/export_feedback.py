"""Write the CDI team's decisions as training pairs for the `cdi` adapter, de-identified."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cdi.clinical.detection import GapFinding, Span, candidate_pairs
from cdi.clinical.knowledge import default_knowledge
from cdi.deid import Identity, deidentify
from cdi.models import Gap, Response


def label_for(gap: Gap) -> int | None:
    """The specialist's decision is the label: dismissed = not a gap; queried or resolved = a gap.
    Gaps nobody has decided on yet are not training signal."""
    if gap.status == Gap.Status.DISMISSED:
        return 0
    if gap.status in (Gap.Status.QUERIED, Gap.Status.RESOLVED):
        return 1
    return None


def identity_for(gap: Gap) -> Identity:
    encounter = gap.encounter
    patient = encounter.patient
    names = [patient.name] if patient.name else []
    names += [p.name for p in (encounter.attending, gap.note.author) if p is not None and p.name]
    return Identity(
        key=f"patient:{patient.pk}",
        names=tuple(names),
        identifiers=(patient.mrn, encounter.account_number, *(p.npi for p in (encounter.attending,) if p)),
    )


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="JSONL file to write")

    def handle(self, *args, out: str, **options):
        path = Path(out)
        if not path.parent.exists():
            raise CommandError(f"The folder {path.parent} does not exist.")
        kb = default_knowledge()
        gaps = Gap.objects.select_related(
            "note__author", "encounter__patient", "encounter__attending"
        ).order_by("id")
        outcomes = dict(Response.objects.values_list("query__gap_id", "outcome"))
        written = skipped = 0
        with path.open("w", encoding="utf-8") as fh:
            for gap in gaps.iterator(chunk_size=500):
                label = label_for(gap)
                if label is None or not gap.evidence:
                    skipped += 1
                    continue
                knowledge = (
                    kb.get(gap.category, gap.condition) if kb.is_known(gap.category, gap.condition) else None
                )
                finding = GapFinding(
                    category=gap.category,
                    condition=gap.condition,
                    confidence=gap.confidence,
                    evidence=[Span(e["start"], e["end"], e["text"]) for e in gap.evidence],
                    description=knowledge.description if knowledge else "",
                )
                [(text_a, text_b)] = candidate_pairs(gap.note.text, [finding])
                record = {
                    "text_a": text_a,
                    "text_b": deidentify(text_b, identity_for(gap)),
                    "label": label,
                    "group": hashlib.sha256(f"note:{gap.note_id}".encode()).hexdigest()[:16],
                    "category": gap.category,
                    "condition": gap.condition,
                    "decision": gap.status,
                    "dismiss_reason": gap.dismiss_reason,
                    "physician_outcome": outcomes.get(gap.id, ""),
                }
                fh.write(json.dumps(record) + "\n")
                written += 1
        self.stdout.write(f"wrote {written} training pairs to {path} ({skipped} undecided gaps skipped)")
