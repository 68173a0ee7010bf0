"""Drafting: identifiers in the header only, indicators quoted with dates and sources, compliant by construction."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from cdi.queries import (
    GapInfo,
    Indicator,
    MissingDocumentedAsError,
    NoIndicatorsError,
    QueryContext,
    QueryTemplate,
    check_query,
    draft_query,
    load_templates,
    render_indicator,
    template_for,
    template_from_dict,
    template_to_dict,
)

NOV2 = date(2026, 11, 2)
CONTEXT = QueryContext(
    mrn="MRN-000123",
    account_number="ACC-98765",
    patient_name="Pat Example",
    birth_date=date(1950, 1, 31),
    admission_date=NOV2,
    addressed_to="Dr. Attending",
)


def lab(text: str) -> Indicator:
    return Indicator(text, "lab", NOV2)


def quote(text: str, source: str = "H&P") -> Indicator:
    return Indicator(text, source, NOV2, verbatim=True)


# Realistic indicators for each pair (written for these tests, not taken from any note), and the wording
# the provider used where a condition is documented.
CASES: dict[tuple[str, str], tuple[list[Indicator], str]] = {
    ("organism", "pneumonia"): (
        [quote("sputum culture growing Pseudomonas aeruginosa", "microbiology")],
        "pneumonia",
    ),
    ("organism", "urinary_tract_infection"): ([lab("Urine culture >100,000 CFU/mL E. coli")], "UTI"),
    ("organism", "sepsis"): (
        [lab("Blood cultures 2 of 2: MRSA"), quote("vancomycin for MRSA coverage")],
        "sepsis",
    ),
    ("organism", "cellulitis"): (
        [quote("wound culture: MSSA", "microbiology")],
        "cellulitis of the left leg",
    ),
    ("organism", "other_infection"): ([lab("Bone biopsy culture: Staphylococcus aureus")], "osteomyelitis"),
    ("acuity", "heart_failure"): ([quote("ejection fraction of 25%"), lab("BNP 1,840 pg/mL")], "CHF"),
    ("acuity", "respiratory_failure"): (
        [lab("ABG pH 7.28, PaCO2 62, PaO2 55"), quote("placed on BiPAP")],
        "respiratory failure",
    ),
    ("acuity", "kidney_disease"): (
        [lab("Creatinine 1.1 (10/01) and 2.6 mg/dL (11/02)")],
        "renal insufficiency",
    ),
    ("acuity", "other_acuity"): (
        [quote("RUQ ultrasound: gallbladder wall thickening with pericholecystic fluid")],
        "cholecystitis",
    ),
    ("severity", "ckd_stage"): ([lab("eGFR 24 mL/min/1.73m2")], "CKD"),
    ("severity", "malnutrition_severity"): (
        [quote("BMI 16.2, 12% weight loss in 3 months", "dietitian note")],
        "malnutrition",
    ),
    ("severity", "pressure_injury_stage"): (
        [quote("sacral wound 4 x 3 cm with slough", "wound care note")],
        "decubitus ulcer",
    ),
    ("severity", "encephalopathy_type"): (
        [lab("Ammonia 112 umol/L"), quote("started lactulose")],
        "encephalopathy",
    ),
    ("undocumented_diagnosis", "hyponatremia"): (
        [lab("Sodium 128 mmol/L"), quote("fluid restriction 1.2 L")],
        "",
    ),
    ("undocumented_diagnosis", "hypernatremia"): ([lab("Sodium 152 mmol/L"), quote("D5W at 100 mL/h")], ""),
    ("undocumented_diagnosis", "hypokalemia"): (
        [lab("Potassium 2.9 mmol/L"), quote("KCl 40 mEq PO x2", "MAR")],
        "",
    ),
    ("undocumented_diagnosis", "hyperkalemia"): (
        [lab("Potassium 6.1 mmol/L"), quote("Kayexalate 30 g given", "MAR")],
        "",
    ),
    ("undocumented_diagnosis", "hypomagnesemia"): (
        [lab("Magnesium 1.2 mg/dL"), quote("magnesium sulfate 2 g IV", "MAR")],
        "",
    ),
    ("undocumented_diagnosis", "acute_blood_loss_anemia"): (
        [lab("Hemoglobin 12.9 to 8.4 g/dL"), quote("transfused 2 units PRBC")],
        "",
    ),
    ("undocumented_diagnosis", "acute_kidney_injury"): ([lab("Creatinine 0.9 to 1.8 mg/dL in 36 hours")], ""),
    ("undocumented_diagnosis", "sepsis"): (
        [lab("WBC 17.2"), lab("Lactate 3.1 mmol/L"), quote("HR 118, temp 38.9")],
        "",
    ),
    ("undocumented_diagnosis", "acute_respiratory_failure"): (
        [lab("SpO2 84% on room air"), quote("placed on high-flow nasal cannula")],
        "",
    ),
    ("undocumented_diagnosis", "malnutrition"): (
        [quote("BMI 17.1, poor oral intake for 3 weeks", "dietitian note")],
        "",
    ),
    ("undocumented_diagnosis", "encephalopathy"): ([quote("confused and disoriented, ammonia 98")], ""),
    ("undocumented_diagnosis", "morbid_obesity"): ([quote("BMI 44.2", "nursing admission assessment")], ""),
    ("undocumented_diagnosis", "thrombocytopenia"): (
        [lab("Platelets 62 x10^9/L"), quote("heparin held")],
        "",
    ),
    ("undocumented_diagnosis", "lactic_acidosis"): (
        [lab("Lactate 4.4 mmol/L"), quote("2 L normal saline bolus")],
        "",
    ),
    ("undocumented_diagnosis", "pressure_injury"): (
        [quote("stage 3 pressure injury to sacrum", "wound care note")],
        "",
    ),
}


def test_the_cases_cover_every_template() -> None:
    assert set(CASES) == {(t.category, t.condition) for t in load_templates()}


@pytest.mark.parametrize("key", sorted(CASES), ids=lambda key: "/".join(key))
def test_every_drafted_query_passes_the_checker(key: tuple[str, str]) -> None:
    indicators, documented_as = CASES[key]
    draft = draft_query(GapInfo(key[0], key[1], indicators, documented_as), CONTEXT)
    assert check_query(draft.to_candidate()) == []
    # Without the condition hint the families come from the question and indicators alone.
    hintless = draft.to_candidate()
    assert check_query(type(hintless)(**{**hintless.__dict__, "condition": None})) == []


@pytest.mark.parametrize("key", sorted(CASES), ids=lambda key: "/".join(key))
def test_identifiers_appear_in_the_header_only(key: tuple[str, str]) -> None:
    indicators, documented_as = CASES[key]
    draft = draft_query(GapInfo(key[0], key[1], indicators, documented_as), CONTEXT)
    assert any("MRN-000123" in line for line in draft.header)
    assert any("ACC-98765" in line for line in draft.header)
    body = " ".join([draft.question, *draft.options, *draft.indicators, draft.footer])
    for identifier in ("MRN-000123", "ACC-98765", "Pat Example", "01/31/1950"):
        assert identifier not in body
    assert "{" not in body and "}" not in body


def test_it_quotes_indicators_with_dates_and_sources() -> None:
    assert render_indicator(Indicator("Sodium 128 mmol/L", "lab", NOV2)) == "Sodium 128 mmol/L (lab, 11/02)"
    assert render_indicator(quote("ejection fraction of 25%")) == "'ejection fraction of 25%' — H&P 11/02"
    assert (
        render_indicator(Indicator("Lactate 4.1", "lab", datetime(2026, 11, 2, 14, 30)))
        == "Lactate 4.1 (lab, 11/02 14:30)"
    )
    assert render_indicator(Indicator("EF\n 25%", "", "11/02", verbatim=True)) == "'EF 25%' — 11/02"
    assert render_indicator(Indicator("IV furosemide")) == "IV furosemide"


def test_it_fills_the_documented_wording_and_keeps_template_order() -> None:
    template = template_for("acuity", "heart_failure")
    draft = draft_query(
        GapInfo("acuity", "heart_failure", [quote("ejection fraction of 25%")], "CHF"), CONTEXT
    )
    assert '"CHF"' in draft.question
    assert draft.options == template.options
    assert draft.options[-2:] == ("Other (please specify)", "Clinically undetermined")
    assert (draft.template_key, draft.template_version) == ("acuity/heart_failure", template.version)
    assert (draft.purpose, draft.format) == ("specificity", "multiple_choice")
    text = draft.text()
    assert (
        text.index(draft.question)
        < text.index("ejection fraction of 25%")
        < text.index("Clinically undetermined")
    )


def test_it_names_the_documented_condition_in_generic_options() -> None:
    indicators, documented_as = CASES[("acuity", "other_acuity")]
    draft = draft_query(GapInfo("acuity", "other_acuity", indicators, documented_as), CONTEXT)
    assert draft.options[:3] == (
        "Acute cholecystitis",
        "Chronic cholecystitis",
        "Acute on chronic cholecystitis",
    )
    with pytest.raises(MissingDocumentedAsError):
        draft_query(GapInfo("acuity", "other_acuity", indicators, ""), CONTEXT)


def test_it_drops_repeated_indicators() -> None:
    gap = GapInfo(
        "undocumented_diagnosis", "hyponatremia", [lab("Sodium 128 mmol/L"), lab("Sodium 128 mmol/L")]
    )
    assert len(draft_query(gap, CONTEXT).indicators) == 1


def test_it_refuses_to_draft_without_indicators() -> None:
    with pytest.raises(NoIndicatorsError):
        draft_query(GapInfo("acuity", "heart_failure", [Indicator("  ")], "CHF"), CONTEXT)


def test_it_drafts_from_an_edited_yes_no_template() -> None:
    record = {
        "category": "present_on_admission",
        "condition": "pressure_injury",
        "version": 3,
        "title": "Pressure injury: present on admission",
        "purpose": "present_on_admission",
        "format": "yes_no",
        "question": 'Was the "{documented_as}" present at the time of inpatient admission?',
        "options": ["Yes", "No", "Clinically undetermined"],
    }
    template: QueryTemplate = template_from_dict(record)
    gap = GapInfo(
        "severity",
        "pressure_injury_stage",
        [quote("stage 3, sacrum", "wound care note")],
        "sacral pressure injury",
    )
    draft = draft_query(gap, CONTEXT, template)
    assert (draft.format, draft.template_version) == ("yes_no", 3)
    assert check_query(draft.to_candidate()) == []
    assert template_to_dict(template)["version"] == 3
