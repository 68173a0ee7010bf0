"""Plain dataclasses shared by the query drafter and the compliance checker (no Django)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

FORMATS: tuple[str, ...] = ("multiple_choice", "yes_no", "open_ended")
PURPOSES: tuple[str, ...] = (
    "new_diagnosis",
    "specificity",
    "confirm_documented",
    "present_on_admission",
    "cause_and_effect",
    "conflicting_documentation",
)
# AHIMA/ACDIS "Guidelines for Achieving a Compliant Query Practice" (2019, kept in the 2022 update): a yes/no
# query may not be used when only clinical indicators of a condition are present and the condition is not
# documented; it may be used for present-on-admission status, to substantiate or further specify a diagnosis
# already documented in the record, to establish cause and effect between documented conditions, and to
# resolve conflicting documentation between providers.
YES_NO_PURPOSES: frozenset[str] = frozenset(
    {"present_on_admission", "confirm_documented", "cause_and_effect", "conflicting_documentation"}
)


@dataclass(frozen=True)
class Indicator:
    """One clinical indicator a query cites.

    ``text`` is either a verbatim span of a note (``verbatim=True``: quoted, e.g. ``ejection fraction of 25%``)
    or a structured value written out (``Sodium 128 mmol/L``). ``source`` names where it was found
    ("lab", "H&P", "MAR", "progress note"); ``when`` is its date (a ``date``/``datetime`` or text as written).
    """

    text: str
    source: str = ""
    when: date | datetime | str | None = None
    verbatim: bool = False


@dataclass(frozen=True)
class GapInfo:
    """The part of a detected documentation gap the drafter needs.

    ``documented_as`` is the wording the provider used for the condition, when one is documented
    ("CHF", "renal insufficiency"); it fills the template's ``{documented_as}`` placeholder.
    """

    category: str
    condition: str
    indicators: Sequence[Indicator] = ()
    documented_as: str = ""


@dataclass(frozen=True)
class QueryContext:
    """Patient and encounter identifiers; rendered in the query header only, never in the question."""

    mrn: str
    account_number: str
    patient_name: str = ""
    birth_date: date | None = None
    admission_date: date | None = None
    location: str = ""
    addressed_to: str = ""
    author: str = ""


@dataclass(frozen=True)
class QueryTemplate:
    """A versioned query template for one (category, condition); loaded from a plain dict."""

    category: str
    condition: str
    version: int
    title: str
    purpose: str
    format: str
    question: str
    options: tuple[str, ...]
    # Words and phrases of the condition's family (diagnosis names, its labs, treatments): the checker uses
    # them to decide which diagnoses an option may name for the indicators at hand.
    terms: tuple[str, ...] = ()
    default_documented_as: str = ""

    @property
    def key(self) -> str:
        return f"{self.category}/{self.condition}"


@dataclass(frozen=True)
class QueryCandidate:
    """A query as the checker sees it, drafted here or written anywhere (one line of a JSONL data set).

    ``condition`` is an optional hint (a condition name of the gap vocabulary) that adds that condition's
    family to the ones the checker infers from the question and indicators.
    """

    id: str
    format: str
    purpose: str
    indicators: Sequence[str]
    question: str
    options: Sequence[str] = ()
    condition: str | None = None


@dataclass(frozen=True)
class Problem:
    """One reason a query is not compliant: a stable ``code`` and a message that says what to fix."""

    code: str
    message: str
    field: str = ""

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


@dataclass(frozen=True)
class QueryDraft:
    """A drafted query, ready for a CDI specialist to review, edit, check and send."""

    template_key: str
    template_version: int
    category: str
    condition: str
    title: str
    purpose: str
    format: str
    header: tuple[str, ...]
    indicators: tuple[str, ...]
    question: str
    options: tuple[str, ...]
    footer: str
    mrn: str = ""
    account_number: str = ""

    def to_candidate(self, id: str = "") -> QueryCandidate:
        return QueryCandidate(
            id=id or self.template_key,
            format=self.format,
            purpose=self.purpose,
            indicators=self.indicators,
            question=self.question,
            options=self.options,
            condition=self.condition,
        )

    def text(self) -> str:
        """The whole query as plain text (for e-mail bodies and the printable record)."""
        lines = [*self.header, "", self.question, "", "Clinical indicators:"]
        lines += [f"  - {item}" for item in self.indicators]
        if self.options:
            lines += [""] + [f"  [ ] {option}" for option in self.options]
        lines += ["", self.footer]
        return "\n".join(lines)
