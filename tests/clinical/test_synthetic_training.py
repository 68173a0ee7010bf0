from __future__ import annotations

from cdi.clinical.knowledge import default_knowledge
from cdi.clinical.synthetic import generate
from cdi.clinical.training import LabelledNote, build_pairs


def test_generation_is_deterministic_by_seed():
    first = generate(20, seed=5)
    assert [n.text for n in first] == [n.text for n in generate(20, seed=5)]
    assert [n.text for n in first] != [n.text for n in generate(20, seed=6)]


def test_synthetic_gaps_are_in_the_vocabulary_and_mixed():
    kb = default_knowledge()
    notes = generate(200, seed=1)
    assert all(kb.is_known(*gap) for note in notes for gap in note.gaps)
    with_gaps = sum(1 for n in notes if n.gaps)
    assert 0.2 * len(notes) < with_gaps < 0.95 * len(notes)


def test_training_pairs_label_candidates_against_gold():
    note = generate(1, seed=3)[0]
    text = "LABORATORY DATA: Sodium 128.\n\nASSESSMENT: Hypertension.\n\nPLAN: Fluid restriction.\n"
    labelled = [
        LabelledNote("gap", text, frozenset({("undocumented_diagnosis", "hyponatremia")})),
        LabelledNote("nogap", text, frozenset()),
        LabelledNote(note.id, note.text, frozenset(note.gaps)),
    ]
    pairs = build_pairs(labelled)
    by_group = {}
    for pair in pairs:
        by_group.setdefault(pair.group, []).append(pair)
    assert [p.label for p in by_group["gap"] if p.condition == "hyponatremia"] == [1]
    assert [p.label for p in by_group["nogap"] if p.condition == "hyponatremia"] == [0]
    assert all(p.text_a and p.text_b for p in pairs)
