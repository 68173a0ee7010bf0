"""python manage.py coding_miss_report --dataset DATA.jsonl [--json]

Where the gold codes of each split are lost, in aggregate only (``coding.misses``): counts of
gold codes by ICD-10-CM chapter x miss type (suggested exactly / only a sibling suggested /
candidate below the threshold or dropped by the rules / only a sibling candidate / no candidate
of the category) and wrong suggestions by chapter, per split. It prints no report id, no code
and no text, so the held-out splits can be diagnosed without inspecting a report.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cdi.clinical.context import ClinicalText
from coding import codeset
from coding.candidates import coding_sections, find_candidates
from coding.embedding import default_retriever
from coding.evaluation import DatasetError, read_dataset
from coding.fuzzy import content_words
from coding.lexicon import default_lexicon, status_lexicon
from coding.misses import MISS_TYPES, MissTable
from coding.ranking import default_ranker
from coding.rules import apply_rules
from coding.setting import coding_setting

SHORT = {
    "exact": "exact",
    "sibling_suggested": "sib-sugg",
    "candidate_unsuggested": "cand<thr",
    "sibling_candidate": "sib-cand",
    "no_candidate": "no-cand",
}


def title_overlap(code: str, text: str) -> str:
    """How much of a code's title the note's best sentence holds (word order and forms aside)."""
    words = set(content_words(codeset.title(codeset.dotted(codeset.undotted(code)))))
    if not words:
        return "no title words"
    best = max((len(words & set(content_words(s))) / len(words) for s in _SENTENCE.split(text)), default=0.0)
    return "all title words in a sentence" if best >= 1 else "half or more" if best >= 0.5 else "under half"


_SENTENCE = re.compile(r"[.;\n]")


class Command(BaseCommand):
    help = "Aggregate miss breakdown (chapter x miss type) per split; no ids, codes or text."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dataset", required=True)
        parser.add_argument("--json", action="store_true")
        parser.add_argument("--no-embeddings", action="store_true")

    def handle(self, *args, **options) -> None:
        path = Path(options["dataset"])
        try:
            examples = [e for e in read_dataset(path) if e.codes is not None]
        except DatasetError as exc:
            raise CommandError(f"{path}: {exc}") from None
        except OSError as exc:
            raise CommandError(str(exc)) from None
        ranker = default_ranker()
        threshold = ranker.default_threshold
        retriever = None if options["no_embeddings"] else default_retriever()
        tables: dict[str, MissTable] = {}
        for example in examples:
            setting = coding_setting(example.text)
            candidates = ranker.rank(
                find_candidates(example.text, setting, retriever=retriever), example.text
            )
            suggested = [c.code for c in apply_rules(candidates, example.text, threshold)]
            # Every code the path could reach: the candidates and what the rules make of them.
            reachable = {c.code for c in candidates} | {
                c.code for c in apply_rules(candidates, example.text, 0.0)
            }
            doc = coding_sections(ClinicalText(example.text))
            mentions: dict[str, str] = {}
            hits = [*default_lexicon().scan(example.text), *status_lexicon().scan(example.text)]
            for entry, start, _end in sorted(hits, key=lambda hit: hit[1]):
                mentions.setdefault(codeset.family(entry.code), doc.sections.at(start).kind)
            for code in example.codes:
                family = codeset.family(code)
                if family not in mentions:
                    mentions[family] = "no lexicon match, " + title_overlap(code, example.text)
            kinds = [section.kind for section in doc.sections.sections]
            tables.setdefault(example.split or "all", MissTable()).add(
                example.codes, suggested, reachable, setting, mentions, kinds
            )
        report = {"ranker": ranker.name, "threshold": threshold} | {
            name: table.as_dict() for name, table in tables.items()
        }
        if options["json"]:
            self.stdout.write(json.dumps(report))
            return
        for name, table in tables.items():
            data = table.as_dict()
            self.stdout.write(
                f"\nsplit {name}: {data['notes']} notes (ranker {ranker.name}, threshold {threshold})"
            )
            head = "".join(f"{SHORT[k]:>10s}" for k in MISS_TYPES)
            self.stdout.write(f"{'chapter':24s}{'gold':>6s}{head}{'wrong':>8s}")
            for row in data["chapters"]:
                cells = "".join(f"{row[k]:>10d}" for k in MISS_TYPES)
                self.stdout.write(
                    f"{row['chapter']:24s}{row['gold']:>6d}{cells}{row['wrong_suggestions']:>8d}"
                )
            first = data["first_listed"]
            self.stdout.write("first-listed  " + " ".join(f"{SHORT[k]} {first[k]}" for k in MISS_TYPES))
            for setting, counts in data["by_setting"].items():
                self.stdout.write(f"{setting:13s} " + " ".join(f"{SHORT[k]} {counts[k]}" for k in MISS_TYPES))
            where = ", ".join(f"{k} {v}" for k, v in data["no_candidate_mentions"].items())
            self.stdout.write(f"no-candidate codes, category matched (before filters) in: {where}")
            sections = ", ".join(f"{k} {v}" for k, v in data["notes_with_section"].items())
            self.stdout.write(f"notes with a section of kind: {sections}")
