from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cdi.models import AuditEvent, Encounter, Gap, Patient
from cdi.worklist import round_half_up
from tests.conftest import make_gap


@pytest.fixture(autouse=True)
def no_table_cache(settings):
    # These tests look at what the ranking computes; test_the_table_cache_* cover the cache.
    settings.WORKLIST_CACHE_SECONDS = 0


def accounts(response) -> list[str]:
    """Encounter account numbers in table order."""
    return re.findall(r'/encounters/\d+/">([^<]+)</a>', response.content.decode())


def facets(response) -> list[str]:
    return re.findall(r'<span class="facet">([^<]+)</span>', response.content.decode())


def unit_facets(response) -> list[str]:
    return re.findall(r'<span class="facet facet-unit">([^<]+)</span>', response.content.decode())


def make_encounters(n: int, gaps_each: int = 2) -> None:
    for i in range(n):
        patient = Patient.objects.create(mrn=f"MRN-{i:04}")
        enc = Encounter.objects.create(patient=patient, account_number=f"ACC-{i:04}", service_line="Medicine")
        first = make_gap(enc, expected_impact=Decimal(100 * (i + 1)))
        for j in range(1, gaps_each):
            make_gap(
                enc, note=first.note, category="undocumented_diagnosis", condition=f"cond{j}", confidence=0.5
            )


def test_worklist_ranks_encounters_by_expected_impact_times_confidence(client, cast):
    make_encounters(3, gaps_each=1)
    client.force_login(cast.specialist)
    response = client.get(reverse("worklist"))
    assert response.status_code == 200
    assert accounts(response) == ["ACC-0002", "ACC-0001", "ACC-0000"]
    assert b"$270</td>" in response.content  # 300 x 0.9


def test_worklist_first_page_uses_a_fixed_number_of_queries(client, cast):
    make_encounters(5)
    client.force_login(cast.specialist)
    client.get(reverse("worklist"))  # warm session/user caches
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("worklist"))
    make_encounters_more = 30
    for i in range(make_encounters_more):
        patient = Patient.objects.create(mrn=f"X-{i}")
        enc = Encounter.objects.create(patient=patient, account_number=f"X-{i}")
        make_gap(enc)
    with CaptureQueriesContext(connection) as large:
        client.get(reverse("worklist"))
    assert len(large) == len(small)
    assert len(large) <= 12
    Encounter.objects.update(unit="4 West")
    with CaptureQueriesContext(connection) as by_unit:
        response = client.get(reverse("worklist"), {"unit": "4 West", "category": "acuity"})
    assert len(accounts(response)) == 25
    assert len(by_unit) == len(small)


def test_worklist_filters_by_category_search_and_status(client, cast):
    make_encounters(2)
    client.force_login(cast.specialist)
    by_mrn = client.get(reverse("worklist"), {"q": "MRN-0001"})
    assert accounts(by_mrn) == ["ACC-0001"]
    by_category = client.get(reverse("worklist"), {"category": "undocumented_diagnosis"})
    assert b"undocumented_diagnosis / cond1" in by_category.content
    assert b"acuity / heart_failure" not in by_category.content
    Gap.objects.update(status="dismissed")
    assert accounts(client.get(reverse("worklist"))) == []
    assert len(accounts(client.get(reverse("worklist"), {"status": "dismissed"}))) == 2


def test_worklist_htmx_request_gets_only_the_table(client, cast):
    make_encounters(1)
    client.force_login(cast.specialist)
    response = client.get(reverse("worklist"), HTTP_HX_REQUEST="true")
    assert b'id="worklist-table"' in response.content
    assert b"<html" not in response.content


def test_encounter_view_highlights_evidence_at_its_offsets(client, cast, encounter):
    gap = make_gap(encounter)
    client.force_login(cast.specialist)
    response = client.get(reverse("encounter-detail", args=[encounter.id]))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<mark class="evidence" data-gap="{gap.id}" id="ev-{gap.id}">ejection fraction 25%</mark>' in html
    assert f'href="#ev-{gap.id}"' in html


def test_dismissing_a_gap_records_the_reason_and_audits_it(client, cast, encounter):
    gap = make_gap(encounter)
    client.force_login(cast.specialist)
    response = client.post(
        reverse("gap-action", args=[gap.id, "dismiss"]), {"reason": "not_supported"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert b"Dismissed" in response.content
    gap.refresh_from_db()
    assert (gap.status, gap.dismiss_reason) == ("dismissed", "not_supported")
    event = AuditEvent.objects.get(action="gap.dismissed")
    assert event.before == {"status": "open", "dismiss_reason": ""}
    assert event.after == {"status": "dismissed", "dismiss_reason": "not_supported"}


def test_dismissing_needs_a_listed_reason_and_works_without_javascript(client, cast, encounter):
    gap = make_gap(encounter)
    client.force_login(cast.specialist)
    response = client.post(reverse("gap-action", args=[gap.id, "dismiss"]), {"reason": "because"})
    assert response.status_code == 302
    gap.refresh_from_db()
    assert gap.status == "open"
    response = client.post(reverse("gap-action", args=[gap.id, "dismiss"]), {"reason": "duplicate"})
    assert response["Location"].endswith(f"#gap-{gap.id}")
    gap.refresh_from_db()
    assert gap.status == "dismissed"


def test_only_specialists_act_on_gaps(client, cast, encounter):
    gap = make_gap(encounter)
    for user in (cast.coder, cast.finance, cast.physician, cast.outsider):
        client.force_login(user)
        assert client.post(reverse("gap-action", args=[gap.id, "resolve"])).status_code == 403
    gap.refresh_from_db()
    assert gap.status == "open"


def test_facet_counts_follow_the_other_filters(client, cast):
    make_encounters(2)  # per encounter: one acuity gap, one undocumented_diagnosis gap
    Gap.objects.filter(pk=Gap.objects.filter(category="acuity").order_by("id").first().pk).update(
        status="dismissed"
    )
    client.force_login(cast.specialist)
    assert facets(client.get(reverse("worklist"))) == [
        "acuity: 1",
        "undocumented_diagnosis: 2",
        "dismissed: 1",
        "open: 3",
    ]
    # The category facet ignores the category filter (so other categories stay one click away).
    assert facets(client.get(reverse("worklist"), {"category": "acuity"})) == [
        "acuity: 1",
        "undocumented_diagnosis: 2",
        "dismissed: 1",
        "open: 1",
    ]


def test_worklist_filters_by_unit_and_counts_gaps_per_unit(client, cast):
    make_encounters(3)  # two gaps each: acuity and undocumented_diagnosis
    Encounter.objects.filter(account_number__in=["ACC-0000", "ACC-0001"]).update(unit="4 West")
    Encounter.objects.filter(account_number="ACC-0002").update(unit="CCU")
    client.force_login(cast.specialist)
    everything = client.get(reverse("worklist"))
    assert unit_facets(everything) == ["4 West: 4", "CCU: 2"]
    assert '<option value="CCU">CCU</option>' in everything.content.decode()
    assert "<td>4 West</td>" in everything.content.decode()
    on_ward = client.get(reverse("worklist"), {"unit": "4 West"})
    assert accounts(on_ward) == ["ACC-0001", "ACC-0000"]
    assert facets(on_ward) == ["acuity: 2", "undocumented_diagnosis: 2", "open: 4"]
    # The unit facet ignores the unit filter but follows the others.
    assert unit_facets(on_ward) == ["4 West: 4", "CCU: 2"]
    assert unit_facets(client.get(reverse("worklist"), {"unit": "CCU", "category": "acuity"})) == [
        "4 West: 2",
        "CCU: 1",
    ]
    Gap.objects.filter(encounter__unit="CCU").update(status="dismissed")
    assert unit_facets(client.get(reverse("worklist"))) == ["4 West: 4"]
    assert accounts(client.get(reverse("worklist"), {"unit": "CCU"})) == []


def test_pages_hold_25_encounters_and_a_page_past_the_end_shows_the_last(client, cast):
    make_encounters(30, gaps_each=1)
    client.force_login(cast.specialist)
    first = client.get(reverse("worklist"))
    assert len(accounts(first)) == 25
    assert b"Page 1 of 2" in first.content
    second = client.get(reverse("worklist"), {"page": "2"})
    assert accounts(second) == ["ACC-0004", "ACC-0003", "ACC-0002", "ACC-0001", "ACC-0000"]
    assert accounts(client.get(reverse("worklist"), {"page": "99"})) == accounts(second)
    assert accounts(client.get(reverse("worklist"), {"page": "x"})) == accounts(first)


def test_labels_round_half_up_as_the_floatformat_filter_does():
    assert [str(round_half_up(v, 2)) for v in (0.125, 0.875, 0.9, 0.5)] == ["0.13", "0.88", "0.90", "0.50"]
    assert [str(round_half_up(Decimal(v), 0)) for v in ("269.50", "270.49", "0")] == ["270", "270", "0"]


def test_the_table_cache_serves_repeat_views_and_any_gap_change_refreshes_it(client, cast, settings):
    settings.WORKLIST_CACHE_SECONDS = 30
    cache.clear()
    make_encounters(3, gaps_each=1)
    client.force_login(cast.specialist)
    client.get(reverse("worklist"))
    with CaptureQueriesContext(connection) as hit:
        first = client.get(reverse("worklist"))
    assert len(hit) == 4  # session, user, roles, pending notes with the table version
    assert b"ACC-0002" in first.content
    gap = Gap.objects.get(encounter__account_number="ACC-0002")
    client.post(reverse("gap-action", args=[gap.id, "dismiss"]), {"reason": "duplicate"})
    assert b"ACC-0002" not in client.get(reverse("worklist")).content


def test_menus_and_chips_escape_what_they_show(client, cast):
    make_encounters(1, gaps_each=1)
    Encounter.objects.update(unit='<b>"4W"</b>')
    Gap.objects.update(condition="<script>x</script>")
    client.force_login(cast.specialist)
    html = client.get(reverse("worklist"), {"unit": '<b>"4W"</b>'}).content.decode()
    assert (
        '<option value="&lt;b&gt;&quot;4W&quot;&lt;/b&gt;" selected>&lt;b&gt;&quot;4W&quot;&lt;/b&gt;</option>'
        in html
    )
    assert "acuity / &lt;script&gt;x&lt;/script&gt; <small>0.90</small>" in html
    assert "<script>x" not in html


def test_money_filters_round_as_floatformat_did():
    from cdi.templatetags.money import cents, dollars

    assert [cents(v) for v in (Decimal("1234.5"), Decimal("0.005"), 0.125, None, "x")] == [
        "1234.50",
        "0.01",
        "0.13",
        "",
        "",
    ]
    assert [dollars(v) for v in (Decimal("1234.5"), Decimal("0"), 2.5)] == ["1235", "0", "3"]
