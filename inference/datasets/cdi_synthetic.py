"""A synthetic stand-in training set for the ``cdi`` adapter, from the gap vocabulary.

Used only until expert-labelled pairs exist: ``text_a`` names a candidate gap
("undocumented diagnosis: hyponatremia"), ``text_b`` a short context written from the
hand-made templates in ``data/cdi_synthetic.json``. Positives hold indicators and their
clinical significance; negatives hold normal values, insignificant values, or the specific
diagnosis already documented; more negatives pair one gap's context with another gap's name.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from pathlib import Path

TEMPLATES = Path(__file__).parent / "data" / "cdi_synthetic.json"
_SLOT = re.compile(r"\{([nf]):([\d.]+)-([\d.]+)\}")


@dataclass(frozen=True)
class CdiPair:
    text_a: str
    text_b: str
    label: int
    group: str


def gap_description(category: str, condition: str) -> str:
    """The text_a form the CDI detector uses for a candidate gap."""
    return f"{category.replace('_', ' ')}: {condition.replace('_', ' ')}"


def _fill(template: str, rng: random.Random) -> str:
    def value(match: re.Match[str]) -> str:
        low, high = float(match.group(2)), float(match.group(3))
        if match.group(1) == "n":
            return str(rng.randint(int(low), int(high)))
        return f"{rng.uniform(low, high):.1f}"

    return _SLOT.sub(value, template)


def _context(sentence: str, filler: list[str], rng: random.Random) -> str:
    parts = [*rng.sample(filler, rng.randint(0, 2)), sentence, *rng.sample(filler, rng.randint(0, 2))]
    return " ".join(parts)


def build_cdi_pairs(per_template: int = 12, seed: int = 13) -> list[CdiPair]:
    spec = json.loads(TEMPLATES.read_text(encoding="utf-8"))
    rng = random.Random(seed)
    gaps = spec["gaps"]
    pairs: list[CdiPair] = []
    for gap in gaps:
        name = gap_description(gap["category"], gap["condition"])
        group = f"{gap['category']}/{gap['condition']}"
        for label, key in ((1, "positive"), (0, "negative")):
            for t_index, template in enumerate(gap[key]):
                for _ in range(per_template):
                    text_b = _context(_fill(template, rng), spec["filler"], rng)
                    # Group by template, so held-out pairs come from templates never trained on.
                    pairs.append(CdiPair(name, text_b, label, f"{group}/{key}{t_index}"))
                    other = rng.choice([g for g in gaps if g is not gap])
                    if label == 1:
                        wrong = gap_description(other["category"], other["condition"])
                        pairs.append(CdiPair(wrong, text_b, 0, f"{group}/{key}{t_index}"))
    rng.shuffle(pairs)
    return pairs


def write_pairs(pairs: list[CdiPair], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as handle:
        for pair in pairs:
            handle.write(
                json.dumps(
                    {"text_a": pair.text_a, "text_b": pair.text_b, "label": pair.label, "group": pair.group}
                )
                + "\n"
            )
