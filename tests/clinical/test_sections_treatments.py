from __future__ import annotations

from cdi.clinical.sections import find_sections
from cdi.clinical.treatments import extract_treatments


def test_it_finds_headers_with_offsets():
    text = "CHIEF COMPLAINT: Cough.\nPAST MEDICAL HISTORY: CHF.\nFAMILY HISTORY: None.\nIMPRESSION:\n1. Pneumonia.\nPLAN\nAntibiotics."
    kinds = [(s.kind, text[s.start : s.start + len(s.header)]) for s in find_sections(text) if s.header]
    assert [k for k, _ in kinds] == [
        "chief_complaint",
        "past_medical_history",
        "family_history",
        "assessment",
        "plan",
    ]
    assert all(header.isupper() for _, header in kinds)


def test_a_sentence_in_capitals_inside_a_line_is_not_a_header():
    text = "The patient has CHF and takes Lasix."
    assert [s.kind for s in find_sections(text)] == ["preamble"]


def kinds(text: str) -> set[str]:
    return {t.kind for t in extract_treatments(text)}


def test_it_recognises_treatments():
    assert {"iv_diuretic", "diuretic"} <= kinds("IV Lasix 40 mg b.i.d.")
    assert "fluid_restriction" in kinds("Fluid restriction to 1.5 L.")
    assert "potassium_replacement" in kinds("KCl 40 mEq given.")
    assert "transfusion" in kinds("Transfused 2 units PRBC.")
    assert "bipap" in kinds("Placed on BiPAP overnight.")
    assert "kayexalate" in kinds("Kayexalate 30 g.")
    assert "insulin_dextrose" in kinds("Insulin and dextrose given.")
    assert "dialysis" in kinds("Started hemodialysis.")
    assert "nutrition_support" in kinds("Dietitian consulted; Ensure t.i.d.")


def test_the_verb_ensure_is_not_a_supplement():
    assert "nutrition_support" not in kinds("Monitor overnight to ensure there is no bleeding.")
