from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from cdi import finance, querying, revenue
from cdi.models import Encounter, Gap, Patient, Query, QueryVersion, Response
from tests.conftest import make_gap

RATE = Decimal("6500.00")


@pytest.fixture(autouse=True)
def base_rate(settings):
    settings.DRG_BASE_RATES = [{"amount": str(RATE), "effective_from": "2025-10-01", "payer": None}]
    revenue.configured_base_rates.cache_clear()
    yield
    revenue.configured_base_rates.cache_clear()


def sent_query(cast, encounter, **gap_fields) -> Query:
    gap = make_gap(encounter, **gap_fields)
    query = Query.objects.create(
        gap=gap, encounter=encounter, addressed_to=cast.provider, created_by=cast.specialist
    )
    QueryVersion.objects.create(
        query=query,
        number=1,
        format="multiple_choice",
        purpose="new_diagnosis",
        question="q?",
        indicators=["x"],
        options=["Metabolic encephalopathy", "Other (please specify)", "Clinically undetermined"],
        created_by=cast.specialist,
    )
    querying.send_query(query, cast.specialist)
    return query


def sepsis_encounter() -> Encounter:
    patient = Patient.objects.create(mrn="MRN-S", sex="F")
    return Encounter.objects.create(
        patient=patient,
        account_number="ACC-S",
        principal_diagnosis="A41.9",
        secondary_diagnoses=["N39.0"],
        service_line="Medicine",
    )


def test_expected_impact_of_a_gap_uses_the_grouper_and_the_base_rate(db):
    enc = sepsis_encounter()
    impact = revenue.expected_impact(enc, "undocumented_diagnosis", "", ["G93.41"])
    assert (impact.drg_before, impact.drg_after, impact.estimate) == ("872", "871", False)
    assert impact.amount == ((impact.weight_after - impact.weight_before) * RATE).quantize(Decimal("0.01"))
    assert impact.inputs()["base_rate"] == "6500.00"


def test_a_specific_code_replaces_the_unspecified_one_on_the_claim(db):
    patient = Patient.objects.create(mrn="MRN-P")
    enc = Encounter.objects.create(patient=patient, account_number="ACC-P", principal_diagnosis="J18.9")
    impact = revenue.expected_impact(enc, "organism", "J18.9", ["J15.1"])
    assert (impact.drg_before, impact.drg_after) == ("195", "179")


def test_without_a_principal_diagnosis_the_figure_is_a_labelled_estimate(encounter):
    impact = revenue.expected_impact(encounter, "organism", "", ["J15.1"])
    assert impact.estimate is True
    assert impact.low <= impact.amount <= impact.high


def test_an_agreed_answer_realises_the_drg_shift_and_records_its_inputs(cast):
    enc = sepsis_encounter()
    query = sent_query(
        cast,
        enc,
        category="undocumented_diagnosis",
        condition="encephalopathy",
        candidate_codes=["G93.41"],
        documented_code="",
    )
    querying.answer_query(query, "Metabolic encephalopathy", "", "", cast.provider, via_link=True)
    response = Response.objects.get()
    inputs = response.impact_inputs["encounter_total"]
    assert (inputs["drg_before"], inputs["drg_after"]) == ("872", "871")
    expected = ((Decimal(inputs["weight_after"]) - Decimal(inputs["weight_before"])) * RATE).quantize(
        Decimal("0.01")
    )
    assert response.realised_amount == expected
    enc.refresh_from_db()
    assert (enc.baseline_drg, enc.cdi_drg) == ("872", "871")


def test_two_answers_on_one_encounter_split_the_shift_without_double_counting(cast):
    enc = sepsis_encounter()
    first = sent_query(
        cast,
        enc,
        category="undocumented_diagnosis",
        condition="encephalopathy",
        candidate_codes=["G93.41"],
        documented_code="",
    )
    second = sent_query(
        cast,
        enc,
        category="undocumented_diagnosis",
        condition="hyponatremia",
        candidate_codes=["E87.1"],
        documented_code="",
    )
    querying.answer_query(first, "Metabolic encephalopathy", "", "", cast.provider, via_link=True)
    querying.answer_query(second, "Metabolic encephalopathy", "", "", cast.provider, via_link=True)
    shares = list(Response.objects.order_by("id").values_list("realised_amount", flat=True))
    total = Response.objects.first().impact_inputs["encounter_total"]
    assert sum(shares) == Decimal(total["amount"])
    assert shares[1] == Decimal("0.00")  # E87.1 adds nothing once G93.41 (an MCC) is there


def test_the_dashboard_shows_realised_pending_and_lost_and_csv_matches(client, cast):
    enc = sepsis_encounter()
    agreed = sent_query(
        cast,
        enc,
        category="undocumented_diagnosis",
        condition="encephalopathy",
        candidate_codes=["G93.41"],
        expected_impact=Decimal("5000"),
    )
    lost = sent_query(
        cast, enc, category="acuity", condition="heart_failure", expected_impact=Decimal("1200")
    )
    sent_query(cast, enc, category="organism", condition="pneumonia", expected_impact=Decimal("800"))
    querying.answer_query(agreed, "Metabolic encephalopathy", "", "", cast.provider, via_link=True)
    querying.answer_query(lost, "Clinically undetermined", "", "", cast.provider, via_link=True)
    dash = finance.build(finance.Scope())
    realised = Response.objects.get(outcome="agreed").realised_amount
    assert (dash.summary.realised, dash.summary.pending, dash.summary.lost) == (
        realised,
        Decimal("800"),
        Decimal("1200"),
    )
    assert (dash.summary.sent, dash.summary.answered, dash.summary.agreed) == (3, 2, 1)
    assert dash.summary.response_rate == pytest.approx(2 / 3)
    assert dash.summary.agreement_rate == 0.5
    client.force_login(cast.finance)
    page = client.get(reverse("finance-dashboard"))
    assert page.status_code == 200
    assert b'id="chart-data"' in page.content
    # Amounts round half up without grouping, as the floatformat filter did.
    assert b"<strong>$800</strong>" in page.content
    assert b"<td>$800.00</td>" in page.content
    assert b"<strong>$1200</strong>" in page.content
    for table in ("over_time", "category", "condition", "physician", "service_line"):
        export = client.get(reverse("finance-csv", args=[table]))
        assert export.status_code == 200
        rows = list(csv.reader(io.StringIO(export.content.decode())))
        expected_rows = dash.over_time if table == "over_time" else dash.tables[table]
        assert rows[0] == list(finance.Row.CSV_HEADER)
        assert [r[0] for r in rows[1:]] == [row.key for row in expected_rows]
        assert sum(Decimal(r[4]) for r in rows[1:]) == dash.summary.realised
    assert client.get(reverse("finance-csv", args=["nope"])).status_code == 404


def test_the_dashboard_filters_by_service_line(cast):
    enc = sepsis_encounter()
    sent_query(cast, enc, expected_impact=Decimal("700"))
    assert finance.build(finance.Scope(service_line="Medicine")).summary.pending == Decimal("700")
    assert finance.build(finance.Scope(service_line="Surgery")).summary.sent == 0


def test_roi_formula(db):
    result = finance.roi(
        finance.RoiInputs(
            queries_per_year=1000,
            agreement_rate=Decimal("0.5"),
            average_realised=Decimal("1000"),
            minutes_saved_per_query=Decimal("0"),
            deployment_cost=Decimal("120000"),
            annual_running_cost=Decimal("20000"),
        )
    )
    assert result.revenue == Decimal("500000.00")
    assert result.net_annual_value == Decimal("480000.00")
    assert result.payback_months == Decimal("3.0")


def test_roi_page_rejects_bad_numbers_with_a_reason(client, cast):
    client.force_login(cast.finance)
    response = client.get(reverse("finance-roi"), {"salary": "lots"})
    assert response.status_code == 400
    assert b"salary must be a non-negative number" in response.content
    assert client.get(reverse("finance-roi"), {"salary": "90000"}).status_code == 200


def test_finance_pages_are_for_finance_and_admin_only(client, cast):
    for user in (cast.specialist, cast.physician, cast.coder, cast.outsider):
        client.force_login(user)
        assert client.get(reverse("finance-dashboard")).status_code == 403
        assert client.get(reverse("finance-csv", args=["category"])).status_code == 403
    assert Gap.objects.count() == 0


def test_expected_impact_uses_the_encounters_payer_rate(db, settings):
    settings.DRG_BASE_RATES = [
        {"amount": "6500.00", "effective_from": "2025-10-01", "payer": None},
        {"amount": "9000.00", "effective_from": "2025-10-01", "payer": "Acme Health"},
    ]
    revenue.configured_base_rates.cache_clear()
    enc = sepsis_encounter()
    enc.payer = "Acme Health"
    enc.save(update_fields=("payer",))
    impact = revenue.expected_impact(enc, "undocumented_diagnosis", "", ["G93.41"])
    assert impact.inputs()["base_rate"] == "9000.00"
