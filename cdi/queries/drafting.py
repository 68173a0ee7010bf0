"""Draft a physician query for a documentation gap from its (category, condition) template."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime

from .templates import render_placeholders, template_for
from .types import GapInfo, Indicator, QueryContext, QueryDraft, QueryTemplate

# Said once at the end of every query: the answer belongs in the chart, and the query itself is kept.
FOOTER = (
    "This query and your response are kept as part of the permanent medical record. "
    "Record your clinical determination in your next progress note or in the discharge summary."
)
MAX_INDICATORS = 12


class NoIndicatorsError(ValueError):
    """A query must cite at least one clinical indicator; a gap without any cannot be queried."""


class MissingDocumentedAsError(ValueError):
    """The template quotes the documented condition, and the gap does not say how it was documented."""


def format_when(when: date | datetime | str | None) -> str:
    """``11/02`` for a date, ``11/02 14:30`` for a datetime with a time of day, text as given."""
    if when is None:
        return ""
    if isinstance(when, datetime):
        day = f"{when.month:02d}/{when.day:02d}"
        return day if (when.hour, when.minute) == (0, 0) else f"{day} {when:%H:%M}"
    if isinstance(when, date):
        return f"{when.month:02d}/{when.day:02d}"
    return " ".join(str(when).split())


def render_indicator(indicator: Indicator) -> str:
    """``'ejection fraction of 25%' — H&P 11/02`` for a quoted span, ``Sodium 128 mmol/L (lab, 11/02)`` otherwise."""
    # Note spans can carry line breaks and runs of spaces; a query line should not.
    text = " ".join(indicator.text.split())
    source = " ".join(indicator.source.split())
    when = format_when(indicator.when)
    if indicator.verbatim:
        where = " ".join(part for part in (source, when) if part)
        return f"'{text}' — {where}" if where else f"'{text}'"
    where = ", ".join(part for part in (source, when) if part)
    return f"{text} ({where})" if where else text


def render_header(context: QueryContext) -> tuple[str, ...]:
    patient = [f"MRN {context.mrn}"]
    if context.patient_name:
        patient.insert(0, context.patient_name)
    if context.birth_date:
        patient.append(f"DOB {context.birth_date:%m/%d/%Y}")
    encounter = [f"Account {context.account_number}"]
    if context.admission_date:
        encounter.append(f"admitted {context.admission_date:%m/%d/%Y}")
    if context.location:
        encounter.append(context.location)
    lines = ["Patient: " + " · ".join(patient), "Encounter: " + " · ".join(encounter)]
    if context.addressed_to:
        lines.append(f"To: {context.addressed_to}")
    if context.author:
        lines.append(f"From: {context.author}")
    return tuple(lines)


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    seen: set[str] = set()
    out: list[str] = []
    for item in items:
        key = re.sub(r"\s+", " ", item).strip().casefold()
        if key and key not in seen:
            seen.add(key)
            out.append(item)
    return tuple(out)


def draft_query(
    gap: GapInfo,
    context: QueryContext,
    template: QueryTemplate | None = None,
    *,
    templates: Iterable[QueryTemplate] | None = None,
) -> QueryDraft:
    """Draft the query for ``gap``.

    ``template`` overrides the look-up; otherwise the newest template for the gap's (category, condition)
    is taken from ``templates`` (the bundled set when None). Raises ``UnknownTemplateError`` when no
    template exists, ``NoIndicatorsError`` when the gap cites no indicator, and ``MissingDocumentedAsError``
    when the template quotes the documented condition and neither the gap nor the template supplies it.
    """
    chosen = template or template_for(gap.category, gap.condition, templates)
    indicators = _unique(render_indicator(item) for item in gap.indicators if item.text.strip())
    if not indicators:
        raise NoIndicatorsError(f"gap {gap.category}/{gap.condition} has no clinical indicator to cite")
    documented_as = " ".join(gap.documented_as.split()) or chosen.default_documented_as
    if not documented_as and any("{documented_as}" in text for text in (chosen.question, *chosen.options)):
        raise MissingDocumentedAsError(
            f"template {chosen.key} needs the condition as documented (GapInfo.documented_as)"
        )
    values = {"documented_as": documented_as}
    options = _unique(_capitalised(render_placeholders(option, values)) for option in chosen.options)
    return QueryDraft(
        template_key=chosen.key,
        template_version=chosen.version,
        category=gap.category,
        condition=gap.condition,
        title=chosen.title,
        purpose=chosen.purpose,
        format=chosen.format,
        header=render_header(context),
        indicators=indicators[:MAX_INDICATORS],
        question=render_placeholders(chosen.question, values),
        options=options,
        footer=FOOTER,
        mrn=context.mrn,
        account_number=context.account_number,
    )


def _capitalised(text: str) -> str:
    # "{documented_as}, organism not identified" starts with the documented wording, often lower case.
    return text[:1].upper() + text[1:] if text[:1].islower() else text
