"""The life of a physician query: draft, check, edit, send, answer by signed link, remind, escalate.

Wording and compliance come from the plain-Python `cdi.queries` package; this module keeps the
records (immutable QueryVersion rows, Response), the signed link, e-mail and the audit trail.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from . import audit, revenue
from . import queries as q
from .models import Gap, Provider, Query, QueryTemplate, QueryVersion, Response

log = logging.getLogger(__name__)
LINK_SALT = "cdi.query-link"
UNDETERMINED = re.compile(r"\b(clinically undetermined|unable to determine|undetermined)\b", re.I)
OTHER = re.compile(r"^\s*other\b", re.I)
# Options that answer "no documentable diagnosis" (the templates' clinically reasonable negatives).
NEGATIVE = re.compile(
    r"\b(without|not present|not identified|not determined|no clinical significance|"
    r"without clinical significance|not morbid|at nutritional risk)\b",
    re.I,
)


class QueryError(Exception):
    """An action the query's state does not allow; the message says why."""


class LinkError(Exception):
    """A query link that cannot be used; `title` and the message are shown to the physician."""

    def __init__(self, title: str, message: str):
        super().__init__(message)
        self.title = title


# --- templates ----------------------------------------------------------------------------------


def sync_templates() -> int:
    """Load the bundled templates into the database where no version exists yet (admin edits win)."""
    created = 0
    for t in q.load_templates():
        if not QueryTemplate.objects.filter(category=t.category, condition=t.condition).exists():
            QueryTemplate.objects.create(
                category=t.category,
                condition=t.condition,
                version=t.version,
                title=t.title,
                purpose=t.purpose,
                format=t.format,
                question=t.question,
                options=list(t.options),
                terms=list(t.terms),
                default_documented_as=t.default_documented_as,
            )
            created += 1
    return created


def active_template(category: str, condition: str) -> QueryTemplate:
    row = (
        QueryTemplate.objects.filter(category=category, condition=condition, is_active=True)
        .order_by("-version")
        .first()
    )
    if row is None:
        sync_templates()
        row = (
            QueryTemplate.objects.filter(category=category, condition=condition, is_active=True)
            .order_by("-version")
            .first()
        )
    if row is None:
        raise QueryError(f"No query template exists for {category}/{condition}.")
    return row


def as_template(row: QueryTemplate) -> q.QueryTemplate:
    return q.template_from_dict(
        {
            "category": row.category,
            "condition": row.condition,
            "version": row.version,
            "title": row.title,
            "purpose": row.purpose,
            "format": row.format,
            "question": row.question,
            "options": list(row.options),
            "terms": list(row.terms),
            "default_documented_as": row.default_documented_as,
        }
    )


# --- drafting and checking -------------------------------------------------------------------------


def gap_indicators(gap: Gap) -> list[q.Indicator]:
    source = gap.note.note_type or "note"
    when = gap.note.service_date or gap.note.received_at.date()
    items = [q.Indicator(text=ev["text"], source=source, when=when, verbatim=True) for ev in gap.evidence]
    for ind in gap.indicators:
        value = (
            f"{ind.get('name', '').capitalize()} {ind.get('value', '')} {ind.get('unit', '') or ''}".strip()
        )
        items.append(q.Indicator(text=value, source=ind.get("source", "lab"), when=ind.get("date")))
    return items


def draft_for_gap(gap: Gap, addressed_to: Provider | None, author) -> q.QueryDraft:
    encounter = gap.encounter
    template = as_template(active_template(gap.category, gap.condition))
    context = q.QueryContext(
        mrn=encounter.patient.mrn,
        account_number=encounter.account_number,
        admission_date=encounter.admitted_at.date() if encounter.admitted_at else None,
        location=encounter.unit,
        addressed_to=addressed_to.name if addressed_to else "",
        author=author.get_full_name() or author.get_username(),
    )
    info = q.GapInfo(
        category=gap.category,
        condition=gap.condition,
        indicators=gap_indicators(gap),
        documented_as=gap.documented_as,
    )
    try:
        return q.draft_query(info, context, template)
    except (q.NoIndicatorsError, q.MissingDocumentedAsError) as exc:
        raise QueryError(str(exc)) from None


@dataclass(frozen=True)
class Wording:
    format: str
    purpose: str
    question: str
    indicators: list[str]
    options: list[str]


def check(wording: Wording, condition: str | None = None) -> list[str]:
    candidate = q.QueryCandidate(
        id="",
        format=wording.format,
        purpose=wording.purpose,
        indicators=wording.indicators,
        question=wording.question,
        options=wording.options,
        condition=condition,
    )
    templates = [as_template(row) for row in QueryTemplate.objects.filter(is_active=True)] or None
    return [str(problem) for problem in q.check_query(candidate, templates)]


def _version_snapshot(version: QueryVersion) -> dict:
    return {
        "number": version.number,
        "compliant": version.is_compliant,
        "problems": version.compliance_problems,
    }


@transaction.atomic
def create_query(
    gap: Gap, addressed_to: Provider, wording: Wording, actor, template: QueryTemplate | None
) -> Query:
    gap = Gap.objects.select_for_update().select_related("encounter").get(pk=gap.pk)
    if gap.status != Gap.Status.OPEN:
        raise QueryError("Queries can be drafted only for open gaps.")
    query = Query.objects.create(
        gap=gap, encounter=gap.encounter, addressed_to=addressed_to, created_by=actor
    )
    version = _add_version(query, wording, actor, template)
    audit.record(
        actor,
        "query.drafted",
        query,
        after={"gap": gap.pk, "to": addressed_to.pk, **_version_snapshot(version)},
    )
    return query


def _add_version(query: Query, wording: Wording, actor, template: QueryTemplate | None) -> QueryVersion:
    number = (query.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    return QueryVersion.objects.create(
        query=query,
        number=number,
        format=wording.format,
        purpose=wording.purpose,
        question=wording.question,
        indicators=wording.indicators,
        options=wording.options,
        template=template,
        compliance_problems=check(wording, query.gap.condition),
        created_by=actor,
    )


@transaction.atomic
def edit_query(query: Query, wording: Wording, actor) -> QueryVersion:
    """An edit adds a version; earlier versions stay (queries are part of the permanent record)."""
    query = Query.objects.select_for_update().get(pk=query.pk)
    if query.status not in (Query.Status.DRAFT, Query.Status.SENT):
        raise QueryError(f"A {query.get_status_display().lower()} query cannot be edited.")
    template = query.current_version.template if query.current_version else None
    version = _add_version(query, wording, actor, template)
    audit.record(actor, "query.edited", query, after=_version_snapshot(version))
    if query.status == Query.Status.SENT:
        # The physician must see the new wording; the old link stops working.
        _send(query, actor, action="query.resent")
    return version


# --- sending and the signed link ------------------------------------------------------------------


def link_token(query: Query) -> str:
    return signing.dumps({"q": query.pk, "n": query.link_nonce}, salt=LINK_SALT, compress=True)


def link_url(query: Query) -> str:
    return settings.SITE_URL + reverse("query-answer", args=[link_token(query)])


@transaction.atomic
def send_query(query: Query, actor) -> Query:
    query = Query.objects.select_for_update().select_related("gap", "addressed_to").get(pk=query.pk)
    if query.status != Query.Status.DRAFT:
        raise QueryError(f"This query is already {query.get_status_display().lower()}.")
    version = query.current_version
    if version is None or not version.is_compliant:
        raise QueryError("Fix the compliance problems before sending.")
    _send(query, actor, action="query.sent")
    gap = query.gap
    before = audit.snapshot(gap, ("status",))
    gap.status = Gap.Status.QUERIED
    gap.save(update_fields=("status", "updated_at"))
    audit.record(actor, "gap.queried", gap, before=before, after={"status": gap.status, "query": query.pk})
    return query


def _send(query: Query, actor, action: str) -> None:
    now = timezone.now()
    query.new_link_nonce()
    query.status = Query.Status.SENT
    query.sent_at = query.sent_at or now
    query.link_expires_at = now + dt.timedelta(hours=settings.QUERY_LINK_MAX_AGE_HOURS)
    query.save(update_fields=("link_nonce", "status", "sent_at", "link_expires_at"))
    audit.record(
        actor, action, query, after={"status": query.status, "expires": query.link_expires_at.isoformat()}
    )
    # No PHI in e-mail: the link opens the query after the physician follows it.
    mail_on_commit(
        physician_email(query.addressed_to),
        "A documentation query is waiting for you",
        f"A clinical documentation query needs your answer:\n\n{link_url(query)}\n\n"
        f"The link works once and expires in {settings.QUERY_LINK_MAX_AGE_HOURS} hours.",
    )


def physician_email(provider: Provider) -> str:
    return provider.email or (provider.user.email if provider.user else "")


def mail_on_commit(recipient: str, subject: str, body: str) -> None:
    """Send once the transaction commits (never for a rolled-back change); no address, no mail."""
    if recipient:
        transaction.on_commit(
            lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient], fail_silently=True)
        )


def query_from_link(token: str) -> Query:
    """The query a link opens, or LinkError saying why it can't be used. Changes nothing."""
    try:
        data = signing.loads(token, salt=LINK_SALT)
    except signing.BadSignature:
        raise LinkError(
            "Invalid link", "This link is not valid. It may have been copied incompletely."
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("q"), int):
        raise LinkError("Invalid link", "This link is not valid.")
    query = Query.objects.select_related("addressed_to", "encounter__patient").filter(pk=data["q"]).first()
    if query is None:
        raise LinkError("Invalid link", "This link is not valid.")
    if query.status == Query.Status.WITHDRAWN:
        raise LinkError("Query withdrawn", "The CDI team withdrew this query. No answer is needed.")
    if query.status == Query.Status.ANSWERED:
        raise LinkError("Already answered", "This query has been answered. Thank you.")
    if not query.link_nonce or data.get("n") != query.link_nonce:
        raise LinkError("Link replaced", "This link has been replaced by a newer one. Use the latest e-mail.")
    if query.link_expires_at and query.link_expires_at < timezone.now():
        raise LinkError("Link expired", "This link has expired. Ask the CDI team to resend the query.")
    return query


# --- answering -------------------------------------------------------------------------------------


def outcome_of(choice: str) -> str:
    """Agreed when a listed diagnosis was chosen; 'Other' and negatives are counted as disagreed so
    that no revenue is claimed for an answer a person has not reviewed."""
    if UNDETERMINED.search(choice):
        return Response.Outcome.UNDETERMINED
    if OTHER.search(choice) or NEGATIVE.search(choice):
        return Response.Outcome.DISAGREED
    return Response.Outcome.AGREED


@transaction.atomic
def answer_query(
    query: Query, choice: str, other_text: str, comment: str, responder: Provider, via_link: bool, actor=None
) -> Response:
    query = Query.objects.select_for_update().select_related("gap").get(pk=query.pk)
    if query.status != Query.Status.SENT:
        raise QueryError(f"This query is {query.get_status_display().lower()}; it cannot be answered.")
    if responder.pk != query.addressed_to_id:
        raise QueryError("Only the physician the query is addressed to may answer it.")
    version = query.current_version
    if choice not in version.options and version.format != "open_ended":
        raise QueryError("Pick one of the listed options.")
    if OTHER.search(choice) and not other_text.strip():
        raise QueryError("Please specify your answer for 'Other'.")
    now = timezone.now()
    response = Response.objects.create(
        query=query,
        version=version,
        choice=choice[:300],
        other_text=other_text[:2000],
        comment=comment[:2000],
        outcome=outcome_of(choice),
        responder=responder,
        responded_at=now,
        via_link=via_link,
    )
    query.status = Query.Status.ANSWERED
    query.answered_at = now
    query.link_nonce = ""
    query.save(update_fields=("status", "answered_at", "link_nonce"))
    who = actor if actor is not None else (responder.user or None)
    audit.record(
        who,
        "response.recorded",
        response,
        after={"query": query.pk, "outcome": response.outcome, "via_link": via_link},
    )
    audit.record(who, "query.answered", query, before={"status": "sent"}, after={"status": "answered"})
    gap = query.gap
    before = audit.snapshot(gap, ("status",))
    gap.status = Gap.Status.RESOLVED
    gap.save(update_fields=("status", "updated_at"))
    audit.record(
        who, "gap.resolved", gap, before=before, after={"status": gap.status, "outcome": response.outcome}
    )
    if response.outcome == Response.Outcome.AGREED:
        revenue.record_actual_impact(query.encounter)
    mail_on_commit(
        query.created_by.email,
        "A query was answered",
        f"Query {query.pk} was answered ({response.get_outcome_display()}).\n"
        f"{settings.SITE_URL}{reverse('encounter-detail', args=[query.encounter_id])}",
    )
    return response


@transaction.atomic
def withdraw_query(query: Query, actor) -> Query:
    query = Query.objects.select_for_update().get(pk=query.pk)
    if query.status not in (Query.Status.DRAFT, Query.Status.SENT):
        raise QueryError(f"A {query.get_status_display().lower()} query cannot be withdrawn.")
    before = {"status": query.status}
    query.status = Query.Status.WITHDRAWN
    query.link_nonce = ""
    query.save(update_fields=("status", "link_nonce"))
    audit.record(actor, "query.withdrawn", query, before=before, after={"status": query.status})
    gap = Gap.objects.select_for_update().get(pk=query.gap_id)
    if gap.status == Gap.Status.QUERIED:
        gap.status = Gap.Status.OPEN
        gap.save(update_fields=("status", "updated_at"))
        audit.record(actor, "gap.reopened", gap, before={"status": "queried"}, after={"status": "open"})
    return query


# --- follow-up ------------------------------------------------------------------------------------


def follow_up(now: dt.datetime | None = None) -> dict[str, int]:
    """Remind unanswered queries after QUERY_REMIND_AFTER_HOURS, then escalate up the ladder, one
    step per further interval. Idempotent for a given `now`: each step is keyed by counters."""
    now = now or timezone.now()
    interval = dt.timedelta(hours=settings.QUERY_REMIND_AFTER_HOURS)
    ladder = settings.QUERY_ESCALATION_LADDER
    counts = {"reminded": 0, "escalated": 0}
    due = Query.objects.filter(status=Query.Status.SENT, sent_at__lte=now - interval).select_related(
        "addressed_to"
    )
    for query in due:
        steps_due = int((now - query.sent_at) / interval)  # 1 = reminder, 2.. = escalation levels
        with transaction.atomic():
            locked = Query.objects.select_for_update().get(pk=query.pk)
            if locked.status != Query.Status.SENT:
                continue
            if locked.reminders_sent == 0 and steps_due >= 1:
                locked.reminders_sent = 1
                locked.last_reminded_at = now
                locked.save(update_fields=("reminders_sent", "last_reminded_at"))
                audit.record(None, "query.reminded", locked, after={"reminders_sent": 1})
                _mail_reminder(locked)
                counts["reminded"] += 1
            level_due = min(steps_due - 1, len(ladder))
            for level in range(locked.escalation_level + 1, level_due + 1):
                step = ladder[level - 1]
                locked.escalation_level = level
                locked.save(update_fields=("escalation_level",))
                audit.record(None, "query.escalated", locked, after={"level": level, "to": step["role"]})
                _mail_escalation(locked.pk, step, steps_due)
                counts["escalated"] += 1
    return counts


def _mail_escalation(query_id: int, step: dict, steps_due: int) -> None:
    hours = steps_due * settings.QUERY_REMIND_AFTER_HOURS
    mail_on_commit(
        step.get("email", ""),
        "Unanswered documentation query",
        f"Query {query_id} has been unanswered for {hours} hours and is escalated to you ({step['role']}).",
    )


def _mail_reminder(query: Query) -> None:
    mail_on_commit(
        physician_email(query.addressed_to),
        "Reminder: a documentation query is waiting for you",
        "A clinical documentation query is still waiting for your answer. "
        "Use the link in the original e-mail or your query inbox.",
    )
