from __future__ import annotations

import pytest

from cdi.clinical.values import extract_measurements, extract_organisms


def values(text: str, name: str):
    return [m for m in extract_measurements(text) if m.name == name]


@pytest.mark.parametrize(
    ("text", "name", "value", "series"),
    [
        ("Sodium 128 → 131.", "sodium", 131, (128, 131)),
        ("creatinine 1.5 up from 1.2 yesterday", "creatinine", 1.5, (1.2, 1.5)),
        ("Hb 11.2 -> 8.1", "hemoglobin", 8.1, (11.2, 8.1)),
        ("Sodium 149; this is down from 151 yesterday.", "sodium", 149, (151, 149)),
        ("Cr rose from 1.0 to 1.9.", "creatinine", 1.9, (1.0, 1.9)),
        ("hematocrit was 31.2 subsequently dropped to 26.9 and 25.6", "hematocrit", 25.6, (31.2, 26.9, 25.6)),
    ],
)
def test_it_reads_trends(text, name, value, series):
    [m] = values(text, name)
    assert m.value == value and m.series == series


@pytest.mark.parametrize(
    ("text", "name", "value", "unit"),
    [
        ("EF 25%.", "ef", 25, "%"),
        ("ejection fraction of 30%", "ef", 30, "%"),
        ("SpO2 86% on RA", "spo2", 86, "%"),
        ("BMI 41.3", "bmi", 41.3, "kg/m2"),
        ("lactate 3.4", "lactate", 3.4, "mmol/L"),
        ("WBC 16.5", "wbc", 16.5, "x10^9/L"),
        ("white count of 16,500", "wbc", 16.5, "x10^9/L"),
        ("platelets 231,000", "platelets", 231, "x10^9/L"),
        ("T-max 103.2", "temperature", 103.2, "F"),
        ("temperature 38.9", "temperature", 38.9, "C"),
        ("heart rate is 100", "heart_rate", 100, "/min"),
        ("BNP of 10,000", "bnp", 10000, "pg/mL"),
        ("magnesium 1.4", "magnesium", 1.4, "mg/dL"),
        ("albumin 2.1", "albumin", 2.1, "g/dL"),
        ("GFR 22", "gfr", 22, "mL/min"),
        ("PaO2 54", "pao2", 54, "mmHg"),
        ("K 3.4", "potassium", 3.4, "mmol/L"),
    ],
)
def test_it_reads_values_with_units(text, name, value, unit):
    [m] = values(text, name)
    assert m.value == pytest.approx(value) and m.unit == unit


def test_fahrenheit_is_converted_for_thresholds():
    [m] = values("Temperature 96.5.", "temperature")
    assert m.celsius < 36


def test_saturation_on_room_air_is_qualified():
    [m] = values("O2 saturation 88% on room air.", "spo2")
    assert m.qualifier == "room air"


def test_a_medication_dose_is_not_a_lab_value():
    assert values("potassium chloride 20 mEq daily and magnesium oxide 400 mg", "potassium") == []
    assert values("potassium 20 mEq p.o. daily", "potassium") == []


def test_offsets_are_exact():
    text = "LABS: Sodium 128 -> 131, potassium 3.1, creatinine 2.1 up from 1.0."
    for m in extract_measurements(text):
        assert text[m.start : m.end] == m.text


def test_it_finds_a_culture_organism_and_its_specimen():
    [organism] = extract_organisms("Blood cultures grew E. coli.")
    assert organism.organism == "e_coli" and organism.kind == "culture" and "blood" in organism.specimens


def test_it_finds_organism_directed_therapy():
    [organism] = extract_organisms("Vancomycin for MRSA coverage.")
    assert organism.organism == "mrsa" and organism.kind == "coverage"


def test_a_negative_screen_is_negative():
    [organism] = extract_organisms("MRSA screen negative.")
    assert organism.negative


@pytest.mark.parametrize(
    ("text", "name", "value", "series"),
    [
        ("On admission her potassium had risen slightly to 5.5, and", "potassium", 5.5, ()),
        ("Creatinine of 1.4. During the stay it was decreased to 0.8.", "creatinine", 0.8, (1.4, 0.8)),
        ("WBC count today down 10.9 from 17.3 yesterday.", "wbc", 10.9, (17.3, 10.9)),
    ],
)
def test_it_reads_values_and_trends_stated_in_words(text, name, value, series):
    [m] = values(text, name)
    assert m.value == value and m.series == series


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Replete potassium to 4.0 today.", "potassium"),  # a target, not a result
        ("His H and H was down in the 6 level.", "hemoglobin"),  # no number to read
    ],
)
def test_targets_and_vague_levels_are_not_values(text, name):
    assert values(text, name) == []


def test_a_bare_from_after_a_time_is_not_a_trend():
    [m] = values("WBC down 12 from 3 days ago.", "wbc")
    assert m.series == ()
