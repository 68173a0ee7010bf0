from __future__ import annotations

import multiprocessing
import os
from decimal import Decimal

import pytest

from cdi.impact import Claim, InvalidCode, NoPrincipalDiagnosis, drg_weight, expected_shift, group
from cdi.impact.grouper import _process_grouper


def adult(principal: str | None, *secondary: str) -> Claim:
    return Claim(principal, secondary, age=70, sex="M", discharge_status=1)


def test_simple_pneumonia_alone_groups_to_195():
    result = group(adult("J18.9"))
    assert result.drg == "195"
    assert result.mdc == 4
    assert result.severity == "none"
    assert result.return_code == "OK"


def test_adding_hyponatremia_moves_pneumonia_to_194():
    shift = expected_shift(adult("J18.9"), add=["E87.1"])
    assert (shift.drg_before, shift.drg_after) == ("195", "194")
    assert shift.after.severity == "cc"
    assert shift.after.severity_codes == ("E871",)


def test_pseudomonas_pneumonia_as_principal_groups_to_179():
    assert group(adult("J15.1")).drg == "179"
    shift = expected_shift(adult("J18.9"), replace={"J18.9": "J15.1"})
    assert (shift.drg_before, shift.drg_after) == ("195", "179")
    assert shift.after.claim.principal == "J151"


def test_sepsis_with_uti_groups_to_872_and_metabolic_encephalopathy_to_871():
    claim = adult("A41.9", "N39.0")
    assert group(claim).drg == "872"
    shift = expected_shift(claim, add=["G93.41"])
    assert (shift.drg_before, shift.drg_after) == ("872", "871")
    assert shift.after.severity == "mcc"


def test_weights_and_los_come_from_fy2026_table_5():
    result = group(adult("J18.9"))
    row = drg_weight("195")
    assert result.relative_weight == row.relative_weight == Decimal("0.6285")
    assert result.geometric_mean_los == row.geometric_mean_los
    assert result.arithmetic_mean_los == row.arithmetic_mean_los
    assert "FY 2026" in result.weights_version
    assert result.grouper_version.startswith("MS-DRG v43.1")


def test_codes_are_the_same_with_or_without_dots_and_in_any_case():
    assert adult("j18.9", "e87.1") == adult("J189", "E871")
    assert group(adult("j18.9", "e87.1")).drg == group(adult("J189", "E871")).drg == "194"


def test_it_rejects_malformed_codes():
    with pytest.raises(InvalidCode):
        adult("J1.89")
    with pytest.raises(InvalidCode):
        adult("J18.9", "not a code")
    with pytest.raises(InvalidCode):
        Claim("J18.9", procedures=["0DTJ4Z"])  # six characters


def test_it_rejects_codes_the_grouper_does_not_know():
    with pytest.raises(InvalidCode) as principal_error:
        group(adult("J18"))  # a category, not a billable code
    assert principal_error.value.code == "J18"
    with pytest.raises(InvalidCode) as secondary_error:
        group(adult("J18.9", "E87"))
    assert secondary_error.value.code == "E87"


def test_it_refuses_to_group_without_a_principal_diagnosis():
    with pytest.raises(NoPrincipalDiagnosis):
        group(adult(None, "E87.1"))


def test_replacing_a_code_that_is_not_on_the_claim_is_an_error():
    with pytest.raises(ValueError, match="not on the claim"):
        expected_shift(adult("J18.9"), replace={"I50.9": "I50.21"})


def test_unknown_age_and_discharge_status_are_recorded_as_assumptions():
    result = group(Claim("J18.9"))
    assert result.drg == "195"
    assert any("age" in note for note in result.assumptions)
    assert any("discharge status" in note for note in result.assumptions)
    assert group(adult("J18.9")).assumptions == ()
    assert group(Claim("J18.9", [("E87.1", "Y")], age=70, sex="M", discharge_status=1)).assumptions == ()


def test_a_sex_conflict_comes_back_ungroupable_without_a_weight():
    result = group(Claim("O80", age=30, sex="M", discharge_status=1))  # delivery, male patient
    assert not result.groupable
    assert result.relative_weight is None


def test_the_native_grouper_is_created_once_per_process():
    group(adult("J18.9"))
    first = _process_grouper.get()
    group(adult("J15.1"))
    assert _process_grouper.get() is first


def test_secondary_diagnoses_keep_their_present_on_admission_indicator():
    claim = Claim("J18.9", [("E87.1", "y"), "I10"], age=70, sex="F", discharge_status=1)
    assert [(dx.code, dx.poa) for dx in claim.secondary] == [("E871", "Y"), ("I10", None)]
    assert group(claim).drg == "194"


def test_a_hospital_acquired_condition_not_present_on_admission_does_not_raise_the_drg():
    # S72.001A (hip fracture) is an MCC and a HAC (falls and trauma) code.
    assert group(Claim("J18.9", [("S72.001A", "Y")], age=80, sex="F", discharge_status=1)).drg == "193"
    assert group(Claim("J18.9", [("S72.001A", "N")], age=80, sex="F", discharge_status=1)).drg == "195"


def test_a_missing_poa_is_grouped_as_poa_exempt_and_says_so():
    result = group(Claim("J18.9", ["S72.001A"], age=80, sex="F", discharge_status=1))
    assert result.drg == "193"
    assert any("POA" in note for note in result.assumptions)


def _group_in_child(principal: str) -> tuple[str, int]:
    return group(adult(principal)).drg, os.getpid()


def test_a_forked_worker_opens_its_own_grouper():
    group(adult("J18.9"))  # the parent has a grouper open before forking, as a Celery parent might
    with multiprocessing.get_context("fork").Pool(1) as pool:
        drg, child_pid = pool.apply(_group_in_child, ("J15.1",))
    assert drg == "179"
    assert child_pid != os.getpid()
    assert group(adult("J18.9")).drg == "195"  # the parent's grouper is untouched
