"""End to end in headless Chromium against the live server: specialist, physician, finance."""

from __future__ import annotations

import re

import pytest

from cdi.demo.history import seed_history
from cdi.models import Gap, Note, Response
from tests.browser.conftest import shot
from tests.conftest import NOTE_TEXT, PASSWORD, make_gap

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")


def two_gaps(encounter):
    note = Note.objects.create(
        encounter=encounter, text=NOTE_TEXT, source="api", status="analysed", note_type="Progress note"
    )
    hf = make_gap(encounter, note=note)
    start = NOTE_TEXT.index("Sodium 128")
    na = make_gap(
        encounter,
        note=note,
        category="undocumented_diagnosis",
        condition="hyponatremia",
        confidence=0.8,
        evidence=[{"start": start, "end": start + 10, "text": NOTE_TEXT[start : start + 10]}],
        indicators=[{"name": "sodium", "value": 128, "unit": "mmol/L"}],
        documented_code="",
        documented_as="",
        candidate_codes=["E87.1"],
        severity_effect="cc",
    )
    return hf, na


def test_specialist_triages_sends_a_query_physician_answers_and_gap_resolves(
    page_for, live_server, cast, attended_encounter
):
    hf, na = two_gaps(attended_encounter)
    page = page_for()
    login(page, live_server, "alice")
    page.wait_for_url(re.compile(r"/worklist/"))
    assert page.locator("text=ACC-001").count() == 1
    shot(page, "01-worklist")

    page.click("text=ACC-001")
    page.wait_for_selector("mark.evidence")
    marks = page.locator("mark.evidence")
    assert marks.count() == 2
    assert page.locator(f"#ev-{hf.id}").inner_text() == "ejection fraction 25%"
    page.click(f"#gap-{hf.id} >> text=Show evidence in the note")
    assert page.url.endswith(f"#ev-{hf.id}")
    shot(page, "02-encounter")

    # Dismiss the hyponatremia gap through htmx: the card is swapped in place, no reload.
    card = page.locator(f"#gap-{na.id}")
    card.locator("select[name=reason]").select_option("not_significant")
    card.locator("button:has-text('Dismiss')").click()
    page.wait_for_selector(f"#gap-{na.id} >> text=Dismissed")
    na.refresh_from_db()
    assert na.status == "dismissed"

    # Draft, check and send a query for the heart-failure gap.
    page.click(f"#gap-{hf.id} >> text=Draft query")
    page.wait_for_selector("textarea[name=question]")
    shot(page, "03-query-draft")
    page.click("button:has-text('Save draft and check')")
    page.wait_for_selector("text=Passes the compliance check")
    page.click("button:has-text('Send to')")
    link = page.locator("#query-link").input_value()
    assert "/q/" in link
    shot(page, "04-query-sent")

    # The physician opens the link in a fresh browser, with no session, and answers.
    physician = page_for()
    physician.goto(link.replace("http://127.0.0.1:8000", live_server.url))
    assert physician.locator("text=ejection fraction 25%").count() >= 1
    assert physician.locator("text=Sodium 128").count() == 0
    shot(physician, "05-physician-query")
    physician.check("input[value='Acute on chronic systolic (HFrEF) heart failure']")
    physician.click("button:has-text('Submit answer')")
    physician.wait_for_selector("text=Thank you")
    assert Response.objects.get().outcome == "agreed"

    # Back to the specialist: the gap shows as resolved.
    page.goto(f"{live_server.url}/encounters/{attended_encounter.id}/")
    page.wait_for_selector(f"#gap-{hf.id} >> text=Resolved")
    hf.refresh_from_db()
    assert hf.status == Gap.Status.RESOLVED
    shot(page, "06-encounter-resolved")

    # The used link now shows a clear page and changes nothing.
    physician.goto(link.replace("http://127.0.0.1:8000", live_server.url))
    physician.wait_for_selector("text=Already answered")


def test_finance_dashboard_draws_its_charts(page_for, live_server, cast):
    seed_history(cast.specialist, [cast.provider, cast.other_provider], count=16)
    page = page_for()
    login(page, live_server, "fran")
    page.wait_for_url(re.compile(r"/finance/"))
    page.wait_for_function("window.Chart && Chart.getChart('chart-time') && Chart.getChart('chart-category')")
    bars = page.evaluate(
        "Chart.getChart('chart-time').data.datasets.map(d => d.data.reduce((a, b) => a + b, 0))"
    )
    assert bars[0] > 0  # realised
    shot(page, "07-finance-dashboard")
    page.goto(f"{live_server.url}/finance/roi/")
    page.wait_for_selector("text=Payback period")
    shot(page, "08-roi")
