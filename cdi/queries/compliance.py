"""Compliance checker for physician queries (AHIMA/ACDIS "Guidelines for Achieving a Compliant Query Practice").

``check_query`` returns the problems of one query; an empty list means the query may be sent. The rules:

* no financial or quality-reporting impact is mentioned (money, DRG, reimbursement, CMI, case mix, ratings);
* no leading phrasing ("please document <diagnosis>", "would you agree", "can you confirm", "it appears the
  patient has", "consider documenting"), and a new-diagnosis query does not ask about one named diagnosis
  ("does the patient have ...", "are you treating for ...");
* at least one clinical indicator is cited;
* yes/no only for the purposes the guidelines allow, with a "clinically undetermined" answer;
* multiple choice: "Other (please specify)" and "Clinically undetermined" (or equivalents) present, at least
  two clinically reasonable options besides them, no duplicates, and every option consistent with the
  indicators (see ``_unrelated_options``).

All matching is on normalised text (``text.normalize``): case, accents and punctuation do not matter.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from .templates import load_templates
from .text import compile_terms, content_words, normalize
from .types import FORMATS, PURPOSES, YES_NO_PURPOSES, Problem, QueryCandidate, QueryTemplate

MIN_CLINICAL_OPTIONS = 2

# Patterns are written against normalised text: lower case, punctuation turned into single spaces.
_FINANCIAL = [
    (r"\$", "$"),
    (r"\bmoney\b", "money"),
    (r"\bdollars?\b", "dollar"),
    (r"\br ?e ?imburs\w*", "reimbursement"),
    (r"\bpayments?\b", "payment"),
    (r"\brevenue\b", "revenue"),
    (r"\bfinancial\w*", "financial"),
    (r"\bprofit\w*", "profit"),
    (r"\bbill(ing|able|ed)\b", "billing"),
    (r"\b(ms |apr )?drgs?\b|\bd r g\b", "DRG"),
    (r"\bdiagnosis related group", "DRG"),
    (r"\bcc mcc\b|\bcomplications? (or|and) comorbidit", "CC/MCC"),
    (r"\bcase ?mix\b", "case mix"),
    (r"\bhierarchical condition", "HCC"),
    (r"\brisk adjust\w*", "risk adjustment"),
]
# Checked in the question and options only: in quoted chart text the same letters are clinical
# (HCC hepatocellular carcinoma, MCC Merkel cell carcinoma, "paid caregiver", "no insurance").
_FINANCIAL_IN_WORDING = [
    (r"\bpay(s|ing|er|ers)?\b|\bpaid\b", "payment"),
    (r"\bfinanc\w*", "financial"),
    (r"\bcosts?\b", "cost"),
    (r"\binsurance\b|\binsurer\b", "insurance"),
    (r"\bmedicare\b|\bmedicaid\b", "payer"),
    (r"\brelative weight\b", "DRG weight"),
    (r"\bmccs?\b", "CC/MCC"),
    (r"\bcmi\b", "CMI"),
    (r"\bhccs?\b", "HCC"),
]
_QUALITY = [
    (r"\bquality (score|rating|measure|metric|indicator|report|star|ranking)s?\b", "quality score"),
    (r"\bstar ratings?\b", "star rating"),
    (r"\b(hospital|publicly reported|public) (rating|ranking|score)s?\b", "rating"),
    (r"\bcore measures?\b", "core measure"),
    (r"\bpatient safety indicators?\b", "patient safety indicator"),
    (r"\b(expected|observed) (to expected )?mortality\b|\bmortality (index|rate|score)\b", "mortality index"),
    (r"\bseverity of illness\b|\brisk of mortality\b", "severity of illness / risk of mortality"),
    (r"\bvalue based purchasing\b", "value-based purchasing"),
    (r"\bhospital acquired condition (penalt|program)\w*", "HAC program"),
    (r"\bscorecard\b|\bleaderboard\b", "scorecard"),
]
# "please document" is leading when it tells the provider what to write; "please document your
# response / the condition in the record" only says where the answer goes, as the guidelines' own
# compliant examples do.
_NEUTRAL_AFTER_DOCUMENT = (
    r"(?! your \w+| any (condition|conditions|diagnosis|diagnoses|findings)\b| the (response|answer|clarification|condition|conditions|diagnosis|diagnoses|"
    r"finding|findings|determination)\b| in the (medical |health )?record\b| accordingly\b| as appropriate\b)"
)
_LEADING = [
    (r"\bplease (also )?document\b" + _NEUTRAL_AFTER_DOCUMENT, "please document ..."),
    (r"\b(would|do|dont|wouldnt) you (not )?agree\b", "would you agree"),
    (r"\b(can|could|would|will) you (please )?(confirm|verify|add)\b", "can you confirm"),
    (r"\bplease (confirm|verify|add)\b", "please confirm"),
    (r"\b(can|could|would|will) you (please )?document\b", "can you document"),
    (
        r"\b(it |this )?(appears|seems|looks like|is likely|is clear)( that)? (the )?(patient|pt|he|she) (has|had|is|was|may have|might have)\b",
        "it appears the patient has",
    ),
    (
        r"\b(the )?(patient|pt) (clearly|likely|probably|obviously|definitely) (has|had|is)\b",
        "the patient likely has",
    ),
    (r"\bconsider (documenting|adding|a diagnosis)\b", "consider documenting"),
    (r"\bplease consider\b", "please consider"),
    (r"\b(should|must|needs to|need to) be (documented|added|diagnosed)\b", "should be documented"),
    (r"\b(meets|meet|meeting|met|fulfils|fulfills) (the )?(criteria|definition)\b", "meets criteria"),
    (r"\bsupports? (a |the )?diagnosis\b", "supports a diagnosis"),
    (r"\bindicative of\b", "indicative of"),
    (r"\bdont you think\b|\bwouldnt you\b|\bisnt it\b", "don't you think"),
    (
        r"\bmost (likely|appropriate|accurate) (diagnosis|option|answer)\b|\brecommended (diagnosis|option|answer)\b",
        "most likely diagnosis",
    ),
    (r"\b(we|i|cdi) (recommend|suggest)\b", "we recommend"),
]
# Asking about one named condition is a disguised yes/no question, which may not introduce a new diagnosis.
_SINGLE_DIAGNOSIS_QUESTION = [
    r"\b(does|did|do) (the )?(patient|pt|he|she) (have|has|suffer)\b",
    r"\bare you treating\b",
    r"\bis (the )?(patient|pt) being (treated|managed|monitored) for\b",
    r"\bis there (evidence of|a diagnosis of)\b",
    r"\b(could|can|may|might) (the )?(patient|pt|this|these (findings|indicators)) (have|be|represent) (a |an )?\w",
    r"\bcan (a |the )?diagnosis of\b",
    r"\bis (this|it) (a |an )?(case of|consistent with)\b",
    r"\bwhether (or not )?(the )?(patient|pt) (has|had|have|is|was)\b",
    r"\bis (the )?(patient|pt) (in |a |an )?\w+",
    r"\bwould \w+( \w+){0,5} be (an? )?(appropriate|accurate|correct|reasonable)\b",
]

_OTHER = re.compile(r"^(other|another|alternative|something else|different)\b|^free text\b")
# Anchored at the start: "Hypokalemia, cause undetermined" is a clinical option, not the undetermined one.
_UNDETERMINED = re.compile(
    r"^(clinically )?(undetermined|indeterminate|unknown|unable to|cannot|can not|not able to"
    r"|not (clinically )?determin)"
)
# Options the guidelines allow beside the clinical ones; they need not name a diagnosis of the family.
_AUXILIARY = re.compile(
    r"\bnot clinically significant\b|\bwithout clinical significance\b|\bno clinical significance\b"
    r"|\bintegral to\b|\bnone of the above\b|\bno (further|additional) (diagnosis|clarification|specificity)\b"
    r"|\bno (diagnosis|condition)\b|\bnot applicable\b"
)
_YES = re.compile(r"^yes\b")
_NO = re.compile(r"^no\b")
# Answers about timing or relation rather than a diagnosis ("Present on admission", "No, not related"):
# they count as clinical options but name no condition, so the family check does not apply to them.
_STATUS = re.compile(r"^(yes|no)\b|\b(not )?present (on|at( the time of)?) (inpatient )?admission\b")

# Words that every query uses and that say nothing about which condition an option names.
_GENERIC_WORDS = """
    acute chronic stage type types grade severity severe moderate mild unspecified specified specify
    please other another clinically clinical undetermined unable determine determined diagnosis
    diagnoses condition conditions disease diseases disorder disorders syndrome failure injury infection
    loss losses cause caused causes related secondary primary known unknown documented documentation
    record records based judgment indicators indicator following below above findings finding
    significant significance level levels value values result results patient patients present absent
    admission with without from that this these those their there which what when where while also only
    more less than very noted note notes report reports date dates daily labs over under into onto after
    before during since until about please clarify response answer option options provider physician
    hospital day days hours hour week weeks month months year years time status history plan assessment
    exam examination normal abnormal high increased decreased elevated reduced positive negative treated
    treatment therapy given started continued ongoing monitoring serial repeat initial baseline current
    recent prior identified organism due induced drug medication including e.g such none
"""
_GENERIC = frozenset(_GENERIC_WORDS.split())


@dataclass(frozen=True)
class _Family:
    condition: str
    patterns: tuple[re.Pattern[str], ...]

    def matches(self, normalised: str) -> bool:
        return any(p.search(normalised) for p in self.patterns)


@lru_cache(maxsize=8)
def _families(templates: tuple[QueryTemplate, ...]) -> dict[str, _Family]:
    terms: dict[str, set[str]] = {}
    for template in templates:
        # A condition's family names the condition itself as well as its listed terms.
        bucket = terms.setdefault(template.condition, set())
        bucket.update(template.terms)
        bucket.add(template.condition.replace("_", " "))
    return {c: _Family(c, tuple(compile_terms(sorted(t)))) for c, t in terms.items()}


def _bundled_families() -> dict[str, _Family]:
    return _families(tuple(load_templates()))


def check_query(
    query: QueryCandidate,
    templates: Iterable[QueryTemplate] | None = None,
    *,
    min_clinical_options: int = MIN_CLINICAL_OPTIONS,
) -> list[Problem]:
    """Every compliance problem of ``query`` (empty when compliant).

    ``templates`` supplies the condition families used to judge whether options fit the indicators;
    the bundled templates when None. ``min_clinical_options`` is the number of clinical options a
    multiple-choice query must offer besides Other/Clinically undetermined (the brief recognises that
    there may be only one reasonable option; this project asks for two by default so that no query
    presents a single diagnosis as the answer).
    """
    families = _bundled_families() if templates is None else _families(tuple(templates))
    problems: list[Problem] = []
    question = query.question if isinstance(query.question, str) else ""
    indicators = [i for i in query.indicators if isinstance(i, str) and i.strip()]
    options = [o for o in query.options if isinstance(o, str) and o.strip()]

    if query.format not in FORMATS:
        problems.append(
            Problem(
                "unknown_format",
                f"format must be one of {', '.join(FORMATS)}, not {query.format!r}",
                "format",
            )
        )
    if query.purpose not in PURPOSES:
        problems.append(
            Problem(
                "unknown_purpose",
                f"purpose must be one of {', '.join(PURPOSES)}, not {query.purpose!r}",
                "purpose",
            )
        )
    if not question.strip():
        problems.append(
            Problem("missing_question", "write the question the provider is asked to answer", "question")
        )

    problems += _impact_problems([question, *options], indicators)
    problems += _leading_problems(question, options, query.purpose)

    if not indicators:
        problems.append(
            Problem(
                "no_indicators",
                "cite at least one clinical indicator from the record (a result, finding or treatment, "
                "with its date and source) that supports the question",
                "indicators",
            )
        )

    if query.format == "yes_no":
        problems += _yes_no_problems(query.purpose, options)
    elif query.format == "multiple_choice":
        problems += _multiple_choice_problems(
            options, question, indicators, query.condition, families, min_clinical_options
        )
    return problems


def is_compliant(query: QueryCandidate, templates: Iterable[QueryTemplate] | None = None) -> bool:
    return not check_query(query, templates)


def _first_hits(texts: Sequence[str], rules: Sequence[tuple[str, str]]) -> list[str]:
    normalised = " ".join(normalize(t) for t in texts)
    hits: list[str] = []
    for pattern, label in rules:
        if re.search(pattern, normalised) and label not in hits:
            hits.append(label)
    return hits


def _impact_problems(wording: Sequence[str], indicators: Sequence[str]) -> list[Problem]:
    problems = []
    texts = [*wording, *indicators]
    money = _first_hits(texts, _FINANCIAL)
    money += [label for label in _first_hits(wording, _FINANCIAL_IN_WORDING) if label not in money]
    if money:
        problems.append(
            Problem(
                "financial_impact",
                f"remove the reference to {', '.join(money)}: a query may not mention money, payment, "
                "reimbursement, DRG, CC/MCC, CMI or case mix, only the clinical facts",
            )
        )
    quality = _first_hits(texts, _QUALITY)
    if quality:
        problems.append(
            Problem(
                "quality_impact",
                f"remove the reference to {', '.join(quality)}: a query may not mention the effect of the "
                "answer on quality scores, ratings or reported measures",
            )
        )
    return problems


def _leading_problems(question: str, options: Sequence[str], purpose: str) -> list[Problem]:
    problems = []
    hits = _first_hits([question, *options], _LEADING)
    if hits:
        problems.append(
            Problem(
                "leading_phrase",
                f"rephrase without leading wording ({'; '.join(hits)}): ask the provider to clarify from "
                "their clinical judgment, without suggesting the answer",
                "question",
            )
        )
    normalised = normalize(question)
    if purpose == "new_diagnosis" and any(re.search(p, normalised) for p in _SINGLE_DIAGNOSIS_QUESTION):
        problems.append(
            Problem(
                "single_diagnosis_question",
                "the question asks about one named diagnosis, which leads the provider when the condition "
                "is not yet documented: ask what the indicators represent and list the reasonable options",
                "question",
            )
        )
    return problems


def _yes_no_problems(purpose: str, options: Sequence[str]) -> list[Problem]:
    problems = []
    if purpose in PURPOSES and purpose not in YES_NO_PURPOSES:
        problems.append(
            Problem(
                "yes_no_not_allowed",
                f"a yes/no query may not be used for {purpose.replace('_', ' ')}; yes/no is allowed only for "
                "present-on-admission status, a diagnosis already documented elsewhere in the record, cause "
                "and effect between documented conditions, or conflicting documentation. Use a multiple-choice "
                "or open-ended query",
                "format",
            )
        )
    normalised = [normalize(o) for o in options]
    missing = []
    if not any(_YES.search(o) for o in normalised):
        missing.append('"Yes"')
    if not any(_NO.search(o) for o in normalised):
        missing.append('"No"')
    if not any(_UNDETERMINED.search(o) for o in normalised):
        missing.append('"Clinically undetermined"')
    if missing:
        problems.append(
            Problem(
                "yes_no_options",
                f"a yes/no query must offer {', '.join(missing)} among its answers",
                "options",
            )
        )
    return problems


def _multiple_choice_problems(
    options: Sequence[str],
    question: str,
    indicators: Sequence[str],
    condition: str | None,
    families: dict[str, _Family],
    min_clinical_options: int,
) -> list[Problem]:
    problems = []
    normalised = [normalize(o) for o in options]
    others = [o for o in normalised if _OTHER.search(o)]
    undetermined = [o for o in normalised if _UNDETERMINED.search(o)]
    clinical = [
        (raw, o)
        for raw, o in zip(options, normalised, strict=True)
        if not (_OTHER.search(o) or _UNDETERMINED.search(o) or _AUXILIARY.search(o))
    ]
    if not others:
        problems.append(
            Problem(
                "missing_other_option",
                'add an "Other (please specify)" option with room for free text',
                "options",
            )
        )
    if not undetermined:
        problems.append(
            Problem("missing_undetermined_option", 'add a "Clinically undetermined" option', "options")
        )
    distinct = {o for _, o in clinical}
    if len(distinct) < min_clinical_options:
        problems.append(
            Problem(
                "too_few_options",
                f"offer at least {min_clinical_options} clinically reasonable options besides Other and "
                "Clinically undetermined: a single diagnosis presented as the answer leads the provider",
                "options",
            )
        )
    duplicates = sorted({o for o in normalised if normalised.count(o) > 1})
    if duplicates:
        problems.append(Problem("duplicate_option", "remove the repeated option(s)", "options"))
    unrelated = _unrelated_options(clinical, question, indicators, condition, families)
    if unrelated:
        listed = "; ".join(f'"{o}"' for o in unrelated)
        problems.append(
            Problem(
                "unrelated_option",
                f"option(s) {listed} do not fit the clinical indicators or the condition asked about: every "
                "option must be a clinically reasonable answer for the indicators cited",
                "options",
            )
        )
    return problems


def _unrelated_options(
    clinical: Sequence[tuple[str, str]],
    question: str,
    indicators: Sequence[str],
    condition: str | None,
    families: dict[str, _Family],
) -> list[str]:
    """Options that name nothing the query is about.

    The condition families in play are those whose terms (diagnosis names, their labs, findings and
    treatments, from the templates) occur in the question or the indicators, plus the ``condition`` hint.
    An option is consistent when it names a term of one of those families, or shares a specific word
    (four letters or more, not generic query vocabulary such as "acute", "stage", "failure") with the
    question or the indicators. So a heart-failure query may offer "Acute on chronic diastolic heart
    failure" but not "Sepsis" unless its indicators are about infection.
    """
    context = normalize(question + " " + " ".join(indicators))
    active = [f for f in families.values() if f.matches(context)]
    if condition and condition in families and families[condition] not in active:
        active.append(families[condition])
    context_words = content_words(context, _GENERIC)
    unrelated = []
    for raw, normalised in clinical:
        if _STATUS.search(normalised) or any(f.matches(normalised) for f in active):
            continue
        if content_words(normalised, _GENERIC) & context_words:
            continue
        unrelated.append(raw)
    return unrelated
