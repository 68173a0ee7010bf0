"""From an open gap to a physician's answer, end to end, and the link's abuse cases."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail, signing
from django.urls import reverse
from django.utils import timezone

from cdi import querying
from cdi.models import AuditEvent, Gap, Query, QueryVersion, Response
from tests.conftest import make_gap


def draft_form(client, gap) -> dict:
    response = client.get(reverse("query-draft", args=[gap.id]))
    assert response.status_code == 200
    form = response.context["form"]
    return {name: form.initial.get(name) for name in form.fields} | {
        "addressed_to": form.initial["addressed_to"].pk
    }


def send(client, cast, gap) -> Query:
    client.force_login(cast.specialist)
    data = draft_form(client, gap)
    response = client.post(reverse("query-draft", args=[gap.id]), data)
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    query = Query.objects.get(gap=gap)
    assert query.current_version.compliance_problems == []
    client.post(reverse("query-send", args=[query.id]))
    query.refresh_from_db()
    return query


def token_from_mail() -> str:
    body = mail.outbox[-1].body
    return body.split("/q/")[1].split("/")[0]


def test_a_gap_is_drafted_sent_answered_by_link_and_closed(
    client, cast, attended_encounter, django_capture_on_commit_callbacks
):
    gap = make_gap(attended_encounter)
    with django_capture_on_commit_callbacks(execute=True):
        query = send(client, cast, gap)
    assert query.status == "sent"
    gap.refresh_from_db()
    assert gap.status == "queried"
    assert mail.outbox[-1].to == ["bob@example.org"]
    assert "MRN" not in mail.outbox[-1].body
    token = token_from_mail()
    client.logout()
    page = client.get(reverse("query-answer", args=[token]))
    assert page.status_code == 200
    assert b"ejection fraction 25%" in page.content
    assert b"Sodium 128" not in page.content  # only the query, no other chart data
    choice = "Acute on chronic systolic (HFrEF) heart failure"
    with django_capture_on_commit_callbacks(execute=True):
        answered = client.post(
            reverse("query-answer", args=[token]), {"choice": choice, "comment": "IV diuresis"}
        )
    assert answered.status_code == 200
    assert b"document your clinical determination" in answered.content
    response = Response.objects.get()
    assert (response.outcome, response.via_link, response.responder) == ("agreed", True, cast.provider)
    gap.refresh_from_db()
    query.refresh_from_db()
    assert (gap.status, query.status) == ("resolved", "answered")
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "query.drafted",
        "query.sent",
        "gap.queried",
        "response.recorded",
        "query.answered",
        "gap.resolved",
    } <= actions
    assert mail.outbox[-1].subject == "A query was answered"


def test_an_edit_creates_a_new_version_and_keeps_the_old(client, cast, attended_encounter):
    gap = make_gap(attended_encounter)
    client.force_login(cast.specialist)
    data = draft_form(client, gap)
    client.post(reverse("query-draft", args=[gap.id]), data)
    query = Query.objects.get()
    leading = {
        **data,
        "question": "Please document acute on chronic systolic heart failure. Would you agree?",
    }
    assert client.post(reverse("query-detail", args=[query.id]), leading).status_code == 302
    versions = list(query.versions.order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert versions[0].compliance_problems == []
    assert any("leading" in p for p in versions[1].compliance_problems)
    client.post(reverse("query-send", args=[query.id]))
    query.refresh_from_db()
    assert query.status == "draft"  # a non-compliant version cannot be sent
    with pytest.raises(ValueError):
        versions[0].delete()


@pytest.mark.parametrize("case", ["tampered", "used", "expired", "withdrawn", "replaced"])
def test_a_bad_link_shows_a_clear_page_and_changes_nothing(client, cast, attended_encounter, case):
    gap = make_gap(attended_encounter)
    query = send(client, cast, gap)
    token = querying.link_token(query)
    if case == "tampered":
        token = token[:-3] + ("abc" if not token.endswith("abc") else "xyz")
    elif case == "used":
        querying.answer_query(query, "Clinically undetermined", "", "", cast.provider, via_link=False)
    elif case == "expired":
        Query.objects.filter(pk=query.pk).update(link_expires_at=timezone.now() - dt.timedelta(seconds=1))
    elif case == "withdrawn":
        querying.withdraw_query(query, cast.specialist)
    elif case == "replaced":
        query.new_link_nonce()
        query.save(update_fields=("link_nonce",))
    client.logout()
    responses_before = Response.objects.count()
    events_before = AuditEvent.objects.count()
    page = client.get(reverse("query-answer", args=[token]))
    post = client.post(reverse("query-answer", args=[token]), {"choice": "Clinically undetermined"})
    assert page.status_code in (400, 410) and post.status_code in (400, 410)
    assert b"<h1>" in page.content
    assert Response.objects.count() == responses_before
    assert AuditEvent.objects.count() == events_before


def test_a_forged_token_for_another_query_is_rejected(client, cast, attended_encounter):
    query = send(client, cast, make_gap(attended_encounter))
    forged = signing.dumps({"q": query.pk, "n": "0" * 32}, salt="wrong-salt")
    assert client.get(reverse("query-answer", args=[forged])).status_code == 400


def test_other_needs_a_specification(client, cast, attended_encounter):
    query = send(client, cast, make_gap(attended_encounter))
    token = querying.link_token(query)
    response = client.post(reverse("query-answer", args=[token]), {"choice": "Other (please specify)"})
    assert response.status_code == 400
    assert not Response.objects.exists()


def test_a_physician_sees_and_answers_only_their_own_queries(client, cast, attended_encounter):
    query = send(client, cast, make_gap(attended_encounter))
    client.force_login(cast.other_physician)
    assert client.get(reverse("physician-query", args=[query.id])).status_code == 404
    assert query.id not in [q.id for q in client.get(reverse("physician-inbox")).context["queries"]]
    assert client.get(reverse("encounter-detail", args=[attended_encounter.id])).status_code == 403
    client.force_login(cast.physician)
    assert query.id in [q.id for q in client.get(reverse("physician-inbox")).context["queries"]]
    response = client.post(reverse("physician-query", args=[query.id]), {"choice": "Clinically undetermined"})
    assert response.status_code == 200
    assert Response.objects.get().outcome == "undetermined"


def test_unanswered_queries_are_reminded_then_escalated_up_the_ladder(
    cast, attended_encounter, client, settings
):
    settings.QUERY_ESCALATION_LADDER = [
        {"role": "physician_advisor", "email": "advisor@example.org"},
        {"role": "department_lead", "email": "lead@example.org"},
    ]
    query = send(client, cast, make_gap(attended_encounter))
    sent = query.sent_at
    hours = settings.QUERY_REMIND_AFTER_HOURS
    assert querying.follow_up(sent + dt.timedelta(hours=hours - 1)) == {"reminded": 0, "escalated": 0}
    assert querying.follow_up(sent + dt.timedelta(hours=hours + 1)) == {"reminded": 1, "escalated": 0}
    assert querying.follow_up(sent + dt.timedelta(hours=hours + 2)) == {"reminded": 0, "escalated": 0}
    assert querying.follow_up(sent + dt.timedelta(hours=2 * hours + 1)) == {"reminded": 0, "escalated": 1}
    assert querying.follow_up(sent + dt.timedelta(hours=10 * hours)) == {"reminded": 0, "escalated": 1}
    query.refresh_from_db()
    assert (query.reminders_sent, query.escalation_level) == (1, 2)
    levels = [e.after["to"] for e in AuditEvent.objects.filter(action="query.escalated").order_by("id")]
    assert levels == ["physician_advisor", "department_lead"]
    assert AuditEvent.objects.filter(action="query.reminded").count() == 1


def test_query_versions_are_immutable(cast, attended_encounter, client):
    query = send(client, cast, make_gap(attended_encounter))
    version = QueryVersion.objects.get(query=query)
    version.question = "changed"
    with pytest.raises(ValueError):
        version.save()


def test_a_drafted_query_for_a_dismissed_gap_is_refused(client, cast, attended_encounter):
    gap = make_gap(attended_encounter, status=Gap.Status.DISMISSED)
    client.force_login(cast.specialist)
    assert client.get(reverse("query-draft", args=[gap.id])).status_code == 302
    assert not Query.objects.exists()
