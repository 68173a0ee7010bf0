"""Documentation gaps: candidates from the knowledge base and the note's facts.

`detect()` is the one code path used by the worker, the evaluation command and the
training-set builder. Each rule needs *indicators* (values, results, findings) and
*evidence that they mattered* (treatment, monitoring, work-up) before it raises a
candidate; mentions that are negated, hypothetical, resolved or about a relative
never count as documentation. An optional `scorer` (the CDI pair classifier) gives
each candidate a probability that is combined with the rule's own confidence.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from cdi.clinical.anthropometry import is_pediatric as _is_pediatric
from cdi.clinical.context import NEGATION_PRE, RESOLVED_POST
from cdi.clinical.facts import Mention, NoteFacts, StructuredData, StructuredObservation
from cdi.clinical.knowledge import ConditionKnowledge, KnowledgeBase, compile_terms, default_knowledge
from cdi.clinical.treatments import OPERATIONS_AND_INJURIES, Treatment
from cdi.clinical.values import Measurement, OrganismMention

__all__ = [
    "DecisionPolicy",
    "GapFinding",
    "Indicator",
    "Scorer",
    "Span",
    "StructuredData",
    "StructuredObservation",
    "candidate_pairs",
    "detect",
    "detect_candidates",
]

Scorer = Callable[[list[tuple[str, str]]], Sequence[float]]

RULE_THRESHOLD = 0.5  # rules alone: keep candidates at or above this confidence
MODEL_THRESHOLD = 0.5  # with a model: keep where the combined confidence reaches this
MODEL_WEIGHT = 0.6  # share of the model probability in the combined confidence
CANDIDATE_FLOOR = 0.2  # permissive floor used to build training pairs
WEAK = 0.3  # indicators without evidence that they mattered: a candidate, never a gap by rules alone
STRONG_RULE = 0.8  # a rule gap with treatment or support: no model probability may veto it


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Indicator:
    name: str
    value: float | str
    unit: str = ""
    date: str | None = None
    derivation: str | None = None  # a calculated value: "calculated from height ... and weight ..."


@dataclass
class GapFinding:
    category: str
    condition: str
    confidence: float
    evidence: list[Span]
    indicators: list[Indicator] = field(default_factory=list)
    documented_code: str | None = None
    candidate_codes: list[str] = field(default_factory=list)
    rationale: str = ""
    rule_confidence: float = 0.0
    model_probability: float | None = None
    severity_effect: str = "none"
    description: str = ""


# --------------------------------------------------------------------------------------
# Small helpers


class _Builder:
    """Collects the evidence of one candidate and checks spans against the note."""

    def __init__(self, facts: NoteFacts, knowledge: ConditionKnowledge) -> None:
        self.facts = facts
        self.knowledge = knowledge
        self.spans: list[Span] = []
        self.indicators: list[Indicator] = []

    def span(self, start: int, end: int) -> _Builder:
        if 0 <= start < end <= len(self.facts.text):
            candidate = Span(start, end, self.facts.text[start:end])
            if candidate not in self.spans:
                self.spans.append(candidate)
        return self

    def measurement(self, m: Measurement) -> _Builder:
        self.indicators.append(Indicator(m.name, m.value, m.unit, m.date, m.derivation))
        for start, end in m.sources:
            self.span(start, end)
        return self if m.sources else self.span(m.start, m.end)

    def finding(
        self, confidence: float, rationale: str, documented_code: str | None = None, codes: Sequence[str] = ()
    ) -> GapFinding:
        k = self.knowledge
        return GapFinding(
            category=k.category,
            condition=k.condition,
            confidence=round(confidence, 3),
            evidence=sorted(self.spans, key=lambda s: s.start)[:6],
            indicators=self.indicators[:8],
            documented_code=documented_code,
            candidate_codes=list(codes or k.specific_codes),
            rationale=rationale,
            rule_confidence=round(confidence, 3),
            severity_effect=k.severity_effect,
            description=k.description,
        )


def _near(a: int, b: int, chars: int = 350) -> bool:
    return abs(a - b) <= chars


def _in_window(
    facts: NoteFacts, pattern: re.Pattern[str] | None, mention: Mention, before: int, after: int
) -> bool:
    if pattern is None:
        return False
    start, end = facts.window(mention.start, mention.end, before, after)
    return bool(pattern.search(facts.text[start:end]))


def _abnormal(values: list[Measurement], test: Callable[[float], bool]) -> list[Measurement]:
    return [m for m in values if test(m.value) or any(test(v) for v in m.series)]


def _documented(
    facts: NoteFacts, k: ConditionKnowledge, pattern: re.Pattern[str] | None = None
) -> list[Mention]:
    pattern = pattern or k.documenting
    return facts.asserted(pattern, chronic=k.chronic)


def _structurally_documented(facts: NoteFacts, k: ConditionKnowledge) -> bool:
    return facts.documented_in_structured(k.documenting, k.all_codes)


# A monitoring order counts for an analyte only when it names that analyte: "daily BMP"
# is routine, "recheck sodium in the morning" shows the value mattered.
_ANALYTE_WORDS = {
    "sodium": r"sodium|\bna\b",
    "potassium": r"potassium|\bk\b",
    "magnesium": r"magnesium|\bmg\b",
    "hemoglobin": r"hemoglobin|hgb|\bhb\b|h\s*&\s*h|hematocrit|hct",
    "platelets": r"platelets?|plt",
    "creatinine": r"creatinine|renal function",
}


# Potassium and magnesium are drawn with every chemistry panel: two values in a note are routine,
# only an order naming them ("recheck her potassium") shows that the value was followed.
_ORDERS_ONLY = {"potassium", "magnesium"}


def _serial(facts: NoteFacts, analyte: str, holds: Callable[[float], bool] | None = None) -> list[Span]:
    """Spans showing the analyte is followed: several values, a stated trend or a monitoring order.

    With `holds` (the abnormal test), separate values count only when two of them are abnormal: one
    low value and a later normal one are two routine panels, not an abnormal value being followed
    (a platelet count of 148k on one panel and 234k on the next, with no action)."""
    values = [] if analyte in _ORDERS_ONLY else facts.values(analyte)
    spans = [Span(m.start, m.end, m.text) for m in values if m.series and m.start >= 0]
    placed = [m for m in values if m.start >= 0]
    if len(placed) >= 2 and not spans and (holds is None or len([m for m in placed if holds(m.value)]) >= 2):
        spans = [Span(m.start, m.end, m.text) for m in placed][:2]
    words = re.compile(_ANALYTE_WORDS.get(analyte, analyte), re.IGNORECASE)
    for t in facts.given(("monitoring",)):
        if words.search(t.text):
            spans.append(Span(t.start, t.end, t.text))
    return spans


def _treatments(facts: NoteFacts, kinds: Sequence[str]) -> list[Treatment]:
    return facts.given(tuple(kinds))


# --------------------------------------------------------------------------------------
# Rules by family. Each returns zero or more findings for one condition.

_ORGANISM_NEAR_DIAGNOSIS = re.compile(
    r"(?:due\s+to|secondary\s+to|from|with|caused\s+by|positive\s+for)\s*$", re.IGNORECASE
)


_PAST_RESULT = re.compile(
    r"\b(?:in the past|at some point|previous(?:ly)?|prior (?:cultures?|admissions?|episodes?|hospitali[sz]ations?)|"
    r"history of|years ago|months ago|last (?:year|admission))\b",
    re.IGNORECASE,
)
# Results that name a class of organism, or none yet: indicators for a query, never the diagnosis.
_ORGANISM_CLASSES = {"gram_negative", "gram_positive", "gram_variable", "anaerobes", "unidentified"}
# ICD-10-CM codes no R78.81 bacteremia with sepsis: with sepsis documented, the organism query
# about the bloodstream infection is the sepsis one.
_BACTEREMIA = re.compile(r"bacter[ae]mia", re.IGNORECASE)
_SEPSIS_WORDS = compile_terms([r"sepsis", r"septicemia", r"septic shock", r"severe sepsis"])


def _organism_rule(facts: NoteFacts, k: ConditionKnowledge) -> list[GapFinding]:
    mentions = _documented(facts, k)
    if k.condition == "sepsis":
        mentions = [m for m in mentions if not _not_sepsis(facts, m, confirmed=True)]
    elif k.condition == "other_infection" and any(
        not _not_sepsis(facts, m, confirmed=True) for m in facts.asserted(_SEPSIS_WORDS)
    ):
        mentions = [m for m in mentions if not _BACTEREMIA.fullmatch(m.text)]
    if k.condition == "other_infection":
        # A suspected deep infection ("suspicion of endocarditis") is a work-up,
        # not an infection whose organism a query could ask for.
        mentions = [m for m in mentions if not m.context.uncertain]
    if not mentions:
        return []
    organisms = [o for o in facts.organisms if o.kind in ("culture", "coverage") and not o.negative]
    organisms = [o for o in organisms if facts.context(o.start, o.end).asserted]
    # Cultures from earlier episodes ("have grown ... in the past") do not name this infection's organism.
    organisms = [o for o in organisms if not _PAST_RESULT.search(facts.text[slice(*o.sentence)])]
    # A diagnostic statement that already names the organism closes the gap.
    for mention in mentions:
        if _in_window(facts, k.specificity, mention, 50, 50):
            return []
        sentence = facts.doc.sentence(mention.start)
        for organism in facts.organisms:
            if organism.organism in _ORGANISM_CLASSES:
                continue  # "Gram-negative bacteremia" still lacks the organism
            if not sentence[0] <= organism.start < sentence[1]:
                continue  # a culture result in another sentence is an indicator, not the diagnosis
            if organism.start <= mention.start and mention.start - organism.end <= 25:
                return []
            if organism.start >= mention.end and organism.start - mention.end <= 40:
                between = facts.text[mention.end : organism.start]
                if _ORGANISM_NEAR_DIAGNOSIS.search(between) or not between.strip(" ,-"):
                    return []
    specimens = set(k.extra.get("specimens", []))
    # The infection the encounter is about: named in the chief complaint or reason for consultation.
    presenting = [m for m in mentions if m.context.section == "chief_complaint"]
    relevant: list[OrganismMention] = []
    for organism in organisms:
        if organism.specimen is not None and organism.kind == "culture":
            matched = specimens.intersection(organism.specimens)
            # A pneumonia or a cellulitis has its own specimen (sputum, BAL, wound, swab): a blood
            # culture names its organism only beside that diagnosis (the proximity test below), not
            # a bacteremia's growth told paragraphs away from a past pneumonia. (For deep infections
            # — an abscess, osteomyelitis, endocarditis — blood is often the only culture, and a
            # batch-7 abscess with positive blood cultures in another paragraph is a labelled gap.)
            if matched and (k.condition not in _OWN_SITE_SPECIMEN or matched - _SHARED_SPECIMENS):
                relevant.append(organism)
                continue
            if not matched:
                continue
        # No specimen named: the organism must sit close to the diagnosis it would specify
        # (a culture result may close the paragraph that discusses it).
        result = organism.kind == "culture" and _CULTURE_RESULT.search(
            facts.text[slice(*facts.doc.sentence(organism.start))]
        )
        if (
            any(_near(organism.start, m.start, 250) for m in mentions)
            or (result and any(_same_paragraph(facts.text, organism.start, m.start) for m in mentions))
            # A culture reported in the present illness of an encounter about this infection ("since
            # being hospitalized, his cultures have grown Staph"), with no other infection named in
            # its sentence, is this infection's culture even paragraphs away from the diagnosis.
            or (
                result
                and presenting
                and facts.context(organism.start, organism.end).section == "hpi"
                and not _OTHER_INFECTION.search(facts.text[slice(*facts.doc.sentence(organism.start))])
            )
        ):
            relevant.append(organism)
    if not relevant:
        return []
    builder = _Builder(facts, k)
    mention = min(mentions, key=lambda m: min(abs(m.start - o.start) for o in relevant))
    builder.span(mention.start, mention.end)
    best = 0.0
    for organism in relevant[:3]:
        start, end = facts.window(organism.start, organism.end, 60, 10)
        builder.span(start, end)
        builder.indicators.append(Indicator("organism", organism.organism, "", None))
        best = max(best, 0.85 if organism.kind == "culture" else 0.7)
    return [
        builder.finding(
            best,
            f"{k.condition.replace('_', ' ')} documented without its organism; {relevant[0].kind} names "
            f"{relevant[0].organism.replace('_', ' ')}",
            documented_code=k.unspecified_codes[0] if k.unspecified_codes else None,
        )
    ]


_SHARED_SPECIMENS = {"blood"}
_OWN_SITE_SPECIMEN = {"pneumonia", "cellulitis"}


# Infection words that would tie a culture to another infection than the encounter's.
_OTHER_INFECTION = re.compile(
    r"\b(?:pneumonia|urinary\s+tract\s+infection|uti|urine|sputum|blood|bacteremia|wound|abscess\w*|"
    r"osteomyelitis|endocarditis|meningitis|csf|sepsis|septic\w*|line|catheter|stool|c\.?\s?diff\w*)\b",
    re.IGNORECASE,
)
# A sentence that reports a culture result: the culture, or what grew in it.
_CULTURE_RESULT = re.compile(r"\b(?:cultures?|grew|grow(?:n|ing|s)|isolated|speciated)\b", re.IGNORECASE)


def _same_paragraph(text: str, a: int, b: int) -> bool:
    low, high = min(a, b), max(a, b)
    return high - low <= 1200 and "\n\n" not in text[low:high].replace("\r", "")


def _not_sepsis(facts: NoteFacts, mention: Mention, confirmed: bool = False) -> bool:
    """Words containing "septic" that are not a sepsis diagnosis; with confirmed, also work-ups."""
    start, end = facts.window(mention.start, mention.end, 12, 15)
    window = facts.text[start:end]
    if _SEPSIS_EXCLUSIONS.search(window):
        return True
    return confirmed and (mention.context.uncertain or bool(_SEPSIS_WORKUP.search(window)))


_SEPSIS_EXCLUSIONS = compile_terms(
    [
        r"septic arthritis", r"septic emboli", r"aseptic", r"septic[- ]like", r"septic picture", r"antiseptic",
        r"septic tank", r"septic joint", r"urosepsis", r"septic appearing", r"looked septic", r"appear\w* septic",
    ]
)  # fmt: skip
_SEPSIS_WORKUP = compile_terms(
    [
        r"septic work-?up",
        r"sepsis work-?up",
        r"rule out sepsis",
        r"r/o sepsis",
        r"sepsis risk",
        r"sepsis evaluation",
    ]
)


def _unspecified_mentions(
    facts: NoteFacts, k: ConditionKnowledge, mentions: list[Mention], needs: Sequence[str], before: int = 50
) -> tuple[list[Mention], bool]:
    """Mentions lacking one of the needed axes; and whether any mention is fully specified."""
    patterns = [k.terms(name) for name in needs]
    unspecified = []
    specified = False
    for mention in mentions:
        have = [_in_window(facts, p, mention, before, 25) for p in patterns]
        if all(have):
            specified = True
        else:
            unspecified.append(mention)
    return unspecified, specified


def _heart_failure(facts: NoteFacts, k: ConditionKnowledge) -> list[GapFinding]:
    mentions = _documented(facts, k)
    if not mentions or _structurally_documented_specific(facts, k):
        return []
    unspecified, specified = _unspecified_mentions(facts, k, mentions, ("type_terms", "acuity_terms"))
    if specified or not unspecified:
        return []
    builder = _Builder(facts, k)
    builder.span(unspecified[0].start, unspecified[0].end)
    strong = 0
    for m in facts.values("ef"):
        if m.start >= 0:
            builder.measurement(m)
            strong += 1
    for m in _abnormal(facts.values("bnp"), lambda v: v > 100):
        builder.measurement(m)
        strong += 1
    signs = facts.asserted(k.terms("indicator_terms"))
    for sign in signs[:2]:
        builder.span(sign.start, sign.end)
    treatments = _treatments(facts, ("iv_diuretic", "diuretic_change"))
    weak_treatments = _treatments(facts, ("diuretic", "echo", "hf_medication", "hf_medication_change"))
    # A finding that names the type (systolic/diastolic dysfunction, restrictive physiology, a
    # cardiomyopathy) with an echo or a change of HF medication supports a query on type.
    type_findings = facts.asserted(k.terms("type_indicator_terms"))
    type_workup = _treatments(facts, ("echo", "hf_medication_change"))
    has_structured = facts.has_structured_treatment(("iv_diuretic", "diuretic"))
    bnp_workup = bool(_abnormal(facts.values("bnp"), lambda v: v > 100))
    # A heart failure diagnosis listed in the assessment with its EF beside it is being managed.
    listed_with_ef = any(
        m.context.section == "assessment"
        and any(_near(e.start, m.start, 120) for e in facts.values("ef") if e.start >= 0)
        for m in unspecified
    )
    if not (treatments or weak_treatments or has_structured or bnp_workup or listed_with_ef):
        return []
    if not (strong or signs):
        return []
    for t in (treatments or weak_treatments)[:2]:
        builder.span(t.start, t.end)
    diuretics = treatments or _treatments(facts, ("diuretic",)) or has_structured
    if strong and treatments:
        confidence = 0.85
    elif strong and diuretics:
        confidence = 0.75
    elif strong and weak_treatments:
        confidence = 0.55  # EF with an echo only
    elif strong:
        confidence = 0.5  # a natriuretic peptide drawn this encounter, or EF beside a listed diagnosis
    elif treatments:
        confidence = 0.65
    elif diuretics:
        confidence = 0.55
    elif type_findings and type_workup:
        confidence = 0.55
        builder.span(type_findings[0].start, type_findings[0].end)
        builder.span(type_workup[0].start, type_workup[0].end)
    else:
        confidence = 0.4  # congestion signs with an echo only
    return [
        builder.finding(
            confidence,
            "heart failure documented without type and acuity; EF/BNP or congestion with diuretic management",
            documented_code="I50.9",
        )
    ]


def _structurally_documented_specific(facts: NoteFacts, k: ConditionKnowledge) -> bool:
    specific = {code.replace(".", "") for code in k.specific_codes}
    return any(c.replace(".", "").upper() in specific for c in facts.structured.conditions)


_ABG = ("pao2", "paco2", "ph", "spo2")
_HYPOXIA = compile_terms(
    [r"hypoxic", r"hypoxemic", r"hypoxia", r"hypoxemia", r"desaturat\w*", r"hypercapnic", r"hypercarbic"]
)


def _respiratory_failure(facts: NoteFacts, k: ConditionKnowledge) -> list[GapFinding]:
    # Respiratory failure is read as chronic (a current chronic failure stays documented in a past
    # history), but one introduced as a past event ("a history of respiratory failure requiring
    # mechanical ventilation", "previous respiratory failure") names an episode, not this
    # encounter's condition: a current one is written as such ("ventilator-dependent", "chronic").
    mentions = [m for m in _documented(facts, k) if not _past_event(facts, m)]
    # A respiratory failure written with its airway support is current even after an earlier "status
    # post" of another event in the sentence ("status post trauma, prolonged respiratory failure status
    # post tracheostomy"): that "status post" governs the trauma; a resolution word still makes it past.
    mentions += [
        m
        for m in facts.mentions(k.documenting, chronic=k.chronic)
        if m.context.historical
        and not (m.context.negated or m.context.hypothetical or m.context.family or m.context.uncertain)
        and _names_airway_support(facts, m)
        and not _past_event(facts, m)
        and not RESOLVED_POST.search(facts.text[facts.doc.sentence(m.start)[0] : m.start][-60:])
    ]
    if not mentions or _structurally_documented_specific(facts, k):
        return []
    acuity = k.terms("acuity_terms")
    kind = k.terms("type_terms")
    if any(_in_window(facts, acuity, m, 40, 20) and _in_window(facts, kind, m, 40, 25) for m in mentions):
        return []  # one fully specified statement ("acute hypercapnic respiratory failure") answers the question
    without_acuity = [m for m in mentions if not _in_window(facts, acuity, m, 40, 20)]
    support = _treatments(facts, ("bipap", "intubation", "high_flow_oxygen", "oxygen"))
    abnormal = [
        m
        for m in facts.measurements
        if (m.name == "spo2" and m.value < 91)
        or (m.name == "pao2" and m.value < 60)
        or (m.name == "paco2" and m.value > 50)
        or (m.name == "ph" and m.value < 7.35)
    ]
    builder = _Builder(facts, k)
    if without_acuity:
        # "ventilator-dependent respiratory failure" names its own support: it counts in any section,
        # also in a procedure note, where an intubation or a ventilator alone is the anesthesia's.
        dependent = [
            m
            for m in without_acuity
            if _VENTILATOR_DEPENDENT.match(m.text) or _names_airway_support(facts, m)
        ]
        support = support + [t for t in _performed_intubation(facts) if t not in support]
        if not (support or abnormal or dependent):
            return []
        builder.span(without_acuity[0].start, without_acuity[0].end)
        for t in support[:2]:
            builder.span(t.start, t.end)
        for m in abnormal[:2]:
            builder.measurement(m)
        return [
            builder.finding(
                0.8 if support or dependent else 0.6,
                "respiratory failure documented without acuity; ventilatory support or abnormal gases",
                documented_code="J96.90",
            )
        ]
    if any(_in_window(facts, kind, m, 40, 25) for m in mentions):
        return []
    strong_support = [t for t in support if t.kind in ("bipap", "intubation")]
    hypoxia = facts.asserted(_HYPOXIA)
    if hypoxia and support and not abnormal:
        builder.span(mentions[0].start, mentions[0].end)
        builder.span(hypoxia[0].start, hypoxia[0].end)
        builder.span(support[0].start, support[0].end)
        return [
            builder.finding(
                0.55, "acute respiratory failure with hypoxia on oxygen; hypoxic type not documented"
            )
        ]
    if abnormal and strong_support:
        builder.span(mentions[0].start, mentions[0].end)
        for m in abnormal[:2]:
            builder.measurement(m)
        builder.span(strong_support[0].start, strong_support[0].end)
        return [
            builder.finding(
                0.45, "acute respiratory failure without hypoxic/hypercapnic type; abnormal gases"
            )
        ]
    return []


_VENTILATOR_DEPENDENT = re.compile(r"ventilat\w*[- ]dependent", re.IGNORECASE)
_PAST_EVENT = re.compile(
    r"(?:history\s+of|h/o|hx\s+of|previous|prior|past|remote)\s+(?:(?:an?|an\s+episode\s+of|episodes?\s+of)\s+)?$",
    re.IGNORECASE,
)


# A respiratory failure written with the airway support it needed ("respiratory failure status post
# tracheostomy", "... requiring intubation / mechanical ventilation", "s/p trach") names its own
# support, like "ventilator-dependent": a tracheostomy for respiratory failure is placed for prolonged
# mechanical ventilation (AARC clinical practice guideline on tracheostomy, 2024; ATS). A past episode
# ("history of respiratory failure requiring intubation") is removed before, by `_past_event`.
_AIRWAY_SUPPORT_AFTER = re.compile(
    r"^[,\s]{0,3}(?:(?:status\s+post|s/p|requiring|required|needing|necessitating|treated\s+with|with|on|after)"
    r"\s+(?:an?\s+|a\s+recent\s+)?|(?:and|with)\s+(?:was\s+|is\s+)?)"
    r"(?:tracheostomy|trach\b|(?:endotracheal\s+)?intubation|intubated|mechanical(?:ly)?\s+ventilat\w*|(?:the\s+)?ventilator)",
    re.IGNORECASE,
)


def _names_airway_support(facts: NoteFacts, m: Mention) -> bool:
    _, sentence_end = facts.doc.sentence(m.start)
    return bool(_AIRWAY_SUPPORT_AFTER.match(facts.text[m.end : min(sentence_end, m.end + 60)]))


# A procedure note whose named procedure is an endotracheal intubation (the "PROCEDURE:" header's own
# line) performed the ventilatory support itself: an emergency airway, not an anaesthesia's, unless the
# note mentions an anaesthesia or induction anywhere (an intubation for a general anaesthetic is
# elective airway management for the operation, not support for a respiratory failure).
_NAMED_PROCEDURE_HEADER = re.compile(
    r"^(?:PROCEDURES?(?:\s+PERFORMED|\s+DONE)?|OPERATIONS?(?:\s+PERFORMED)?)$"
)
_NAMED_INTUBATION = re.compile(
    r"(?:endotracheal|orotracheal|nasotracheal|emergent|emergency)?\s*intubation", re.I
)
_ANY_ANESTHESIA = re.compile(
    r"an(?:a)?esthe(?:sia|tic|siolog\w*)|induction|general\s+endotracheal|\bgeta\b|\bsurgery\b|\boperati(?:on|ve)\b",
    re.IGNORECASE,
)


def _performed_intubation(facts: NoteFacts) -> list[Treatment]:
    if _ANY_ANESTHESIA.search(facts.text):
        return []
    out = []
    for section in facts.doc.sections.sections:
        if not _NAMED_PROCEDURE_HEADER.match(re.sub(r"\s+", " ", section.header.upper()).strip()):
            continue
        body = facts.text[section.body_start : section.end]
        first_line = body.strip().split("\n")[0]
        offset = section.body_start + body.index(first_line) if first_line else section.body_start
        match = _NAMED_INTUBATION.search(first_line)
        if match and not re.search(r"\bextubat|attempt", first_line, re.IGNORECASE):
            ctx = facts.context(offset + match.start(), offset + match.end())
            if not (ctx.negated or ctx.hypothetical or ctx.family):
                out.append(
                    Treatment("intubation", offset + match.start(), offset + match.end(), match.group(0))
                )
    return out


def _past_event(facts: NoteFacts, m: Mention) -> bool:
    """The mention directly follows a history cue ("history of respiratory failure"); a plain
    listing in a past-history section, where a chronic condition may still be current, is not one."""
    start, _ = facts.doc.sentence(m.start)
    return bool(_PAST_EVENT.search(facts.text[max(start, m.start - 60) : m.start]))


_AKI_DOCUMENTED = compile_terms(
    [
        r"acute kidney injury",
        r"aki",
        r"acute renal failure",
        r"acute kidney failure",
        r"atn",
        r"acute tubular necrosis",
        r"arf",
    ]
)


_CKD_DOCUMENTED = compile_terms(
    [
        r"chronic kidney disease",
        r"ckd",
        r"esrd",
        r"end[- ]stage renal",
        r"chronic renal failure",
        r"chronic renal insufficiency",
    ]
)


_ESRD = compile_terms(
    [r"esrd", r"end[- ]stage renal", r"end[- ]stage kidney", r"on (?:chronic )?(?:hemo)?dialysis"]
)


def _kidney_disease(facts: NoteFacts, k: ConditionKnowledge) -> list[GapFinding]:
    mentions = _documented(facts, k)
    if not mentions:
        return []
    if facts.asserted(_AKI_DOCUMENTED) or _structurally_documented_specific(facts, k):
        return []
    if facts.asserted(_ESRD, chronic=True) or _treatments(facts, ("dialysis",)):
        # "Renal failure" in a patient on maintenance dialysis names the ESRD.
        acute = compile_terms([r"acute"])
        if not any(_in_window(facts, acute, m, 30, 0) for m in mentions):
            return []
    unqualified = k.terms("unqualified_terms")
    unspecified = []
    for mention in mentions:
        if unqualified is not None and unqualified.fullmatch(mention.text):
            start, _ = facts.window(mention.start, mention.end, 30, 0)
            prefix = facts.text[start : mention.start].lower()
            # "chronic renal insufficiency" alone is CKD (its stage is the ckd_stage question).
            if re.search(r"chronic\s*$", prefix) and "acute" not in prefix:
                continue
            unspecified.append(mention)
            continue
        start, end = facts.window(mention.start, mention.end, 40, 5)
        if k.specificity is not None and k.specificity.search(facts.text[start:end]):
            continue
        unspecified.append(mention)
    if not unspecified:
        return []
    rising = [m for m in facts.values("creatinine") if m.series and m.change >= 0.3]
    if facts.asserted(_CKD_DOCUMENTED) and not rising:
        # With CKD documented, unqualified "renal insufficiency" names the CKD unless "acute" is said.
        acute = compile_terms([r"acute"])
        if not any(_in_window(facts, acute, m, 30, 0) for m in unspecified):
            return []
    creatinine = _abnormal(facts.values("creatinine"), lambda v: v >= 1.3) + rising
    gfr = _abnormal(facts.values("gfr"), lambda v: v < 60)
    bun = _abnormal(facts.values("bun"), lambda v: v > 30)
    treatments = _treatments(facts, k.treatment_kinds)
    if not (creatinine or gfr):
        # "elevated creatinine", "improvement in her renal status": the trend stated in words
        # counts only with renal management.
        words = [
            m for m in facts.asserted(k.terms("indicator_terms")) if m.context.section != "review_of_systems"
        ]
        if not (words and treatments):
            return []
        builder = _Builder(facts, k)
        builder.span(unspecified[0].start, unspecified[0].end)
        builder.span(words[0].start, words[0].end)
        for t in treatments[:2]:
            builder.span(t.start, t.end)
        return [
            builder.finding(
                0.6,
                "renal failure/insufficiency documented without acuity; renal function stated as changing, managed",
                documented_code="N19",
            )
        ]
    in_assessment = any(
        m.context.section in ("assessment", "plan", "hpi", "chief_complaint", "procedure")
        for m in unspecified
    )
    if not (treatments or in_assessment):
        return []
    builder = _Builder(facts, k)
    builder.span(unspecified[0].start, unspecified[0].end)
    for m in (creatinine + gfr + bun)[:3]:
        builder.measurement(m)
    for t in treatments[:2]:
        builder.span(t.start, t.end)
    confidence = 0.8 if treatments else 0.6
    return [
        builder.finding(
            confidence,
            "renal failure/insufficiency documented without acuity; creatinine or GFR in the note",
            documented_code="N19",
        )
    ]


def _other_acuity(facts: NoteFacts, k: ConditionKnowledge) -> list[GapFinding]:
    findings: list[GapFinding] = []
    for name, sub in k.extra.get("subconditions", {}).items():
        terms = compile_terms(sub["terms"])
        specific = compile_terms(sub["specific"])
        mentions = facts.asserted(terms)
        if not mentions:
            continue
        if any(_in_window(facts, specific, m, 15, 20) for m in mentions):
            continue
        builder = _Builder(facts, k)
        hit = False
        for rule in sub["indicators"]:
            analyte, op, threshold = re.match(r"(\w+)([<>])([\d.]+)", rule).groups()
            limit = float(threshold)
            test = (lambda v, limit=limit: v < limit) if op == "<" else (lambda v, limit=limit: v > limit)
            values = facts.values(analyte)
            if analyte == "temperature":  # thresholds are in Celsius; notes dictate either scale
                values = [m for m in values if test(round(m.celsius, 1))]
            else:
                values = _abnormal(values, test)
            for m in values[:2]:
                builder.measurement(m)
                hit = True
        for sign in facts.asserted(compile_terms(sub.get("indicator_terms", [])))[:1]:
            builder.span(sign.start, sign.end)
            hit = True
        treatments = _treatments(facts, sub["treatments"])
        # Several treatment classes at once (an antibiotic and a systemic steroid) are themselves
        # the indicator that the condition was acute.
        classes = sub.get("indicator_treatment_classes")
        if classes and len({t.kind for t in treatments}) >= classes:
            hit = True
        needed = sub.get("treatments_all", [])
        if needed:
            hit = all(_treatments(facts, (kind,)) for kind in needed)
        if name == "blood_loss_anemia" and treatments:
            hit = True  # "blood loss anemia" documented and followed: only the acuity is missing
        if not (hit and treatments):
            continue
        builder.span(mentions[0].start, mentions[0].end)
        for t in treatments[:2]:
            builder.span(t.start, t.end)
        findings.append(builder.finding(0.6, f"{name.replace('_', ' ')} documented without acuity or type"))
        break  # one (category, condition) pair per note
    return findings


_STAGE_NEAR = re.compile(
    r"stage\s*(?:[1-5]|i{1,3}|iv|v)[ab]?\b|\bckd\s*(?:[1-5]|i{1,3}|iv|v)[ab]?\b|esrd|end[- ]stage|"
    r"(?:stage|grade)\s+(?:one|two|three|four|five)|\bg[1-5][ab]?\b",
    re.IGNORECASE,
)


def _ckd_stage(facts: NoteFacts, k: ConditionKnowledge) -> list[GapFinding]:
    mentions = _documented(facts, k)
    if not mentions or _structurally_documented_specific(facts, k):
        return []
    for mention in mentions:
        start = max(0, mention.start - 40)
        end = min(len(facts.text), mention.end + 40)
        if _STAGE_NEAR.search(facts.text[start:end]):
            return []
    if facts.asserted(compile_terms([r"esrd", r"end[- ]stage renal", r"end[- ]stage kidney"])):
        return []
    gfr = [m for m in facts.values("gfr") if m.start >= 0 or m.value]
    dialysis = _treatments(facts, ("dialysis",))
    if not (gfr or dialysis):
        return []
    builder = _Builder(facts, k)
    builder.span(mentions[0].start, mentions[0].end)
    for m in gfr[:2]:
        builder.measurement(m)
    for t in dialysis[:1]:
        builder.span(t.start, t.end)
    return [
        builder.finding(
            0.8, "CKD documented without stage; GFR or dialysis in the note", documented_code="N18.9"
        )
    ]


_INTAKE = compile_terms(
    [
        r"(?:poor|decreased|diminished|loss of|no|improving|increased (?:his |her )?)\s*appetite",
        r"(?:poor|decreased|inadequate|minimal) (?:oral |po )?intake",
        r"eating (?:poorly|little|some)",
        r"cachexia",
        r"cachectic",
        r"muscle wasting",
        r"prealbumin",
        r"albumin",
    ]
)


# A malnutrition named as the object of its own correction ("to reverse the malnutrition", "correct
# his malnutrition") or as a definite state ("the malnutrition state of this boy", "her malnourished
# status") is a present condition even inside a plan's "we would start ...": reversing presupposes it
# exists. Prevention, risk and avoidance ("to prevent malnutrition", "at risk of") stay hypothetical.
_CORRECTING_BEFORE = re.compile(
    r"\b(?:revers|correct|treat|address|manag|improv|combat|replet)\w*\s+(?:the\s+|his\s+|her\s+|their\s+|this\s+|its\s+)?$",
    re.IGNORECASE,
)
_DEFINITE_BEFORE = re.compile(r"\b(?:the|his|her|their|this|its)\s+$", re.IGNORECASE)
_STATE_AFTER = re.compile(r"^\s+(?:state|status|condition)\b", re.IGNORECASE)
_PREVENTION_BEFORE = re.compile(
    r"\b(?:prevent\w*|avoid\w*|risk|risks|at\s+risk|precaution\w*|if|should)\b", re.I
)


def _presupposed_malnutrition(facts: NoteFacts, k: ConditionKnowledge) -> list[Mention]:
    out = []
    for m in facts.mentions(k.documenting, chronic=k.chronic):
        ctx = m.context
        if not ctx.hypothetical or ctx.negated or ctx.family or ctx.historical or ctx.uncertain:
            continue
        sentence_start, sentence_end = facts.doc.sentence(m.start)
        before = facts.text[max(sentence_start, m.start - 60) : m.start]
        after = facts.text[m.end : sentence_end]
        if _PREVENTION_BEFORE.search(before[-40:]) or re.search(
            r"\b(?:if|should|unless|when)\b", after[:40], re.I
        ):
            continue
        if _CORRECTING_BEFORE.search(before) or (
            _DEFINITE_BEFORE.search(before) and _STATE_AFTER.match(after)
        ):
            out.append(Mention(m.start, m.end, m.text, replace(ctx, hypothetical=False)))
    return out


def _documented_malnutrition(facts: NoteFacts, k: ConditionKnowledge) -> list[Mention]:
    return _documented(facts, k) + _presupposed_malnutrition(facts, k)


def _malnutrition_severity(facts: NoteFacts, k: ConditionKnowledge) -> list[GapFinding]:
    mentions = _documented_malnutrition(facts, k)
    if not mentions:
        return []
    if any(_in_window(facts, k.specificity, m, 30, 15) for m in mentions):
        return []
    builder = _Builder(facts, k)
    indicators = 0
    for m in _abnormal(facts.values("bmi"), lambda v: v < 18.5) + _unintended_weight_loss(facts):
        builder.measurement(m)
        indicators += 1
    support = _treatments(facts, ("nutrition_support", "appetite_stimulant"))
    intake = facts.asserted(_INTAKE)
    for sign in intake[:1]:
        builder.span(sign.start, sign.end)
    if not (support or indicators or intake):
        return []
    builder.span(mentions[0].start, mentions[0].end)
    for t in support[:2]:
        builder.span(t.start, t.end)
    confidence = 0.8 if support else 0.6 if indicators else 0.5
    return [builder.finding(confidence, "malnutrition documented without severity", documented_code="E46")]


_WOUND_DESCRIPTION = re.compile(
    r"eschar|slough|tunnel\w*|undermin\w*|granulation|full[- ]thickness|partial[- ]thickness|exposed\s+bone|"
    r"\d+(?:\.\d+)?\s*(?:x\s*\d+(?:\.\d+)?\s*)?cm",
    re.IGNORECASE,
)


def _pressure_injury_stage(facts: NoteFacts, k: ConditionKnowledge) -> list[GapFinding]:
    mentions = _documented(facts, k)
    if not mentions:
        return []
    for mention in mentions:
        start, end = facts.doc.sentence(mention.start)
        if k.specificity is not None and k.specificity.search(facts.text[start:end]):
            return []
    care = _treatments(facts, ("wound_care",))
    described = [
        m for m in mentions if _WOUND_DESCRIPTION.search(facts.text[slice(*facts.doc.sentence(m.start))])
    ]
    if not (care or described):
        return []
    builder = _Builder(facts, k)
    builder.span(mentions[0].start, mentions[0].end)
    for t in care[:2]:
        builder.span(t.start, t.end)
    return [builder.finding(0.7, "pressure injury documented without stage", documented_code="L89.90")]


def _encephalopathy_type(facts: NoteFacts, k: ConditionKnowledge) -> list[GapFinding]:
    mentions = [m for m in facts.mentions(k.documenting) if not (m.context.negated or m.context.family)]
    mentions = [m for m in mentions if not m.context.hypothetical]
    if not mentions:
        return []
    if any(_in_window(facts, k.specificity, m, 40, 15) for m in mentions):
        return []
    builder = _Builder(facts, k)
    causes = facts.asserted(k.terms("cause_terms"))
    high = _abnormal(facts.values("ammonia"), lambda v: v > 50) + _abnormal(
        facts.values("sodium"), lambda v: v < 125
    )
    if not (causes or high):
        return []
    builder.span(mentions[0].start, mentions[0].end)
    for m in high[:2]:
        builder.measurement(m)
    for c in causes[:2]:
        builder.span(c.start, c.end)
    return [
        builder.finding(
            0.75 if high else 0.6, "encephalopathy documented without type; metabolic or toxic cause"
        )
    ]


_TREATMENT_WORDS = {
    "serial": "serial values",
}


_GENERIC_TREATMENTS = {"saline", "iv_fluids", "monitoring"}


def _threshold(facts: NoteFacts, k: ConditionKnowledge) -> list[GapFinding]:
    """Undocumented diagnosis from one analyte's threshold plus treatment or serial monitoring."""
    criterion = k.criteria[0]
    analyte = criterion.indicator
    abnormal = _abnormal(facts.values(analyte), criterion.holds)
    if not abnormal:
        return _word_stated(facts, k)
    if _documented(facts, k) or _structurally_documented(facts, k):
        return []
    kinds = [kind for kind in k.treatment_kinds if kind not in ("serial", "lab_workup")]
    treatments = _treatments(facts, kinds)
    # Saline and fluids are given for many reasons: they count only beside the value
    # (or a sentence naming the analyte); specific treatments count anywhere.
    analyte_words = re.compile(_ANALYTE_WORDS.get(analyte, analyte), re.IGNORECASE)
    treatments = [
        t
        for t in treatments
        if t.kind not in _GENERIC_TREATMENTS
        or any(_near(t.start, m.start, 250) for m in abnormal if m.start >= 0)
        or analyte_words.search(facts.text[slice(*facts.doc.sentence(t.start))])
    ]
    marked = k.extra.get("marked")
    if marked and not treatments:
        # At a marked level (e.g. sodium < 130) fluids given anywhere in the stay count.
        limit = float(marked["value"])
        test = (lambda v: v < limit) if marked["op"] == "<" else (lambda v: v > limit)
        if _abnormal(abnormal, test):
            treatments = [
                t for t in _treatments(facts, [*kinds, "iv_fluids"]) if t.kind in _GENERIC_TREATMENTS
            ]
            if treatments:
                builder = _Builder(facts, k)
                for m in abnormal[:3]:
                    builder.measurement(m)
                builder.span(treatments[0].start, treatments[0].end)
                return [
                    builder.finding(
                        0.6,
                        f"{analyte} {marked['op']} {limit:g} ({marked['source']}) with fluids given; "
                        "diagnosis not documented",
                    )
                ]
    serial = _serial(facts, analyte, criterion.holds) if "serial" in k.treatment_kinds else []
    # A work-up of the abnormal labs counts as monitoring does (the note names no treatment).
    if "lab_workup" in k.treatment_kinds and not serial:
        serial = [Span(t.start, t.end, t.text) for t in _treatments(facts, ("lab_workup",))]
    structured = facts.has_structured_treatment(kinds)
    builder = _Builder(facts, k)
    for m in abnormal[:3]:
        builder.measurement(m)
    if not (treatments or serial or structured):
        # Indicator without evidence that it mattered: below the threshold, kept as a
        # weak candidate the model may still score.
        return [builder.finding(WEAK, f"{analyte} beyond threshold without treatment or monitoring")]
    for t in treatments[:2]:
        builder.span(t.start, t.end)
    for s in serial[:2]:
        builder.span(s.start, s.end)
    confidence = 0.8 if (treatments or structured) else 0.6
    return [
        builder.finding(
            confidence,
            f"{analyte} {criterion.op} {criterion.value:g} {criterion.unit} ({criterion.source}) "
            f"with {'treatment' if treatments or structured else 'serial monitoring'}; diagnosis not documented",
        )
    ]


def _word_stated(facts: NoteFacts, k: ConditionKnowledge) -> list[GapFinding]:
    """No value in the note, but the abnormality stated in words ("low blood counts requiring
    platelet transfusion") with a treatment specific to it."""
    words = [
        m for m in facts.asserted(k.terms("word_indicators")) if m.context.section != "review_of_systems"
    ]
    if not words or _documented(facts, k) or _structurally_documented(facts, k):
        return []
    treatments = _treatments(facts, k.extra.get("word_treatments", []))
    if not treatments:
        return []
    builder = _Builder(facts, k)
    builder.span(words[0].start, words[0].end)
    builder.span(treatments[0].start, treatments[0].end)
    return [
        builder.finding(0.6, f"{words[0].text} stated in words with a specific treatment; not documented")
    ]


_HISTORY_OR_ROS = (
    "past_medical_history",
    "surgical_history",
    "family_history",
    "social_history",
    "review_of_systems",
)
_SURGICAL_ONLY = re.compile(r"estimated|ebl|post-?op", re.IGNORECASE)
_OPERATION = re.compile(OPERATIONS_AND_INJURIES, re.IGNORECASE)  # an operation alone is not a bleed


def _blood_loss_anemia(facts: NoteFacts, k: ConditionKnowledge) -> list[GapFinding]:
    if _documented(facts, k) or _structurally_documented(facts, k):
        return []
    hb = facts.values("hemoglobin")
    hct = facts.values("hematocrit")
    low = _abnormal(hb, lambda v: v < 10) + _abnormal(hct, lambda v: v < 30)
    drops = [m for m in hb if m.series and -m.change >= 2] + [m for m in hct if m.series and -m.change >= 6]
    # Separate values in document order ("13.1 on admission ... 10.9 at discharge").
    in_note = [m for m in hb if m.start >= 0]
    if not drops and len(in_note) >= 2 and round(in_note[0].value - in_note[-1].value, 3) >= 2:
        drops = [in_note[0], in_note[-1]]
    bleeding = facts.given(("surgery_or_bleeding",))
    if not (low or drops):
        if [m for m in hb + hct if m.start >= 0]:
            return []  # values in the note that are not low: the anemia is not shown
        # No value in the note: red cells transfused for a bleed still show the anemia mattered.
        platelets = facts.given(("platelet_transfusion",))
        transfused = [
            t
            for t in _treatments(facts, ("transfusion",))
            if not any(p.start <= t.start < p.end or t.start <= p.start < t.end for p in platelets)
        ]
        bleeds = [b for b in bleeding if not (_SURGICAL_ONLY.match(b.text) or _OPERATION.fullmatch(b.text))]
        # Without a value, the bleed and the transfusion must be this stay's: a "liver hematoma" and
        # "multiple blood transfusions" listed in the past history or the review of systems are not.
        transfused = [t for t in transfused if facts.context(t.start, t.end).section not in _HISTORY_OR_ROS]
        bleeds = [b for b in bleeds if facts.context(b.start, b.end).section not in _HISTORY_OR_ROS]
        if not (transfused and bleeds):
            return []
        builder = _Builder(facts, k)
        builder.span(bleeds[0].start, bleeds[0].end)
        builder.span(transfused[0].start, transfused[0].end)
        return [builder.finding(0.6, "red cells transfused for bleeding; no anemia documented")]
    if not bleeding:
        builder = _Builder(facts, k)
        for m in (drops + low)[:2]:
            builder.measurement(m)
        return [builder.finding(WEAK, "low or falling hemoglobin without bleeding or surgery")]
    transfusion = _treatments(facts, ("transfusion",))
    serial = _serial(facts, "hemoglobin") or [Span(m.start, m.end, m.text) for m in hct if m.series]
    iron = _treatments(facts, ("iron_therapy",))
    if not (transfusion or serial or iron):
        return []
    builder = _Builder(facts, k)
    for m in (drops + low)[:3]:
        builder.measurement(m)
    builder.span(bleeding[0].start, bleeding[0].end)
    for t in (transfusion or iron)[:1]:
        builder.span(t.start, t.end)
    confidence = 0.8 if transfusion else 0.6 if serial else 0.5
    return [builder.finding(confidence, "falling or low hemoglobin with bleeding, transfused or monitored")]


_BASELINE = re.compile(
    r"baseline\s+(?:creatinine|cr)?\s*(?:of|is|was|around|about|:)?\s*(\d+(?:\.\d+)?)", re.IGNORECASE
)


_CHRONIC_BEFORE = re.compile(r"chronic\s*$", re.IGNORECASE)


def _aki(facts: NoteFacts, k: ConditionKnowledge) -> list[GapFinding]:
    # "chronic renal insufficiency" names CKD, not an acute injury.
    documented = [
        m
        for m in _documented(facts, k)
        if not (
            _CHRONIC_BEFORE.search(facts.text[max(0, m.start - 25) : m.start])
            and "acute" not in facts.text[max(0, m.start - 25) : m.start].lower()
        )
    ]
    if documented or _structurally_documented(facts, k):
        return []
    rises = [
        m
        for m in facts.values("creatinine")
        if m.series and (m.change >= 0.3 or m.value >= 1.5 * max(m.first, 0.1))
    ]
    rises = [m for m in rises if m.value > m.first]
    # Recovery: a fall to two-thirds or less of an elevated value (KDIGO's 1.5x, read backwards
    # from the recovered baseline).
    rises += [
        m for m in facts.values("creatinine") if m.series and m.first >= 1.3 and m.first >= 1.5 * m.value
    ]
    if not rises:
        baseline = _BASELINE.search(facts.text)
        if baseline:
            base = float(baseline.group(1))
            rises = [
                m for m in facts.values("creatinine") if m.start >= 0 and m.value - base >= 0.3 and base > 0
            ]
    if not rises:
        return []
    treatments = _treatments(facts, k.treatment_kinds)
    builder = _Builder(facts, k)
    for m in rises[:2]:
        builder.measurement(m)
    if not treatments:
        return [builder.finding(WEAK, "creatinine rise without renal management")]
    for t in treatments[:2]:
        builder.span(t.start, t.end)
    return [builder.finding(0.8, "creatinine rise meeting KDIGO with renal management; AKI not documented")]


_BLOODSTREAM = compile_terms(
    [
        r"bacter[ae]mias?",
        r"fung[ae]mias?",
        r"candid[ae]mias?",
        r"positive\s+blood\s+cultures?",
        r"blood\s+(?:and\s+\w+\s+)?cultures?\s+(?:were|was|are|is|came\s+back|returned)\s+positive",
    ]
)


def _sepsis(facts: NoteFacts, k: ConditionKnowledge) -> list[GapFinding]:
    documented = [m for m in _documented(facts, k) if not _not_sepsis(facts, m)]
    if documented or _structurally_documented(facts, k):
        return []
    # A bloodstream infection (a bacteremia, or blood cultures reported positive) is a confirmed
    # infection: it needs no stated antibiotic to show that it mattered (a positive blood culture
    # is always acted on), and it is the infection a query cites.
    bloodstream = [m for m in facts.asserted(_BLOODSTREAM) if not m.context.uncertain]
    all_infections = facts.asserted(k.terms("infection_terms"))
    infections = bloodstream[:1] + [m for m in all_infections if not m.context.uncertain]
    suspected_only = not infections
    infections = infections or all_infections
    if not infections:
        return []
    pediatric = _is_pediatric(facts.text)
    antibiotics = _treatments(facts, ("antibiotic",))
    if not (antibiotics or bloodstream or facts.has_structured_treatment(("antibiotic",))):
        return []
    builder = _Builder(facts, k)
    criteria: set[str] = set()
    for m in facts.values("temperature"):
        if m.celsius > 38 or m.celsius < 36:
            criteria.add("temperature")
            builder.measurement(m)
    for m in [] if pediatric else facts.values("heart_rate"):
        if m.value > 90:
            criteria.add("heart_rate")
            builder.measurement(m)
    for m in [] if pediatric else facts.values("respiratory_rate"):
        if m.value > 20:
            criteria.add("respiratory_rate")
            builder.measurement(m)
    for m in facts.values("wbc"):
        if m.value > 12 or m.value < 4 or any(v > 12 for v in m.series):
            criteria.add("wbc")
            builder.measurement(m)
    for name, terms in k.extra.get("sirs_terms", {}).items():
        if pediatric and name in ("heart_rate", "respiratory_rate"):
            continue
        # A SIRS criterion in words must be a definite finding: a hedged one ("may have had a
        # fever", "possible tachycardia") is not. (A "low-grade fever" still counts: an
        # expert-labelled sepsis on cdi-dev rests on one beside a leukocytosis.)
        for mention in facts.asserted(compile_terms(terms)):
            if mention.context.section == "review_of_systems" or mention.context.uncertain:
                continue
            criteria.add(name)
            builder.span(mention.start, mention.end)
            break
    organ = []
    organ += [m for m in facts.values("lactate") if m.value > 2]
    pressors = _treatments(facts, ("vasopressor",))
    # Hypotension (SBP < 90 or MAP < 65, Surviving Sepsis) is organ dysfunction when it was treated
    # with fluids or pressors and the infection already meets a SIRS criterion.
    hypotension = _abnormal(facts.values("sbp"), lambda v: v < 90) + _abnormal(
        facts.values("map"), lambda v: v < 65
    )
    fluids = _treatments(facts, ("iv_fluids", "saline"))
    if hypotension and criteria and (fluids or pressors):
        organ += hypotension[:1]
        if fluids and not pressors:
            builder.span(fluids[0].start, fluids[0].end)
    # SOFA values (creatinine, platelets, bilirubin), for an infection that is a current problem of
    # this encounter (in the assessment or the chief complaint), are organ dysfunction that raises
    # the confidence of a SIRS picture; beside one SIRS criterion alone they raised a false alarm
    # on the expert-labelled set (an outpatient's chronic values), so they do not make a query alone.
    current = any(m.context.section in ("assessment", "chief_complaint") for m in infections)
    sofa = _sofa_organ_dysfunction(facts, k) if criteria and current else []
    for m in organ:
        builder.measurement(m)
    septic_like = facts.asserted(k.terms("septic_like_terms"))
    for t in pressors[:1]:
        builder.span(t.start, t.end)
    for s in septic_like[:1]:
        builder.span(s.start, s.end)
    # Tachycardia and tachypnoea alone have too many other causes (arrhythmia, pain, COPD):
    # two SIRS criteria must include temperature or white count.
    sirs = len(criteria) >= 2 and bool(criteria & {"temperature", "wbc"})
    if suspected_only and len(criteria) < 3:
        sirs = False  # a suspected infection needs the stronger picture
    if not sirs and not (organ or pressors or septic_like):
        if not criteria:
            return []
        builder.span(infections[0].start, infections[0].end)
        return [builder.finding(WEAK, f"treated infection with {len(criteria)} SIRS criteria")]
    builder.span(infections[0].start, infections[0].end)
    builder.span(antibiotics[0].start, antibiotics[0].end) if antibiotics else None
    for m in sofa:
        builder.measurement(m)
    confidence = 0.55
    if (sirs and len(criteria) >= 3) or (sirs and (organ or pressors or sofa)):
        confidence = 0.85
    elif sirs or septic_like or pressors:
        confidence = 0.7
    elif organ:
        confidence = 0.55
    return [
        builder.finding(
            confidence,
            f"infection treated with antibiotics; {len(criteria)} SIRS criteria"
            f"{', organ dysfunction' if organ or pressors or sofa else ''}; sepsis not documented",
        )
    ]


_PAST_SECTIONS = ("past_medical_history", "surgical_history", "family_history", "social_history")


def _current_value(facts: NoteFacts, m: Measurement) -> bool:
    """A value of this stay: not in a history section, not negated, historical or a family member's."""
    ctx = facts.context(m.start, m.end)
    return ctx.section not in _PAST_SECTIONS and not (ctx.negated or ctx.historical or ctx.family)


def _sofa_organ_dysfunction(facts: NoteFacts, k: ConditionKnowledge) -> list[Measurement]:
    """Values at a SOFA 2-point threshold (kb criteria of the indicators in ``sofa_indicators``),
    for organs whose chronic dysfunction the note does not document (Sepsis-3 assumes a zero
    baseline only where no pre-existing dysfunction is known)."""
    found: list[Measurement] = []
    chronic = k.extra.get("sofa_chronic_terms", {})
    for criterion in k.criteria:
        if criterion.indicator not in k.extra.get("sofa_indicators", ()):
            continue
        hits = [
            m
            for m in _abnormal(facts.values(criterion.indicator), criterion.holds)
            if m.start < 0 or _current_value(facts, m)
        ]
        terms = chronic.get(criterion.indicator)
        if hits and terms and facts.asserted(compile_terms(terms), chronic=True):
            continue
        found += hits[:1]
    return found


def _respiratory(facts: NoteFacts, k: ConditionKnowledge) -> list[GapFinding]:
    if _documented(facts, k) or _structurally_documented(facts, k):
        return []
    indicators = [m for m in facts.values("spo2") if m.value < 91 and m.qualifier in (None, "room air")]
    indicators += [m for m in facts.values("pao2") if m.value < 60]
    if not _is_pediatric(facts.text):  # newborn and infant rates run far above 28
        indicators += [m for m in facts.values("respiratory_rate") if m.value > 28]
    signs = facts.asserted(k.terms("indicator_terms"))
    if not (indicators or signs):
        return []
    support = _treatments(facts, ("high_flow_oxygen", "bipap", "intubation"))
    if not support:
        return _hypoxemia_with_distress(facts, k, signs + facts.asserted(k.terms("distress_terms")))
    builder = _Builder(facts, k)
    for m in indicators[:2]:
        builder.measurement(m)
    for s in signs[:1]:
        builder.span(s.start, s.end)
    builder.span(support[0].start, support[0].end)
    return [
        builder.finding(
            0.75 if indicators else 0.5,
            "hypoxia/hypercapnia or distress with ventilatory support; respiratory failure not documented",
        )
    ]


def _hypoxemia_with_distress(
    facts: NoteFacts, k: ConditionKnowledge, signs: list[Mention]
) -> list[GapFinding]:
    """Pinson's clinical criteria without the support: hypoxemia measured on room air (SpO2 < 91 %
    or PaO2 < 60) with two different signs of respiratory distress in an adult. The distress is
    the evidence that the hypoxemia mattered; a saturation alone, or one taken on oxygen, is not.
    Children are left to the support rule: low saturations in asthma and bronchiolitis are common
    and answer to low-flow oxygen."""
    if _is_pediatric(facts.text):
        return []
    hypoxemia = [m for m in facts.values("spo2") if m.value < 91 and m.qualifier == "room air"]
    hypoxemia += [m for m in facts.values("pao2") if m.value < 60]
    if not hypoxemia:
        return []
    distress = {
        re.sub(r"\s+", " ", s.text.lower()): s for s in signs if s.context.section != "review_of_systems"
    }
    tachypnea = [m for m in facts.values("respiratory_rate") if m.value > 28]
    if len(distress) + (1 if tachypnea else 0) < 2:
        return []
    builder = _Builder(facts, k)
    for m in hypoxemia[:2] + tachypnea[:1]:
        builder.measurement(m)
    for sign in list(distress.values())[:2]:
        builder.span(sign.start, sign.end)
    return [
        builder.finding(
            0.55,
            "hypoxemia on room air with signs of respiratory distress; respiratory failure not documented",
        )
    ]


_INTENTIONAL = re.compile(
    r"program|diet\b|dieting|weight\s+watcher|surgery|surgical|bariatric|intentional|exercise|tried|"
    r"slim|atkins|redux|phentermine|goal|gained|regain\w*|"
    # a planned loss: a target set before an operation or by a meal-replacement plan is intended
    # ("six weeks of Medifast to obtain a 10% preoperative weight loss"), not a malnutrition sign
    r"pre-?\s?op\w*|pre-?\s?surg\w*|obtain|achieve|target|planned|recommend\w*|medifast|optifast|"
    r"meal\s+replacement|(?:very\s+)?low[- ]calorie",
    re.IGNORECASE,
)


def _unintended_weight_loss(facts: NoteFacts) -> list[Measurement]:
    """Significant weight loss that is not the result of dieting or weight-loss surgery."""
    out = []
    for m in facts.values("weight_loss"):
        significant = (
            (m.unit == "lb" and m.value >= 10)
            or (m.unit == "kg" and m.value >= 5)
            or (m.unit == "%" and m.value >= 5)
        )
        if not significant or m.start < 0:
            continue
        start, end = facts.doc.sentence(m.start)
        if _INTENTIONAL.search(facts.text[start:end]):
            continue
        out.append(m)
    return out


def _characteristics(facts: NoteFacts, k: ConditionKnowledge, signs: list[Mention]) -> set[str]:
    """The distinct ASPEN/AND characteristics a note's indicators stand for: energy intake (poor
    appetite or intake, kb intake_terms), weight (a measured loss, a BMI under 18.5), and each other
    sign (wasting, fat or muscle loss...) as its own."""
    intake = k.terms("intake_terms")
    kinds = set()
    for m in signs:
        if intake and intake.fullmatch(m.text):
            kinds.add("intake")
        else:
            kinds.add(re.sub(r"[\s-]+", " ", m.text.lower()))
    if _abnormal(facts.values("bmi"), lambda v: v < 18.5) or _unintended_weight_loss(facts):
        kinds.add("weight")
    return kinds


def _malnutrition(facts: NoteFacts, k: ConditionKnowledge) -> list[GapFinding]:
    if _documented_malnutrition(facts, k) or _structurally_documented(facts, k):
        return []
    builder = _Builder(facts, k)
    count = 0
    for m in _abnormal(facts.values("bmi"), lambda v: v < 18.5):
        builder.measurement(m)
        count += 1
    for m in _unintended_weight_loss(facts):
        builder.measurement(m)
        count += 1
    signs = [
        m for m in facts.asserted(k.terms("indicator_terms")) if m.context.section != "review_of_systems"
    ]
    for sign in signs[:2]:
        builder.span(sign.start, sign.end)
        count += 1
    support = _treatments(facts, ("nutrition_support",))
    # An appetite stimulant treats anorexia; it is a nutrition intervention for a malnutrition query
    # only where the note holds two different ASPEN/AND characteristics (White et al. 2012: two of
    # six), not poor appetite or intake alone.
    if not support and len(_characteristics(facts, k, signs)) >= 2:
        support = _treatments(facts, ("appetite_stimulant",))
    # Low albumin (a word or a value under 3.0 g/dL) only supports: it counts beside another
    # indicator or with tube or parenteral feeding, never with a dietitian visit alone.
    supporting = [
        m for m in facts.asserted(k.terms("supporting_terms")) if m.context.section != "review_of_systems"
    ]
    low_albumin = _abnormal(facts.values("albumin"), lambda v: v < 3.0)
    if (supporting or low_albumin) and (count or _treatments(facts, ("nutrition_route",))):
        for m in low_albumin[:1]:
            builder.measurement(m)
        for sign in supporting[: 0 if low_albumin else 1]:
            builder.span(sign.start, sign.end)
        count += 1
    if not support:
        return _assessed_growth_or_nutrition_problem(facts, k) or _presenting_weight_loss(facts, k, signs)
    if not count:
        return []
    for t in support[:2]:
        builder.span(t.start, t.end)
    return [
        builder.finding(
            0.75 if count >= 2 else 0.55,
            "nutrition indicators with nutrition intervention; no malnutrition diagnosis",
        )
    ]


def _assessed_growth_or_nutrition_problem(facts: NoteFacts, k: ConditionKnowledge) -> list[GapFinding]:
    """No intervention stated, but the provider assesses a nutrition or growth problem (failure to
    thrive, poor weight gain, a weight below the 5th percentile...) as a reason for the encounter
    or in the assessment, and the note holds a second, different ASPEN indicator: the assessed
    problem is the evidence that it mattered."""
    signs = [
        m for m in facts.asserted(k.terms("indicator_terms")) if m.context.section != "review_of_systems"
    ]
    signs += [m for m in facts.asserted(k.terms("growth_terms")) if m.context.section != "review_of_systems"]
    assessed = [m for m in signs if m.context.section in ("assessment", "chief_complaint")]
    kinds = {re.sub(r"[\s-]+", " ", m.text.lower()) for m in signs}
    kinds |= {"bmi"} if _abnormal(facts.values("bmi"), lambda v: v < 18.5) else set()
    kinds |= {"weight loss"} if _unintended_weight_loss(facts) else set()
    if not assessed or len(kinds) < 2:
        return []
    builder = _Builder(facts, k)
    builder.span(assessed[0].start, assessed[0].end)
    for m in [
        m
        for m in signs
        if re.sub(r"[\s-]+", " ", m.text.lower()) != re.sub(r"[\s-]+", " ", assessed[0].text.lower())
    ][:2]:
        builder.span(m.start, m.end)
    return [
        builder.finding(
            0.55, "assessed growth or nutrition problem with a second indicator; no malnutrition diagnosis"
        )
    ]


_NOT_PRESENTING = (
    "review_of_systems",
    "past_medical_history",
    "surgical_history",
    "family_history",
    "social_history",
)


def _presenting_weight_loss(
    facts: NoteFacts, k: ConditionKnowledge, signs: list[Mention]
) -> list[GapFinding]:
    """No intervention stated, but an adult presents with a significant unintended weight loss (a
    measured ASPEN/AND characteristic, not in a history section or the review of systems) and a
    body finding beside it: a BMI under 18.5 (stated or calculated) or wasting, fat or muscle loss.
    The work-up of the presenting weight loss is the evidence that it mattered. Poor appetite or
    intake beside the loss is not enough here (cdi-extra labels a 20-lb loss with anorexia, worked
    up as adrenal insufficiency, as no gap)."""
    if _is_pediatric(facts.text):
        return []
    losses = [
        m
        for m in _unintended_weight_loss(facts)
        if facts.context(m.start, m.end).section not in _NOT_PRESENTING
    ]
    if not losses:
        return []
    others = _characteristics(facts, k, [m for m in signs if m.context.section not in _NOT_PRESENTING])
    if not (others - {"weight", "intake"}) and not _abnormal(facts.values("bmi"), lambda v: v < 18.5):
        return []
    builder = _Builder(facts, k)
    builder.measurement(losses[0])
    for m in _abnormal(facts.values("bmi"), lambda v: v < 18.5)[:1]:
        builder.measurement(m)
    for m in [m for m in signs if m.context.section not in _NOT_PRESENTING][:2]:
        builder.span(m.start, m.end)
    return [
        builder.finding(
            0.55,
            "presenting unintended weight loss with a second ASPEN characteristic; no malnutrition diagnosis",
        )
    ]


# Altered-mentation phrases that carry their own negation word ("not oriented", "unable to arouse").
_NEGATIVE_AMS = re.compile(
    r"\b(?:not|poorly|less|un)\s*(?:oriented|arousable|responsive)|\bunable\s+to\s+(?:arouse|follow)|"
    r"\bnon-?responsive",
    re.IGNORECASE,
)


_ATTRIBUTION = re.compile(r"\b(?:secondary\s+to|due\s+to|related\s+to|caused\s+by|attributed\s+to)\b", re.I)


def _ams_mentions(facts: NoteFacts, k: ConditionKnowledge) -> list[Mention]:
    """Altered mental status observed in this encounter.

    A review-of-systems line counts when it reports what the examiner saw ("not obtainable as the
    patient is drowsy and confused"); a negation that is only the AMS phrase itself ("not oriented
    and is quite confused") does not negate the next finding.
    """
    observed = k.terms("ros_observed_terms")
    out = []
    for m in facts.mentions(k.terms("ams_terms")):
        ctx = m.context
        if ctx.hypothetical or ctx.historical or ctx.family:
            continue
        sentence_start, _ = facts.doc.sentence(m.start)
        before = facts.text[sentence_start : m.start]
        if ctx.negated:
            cleaned = _NEGATIVE_AMS.sub(" ", before)
            if observed is not None:
                cleaned = observed.sub(" ", cleaned)  # "not obtainable as the patient is confused"
            if NEGATION_PRE.search(" ".join(cleaned.split()[-10:])):
                continue
        if ctx.section == "review_of_systems":
            sentence = facts.text[slice(*facts.doc.sentence(m.start))]
            if observed is None or not observed.search(sentence):
                continue
        out.append(m)
    return out


def _cause_values(facts: NoteFacts, k: ConditionKnowledge) -> list[Measurement]:
    out: list[Measurement] = []
    for raw in k.extra.get("cause_values", []):
        limit = float(raw["value"])
        test = (lambda v, limit=limit: v < limit) if raw["op"] == "<" else (lambda v, limit=limit: v > limit)
        out += _abnormal(facts.values(raw["indicator"]), test)
    return out


_OTHER_INDICATION = re.compile(
    r"\b(?:insomnia|sleep\w*|moods?|depress\w*|bipolar|schizo\w*|psychos[ie]s|psychotic|anxiety)\b",
    re.IGNORECASE,
)


def _encephalopathy(facts: NoteFacts, k: ConditionKnowledge) -> list[GapFinding]:
    if _documented(facts, k) or _structurally_documented(facts, k):
        return []
    ams = _ams_mentions(facts, k)
    if not ams:
        return []
    values = _cause_values(facts, k)
    # The cause must be discussed near the altered mentation; a cause elsewhere in a long
    # note (and "confusion" in another sense) is not a link a query could cite.
    # A cause stated as the reason for the encounter or in the assessment applies to the whole note.
    causes = [
        c
        for c in facts.asserted(k.terms("cause_terms"))
        if any(_near(c.start, a.start, 600) for a in ams)
        or c.context.section in ("chief_complaint", "assessment")
    ]
    # Where the provider attributes the altered mentation ("likely secondary to medications"),
    # only a cause in that statement counts.
    attributed = [a for a in ams if _ATTRIBUTION.search(facts.text[a.end : facts.doc.sentence(a.start)[1]])]
    if attributed and len(attributed) == len(ams):
        bounds = [facts.doc.sentence(a.start) for a in attributed]
        causes = [c for c in causes if any(lo <= c.start < hi for lo, hi in bounds)]
    if not (causes or values):
        return []
    # An antipsychotic prescribed for a stated other purpose (sleep, mood, a psychosis) does not
    # treat the altered mentation, wherever else the note lists the same drug.
    treatments = _treatments(facts, k.treatment_kinds)
    other_purpose = {
        t.text.lower()
        for t in treatments
        if t.kind == "antipsychotic"
        and _OTHER_INDICATION.search(facts.text[slice(*facts.doc.sentence(t.start))])
    }
    treatments = [
        t for t in treatments if not (t.kind == "antipsychotic" and t.text.lower() in other_purpose)
    ]
    if not treatments:
        return _admitted_for_ams_and_cause(facts, k, ams, causes)
    builder = _Builder(facts, k)
    builder.span(ams[0].start, ams[0].end)
    for m in values[:2]:
        builder.measurement(m)
    for c in causes[:1]:
        builder.span(c.start, c.end)
    builder.span(treatments[0].start, treatments[0].end)
    return [
        builder.finding(
            0.55, "altered mental status with a metabolic/toxic cause, treated; no encephalopathy"
        )
    ]


_ADMITTED_FOR = re.compile(
    r"\b(?:admitted|admission|hospitali[sz]ed|hospitali[sz]ation)\b[^.;]{0,60}?\b(?:with|for|because\s+of|due\s+to)\b",
    re.IGNORECASE,
)


def _admitted_for_ams_and_cause(
    facts: NoteFacts, k: ConditionKnowledge, ams: list[Mention], causes: list[Mention]
) -> list[GapFinding]:
    """No treatment stated, but the altered mentation and its metabolic or toxic cause are together
    the reason for the admission ("admitted with profound hyponatremia and mental status changes"):
    the stay is the evidence that it mattered (UHDDS)."""
    for a in ams:
        lo, hi = facts.doc.sentence(a.start)
        admitted = _ADMITTED_FOR.search(facts.text, lo, hi)
        if not admitted or admitted.start() > a.start:
            continue
        cause = next((c for c in causes if lo <= c.start < hi and c.start > admitted.start()), None)
        if cause is None:
            continue
        builder = _Builder(facts, k)
        builder.span(admitted.start(), admitted.end())
        builder.span(a.start, a.end)
        builder.span(cause.start, cause.end)
        return [
            builder.finding(
                0.55, "admitted for altered mental status with a metabolic/toxic cause; no encephalopathy"
            )
        ]
    return []


def _obesity(facts: NoteFacts, k: ConditionKnowledge) -> list[GapFinding]:
    if _documented(facts, k) or _structurally_documented(facts, k):
        return []
    bmi = [m for m in facts.values("bmi") if m.value >= 35]
    if not bmi:
        return []
    builder = _Builder(facts, k)
    top = max(bmi, key=lambda m: m.value)
    builder.measurement(top)
    if top.value >= 40:
        confidence = 0.8
    else:
        # A BMI calculated from a (often self-reported) height and weight decides only away from
        # the class boundaries: at 35-40 the comorbidity branch needs a stated BMI.
        if top.derivation:
            return [builder.finding(WEAK, "calculated BMI 35-40; the comorbidity branch needs a stated BMI")]
        comorbid = facts.asserted(k.terms("comorbidity_terms"))
        if not comorbid:
            return [builder.finding(WEAK, "BMI 35-40 without a documented comorbidity")]
        builder.span(comorbid[0].start, comorbid[0].end)
        confidence = 0.55
    bmi_code = _z68(top.value)
    codes = ["E66.01"] + ([bmi_code] if bmi_code else [])
    return [
        builder.finding(
            confidence, "BMI recorded as a number only; morbid obesity not documented", codes=codes
        )
    ]


def _z68(bmi: float) -> str | None:
    if bmi >= 70:
        return "Z68.45"
    if bmi >= 60:
        return "Z68.44"
    if bmi >= 50:
        return "Z68.43"
    if bmi >= 45:
        return "Z68.42"
    if bmi >= 40:
        return "Z68.41"
    if bmi >= 35:
        return "Z68.35" if bmi < 36 else f"Z68.{int(bmi)}" if bmi < 40 else None
    return None


def _lactic_acidosis(facts: NoteFacts, k: ConditionKnowledge) -> list[GapFinding]:
    high = [m for m in facts.values("lactate") if m.value > 2]
    if not high:
        return []
    if _documented(facts, k) or _structurally_documented(facts, k):
        return []
    sepsis_k = default_knowledge().get("undocumented_diagnosis", "sepsis")
    if facts.asserted(sepsis_k.terms("infection_terms")):
        return []  # with an infection the lactate is a sepsis indicator instead
    treatments = _treatments(facts, k.treatment_kinds)
    if not treatments:
        return []
    builder = _Builder(facts, k)
    for m in high[:2]:
        builder.measurement(m)
    builder.span(treatments[0].start, treatments[0].end)
    return [builder.finding(0.6, "lactate above 2 treated; no lactic acidosis or sepsis documented")]


def _pressure_injury(facts: NoteFacts, k: ConditionKnowledge) -> list[GapFinding]:
    if _documented(facts, k) or _structurally_documented(facts, k):
        return []
    stage = re.compile(k.extra["stage_pattern"], re.IGNORECASE)
    site = re.compile(k.extra["site_pattern"], re.IGNORECASE)
    wound = re.compile(r"ulcer|wound|lesion|injury|breakdown|sore", re.IGNORECASE)
    for match in stage.finditer(facts.text):
        start, end = facts.doc.sentence(match.start())
        sentence = facts.text[start:end]
        if site.search(sentence) and wound.search(sentence):
            ctx = facts.context(match.start(), match.end())
            if not ctx.asserted:
                continue
            builder = _Builder(facts, k)
            builder.span(start, end)
            return [builder.finding(0.6, "staged wound at a pressure site described; no provider diagnosis")]
    return []


_RULES: dict[str, Callable[[NoteFacts, ConditionKnowledge], list[GapFinding]]] = {
    "organism": _organism_rule,
    "other_acuity": _other_acuity,
    "blood_loss_anemia": _blood_loss_anemia,
    "aki": _aki,
    "sepsis": _sepsis,
    "respiratory": _respiratory,
    "malnutrition": _malnutrition,
    "encephalopathy": _encephalopathy,
    "obesity": _obesity,
    "lactic_acidosis": _lactic_acidosis,
    "pressure_injury": _pressure_injury,
    "threshold": _threshold,
}
_BY_CONDITION: dict[tuple[str, str], Callable[[NoteFacts, ConditionKnowledge], list[GapFinding]]] = {
    ("acuity", "heart_failure"): _heart_failure,
    ("acuity", "respiratory_failure"): _respiratory_failure,
    ("acuity", "kidney_disease"): _kidney_disease,
    ("severity", "ckd_stage"): _ckd_stage,
    ("severity", "malnutrition_severity"): _malnutrition_severity,
    ("severity", "pressure_injury_stage"): _pressure_injury_stage,
    ("severity", "encephalopathy_type"): _encephalopathy_type,
}


# --------------------------------------------------------------------------------------
# Public API


def detect_candidates(
    text: str, structured: StructuredData | None = None, kb: KnowledgeBase | None = None
) -> list[GapFinding]:
    """Every rule candidate, before any threshold (one per (category, condition))."""
    kb = kb or default_knowledge()
    facts = NoteFacts(text, structured)
    # Note types whose reports raise no query, or not this one (kb.json `note_types`, with reasons):
    # an autopsy report has no treating provider to query; a sleep study's desaturations and PAP
    # titration are sleep-disordered breathing, not acute respiratory failure.
    note_types = kb.note_types_of(text)
    found: dict[tuple[str, str], GapFinding] = {}
    for knowledge in kb.conditions:
        if any(nt.suppresses(*knowledge.key) for nt in note_types):
            continue
        rule = _BY_CONDITION.get(knowledge.key) or _RULES.get(knowledge.rule)
        if rule is None:
            continue
        for finding in rule(facts, knowledge):
            if not finding.evidence or finding.confidence < CANDIDATE_FLOOR:
                continue
            key = (finding.category, finding.condition)
            if key not in found or finding.confidence > found[key].confidence:
                found[key] = finding
    return list(found.values())


def candidate_pairs(text: str, findings: Sequence[GapFinding], max_chars: int = 900) -> list[tuple[str, str]]:
    """(candidate description, context window) for each finding: the text the model scores.

    The same function builds training pairs, so training and inference see identical inputs.
    """
    pairs = []
    for finding in findings:
        description = finding.description or f"{finding.category}: {finding.condition.replace('_', ' ')}"
        pieces: list[str] = []
        used = 0
        for span in sorted(finding.evidence, key=lambda s: s.start):
            start = max(0, span.start - 150)
            end = min(len(text), span.end + 150)
            piece = " ".join(text[start:end].split())
            if used + len(piece) > max_chars and pieces:
                break
            pieces.append(piece)
            used += len(piece)
        pairs.append((description, " ... ".join(pieces)[: max_chars + 100]))
    return pairs


def combine(rule_confidence: float, probability: float) -> float:
    return round((1 - MODEL_WEIGHT) * rule_confidence + MODEL_WEIGHT * probability, 3)


@dataclass(frozen=True)
class DecisionPolicy:
    """How the CDI adapter's probability may change what the rules decide ("gate").

    The rules decide, and the model may only (1) *veto* a rule gap whose rule confidence is
    below `strong_rule` when its probability is below `veto_below`, and (2) *raise* a rule
    candidate below the rule threshold (it has indicators and evidence spans, only not enough
    for the rules) when its probability reaches `raise_from`. The defaults change nothing: an
    adapter's fitted values are in its manifest (`decision_policy`, `fit_cdi_policy`)."""

    veto_below: float = 0.0
    raise_from: float | None = None  # None: never raise
    strong_rule: float = STRONG_RULE

    def __post_init__(self) -> None:
        if not 0.0 <= self.veto_below <= 1.0:
            raise ValueError("veto_below must be within [0, 1]")
        if self.raise_from is not None and not 0.0 < self.raise_from <= 1.0:
            raise ValueError("raise_from must be within (0, 1] or None")
        if not RULE_THRESHOLD < self.strong_rule <= 1.0:
            raise ValueError("strong_rule must be above the rule threshold")

    @classmethod
    def from_dict(cls, data: dict | None) -> DecisionPolicy:
        data = data or {}
        raise_from = data.get("raise_from")
        return cls(
            veto_below=float(data.get("veto_below", 0.0)),
            raise_from=None if raise_from is None else float(raise_from),
            strong_rule=float(data.get("strong_rule", STRONG_RULE)),
        )

    def as_dict(self) -> dict[str, float | None]:
        return {"veto_below": self.veto_below, "raise_from": self.raise_from, "strong_rule": self.strong_rule}

    def keeps(self, rule_confidence: float, probability: float, has_evidence: bool = True) -> bool:
        if not has_evidence:  # a gap is only ever kept grounded in evidence spans
            return False
        if rule_confidence >= RULE_THRESHOLD:
            return rule_confidence >= self.strong_rule or probability >= self.veto_below
        return self.raise_from is not None and probability >= self.raise_from


def _gate(finding: GapFinding, probability: float, policy: DecisionPolicy) -> bool:
    if not policy.keeps(finding.rule_confidence, probability, bool(finding.evidence)):
        return False
    if finding.rule_confidence < RULE_THRESHOLD:  # raised by the model: enters at the threshold
        finding.confidence = RULE_THRESHOLD
        finding.rationale = f"{finding.rationale}; raised by the CDI model (p {probability:.2f})"[:500]
    return True


def detect(
    text: str,
    structured: StructuredData | None = None,
    scorer: Scorer | None = None,
    *,
    kb: KnowledgeBase | None = None,
    threshold: float | None = None,
    policy: DecisionPolicy | None = None,
) -> list[GapFinding]:
    """The documentation gaps of one note, each grounded in evidence spans of the note.

    With a `scorer` and no `policy`, the model's probability is blended into the confidence
    ("blend", `combine`); with a `policy` the rules decide and the model may only veto or
    raise as the policy allows ("gate", `DecisionPolicy`)."""
    candidates = detect_candidates(text, structured, kb)
    if scorer is not None and policy is not None:
        probabilities = list(scorer(candidate_pairs(text, candidates))) if candidates else []
        if len(probabilities) != len(candidates):
            raise ValueError("scorer returned a different number of probabilities than pairs")
        kept = []
        for finding, probability in zip(candidates, probabilities, strict=True):
            finding.model_probability = float(probability)
            if _gate(finding, float(probability), policy):
                kept.append(finding)
    elif scorer is None:
        limit = RULE_THRESHOLD if threshold is None else threshold
        kept = [f for f in candidates if f.rule_confidence >= limit]
    else:
        limit = MODEL_THRESHOLD if threshold is None else threshold
        probabilities = list(scorer(candidate_pairs(text, candidates))) if candidates else []
        if len(probabilities) != len(candidates):
            raise ValueError("scorer returned a different number of probabilities than pairs")
        kept = []
        for finding, probability in zip(candidates, probabilities, strict=True):
            finding.model_probability = float(probability)
            finding.confidence = combine(finding.rule_confidence, float(probability))
            if finding.confidence >= limit:
                kept.append(finding)
    for finding in kept:
        for span in finding.evidence:
            if text[span.start : span.end] != span.text:  # never report evidence that does not highlight
                raise AssertionError("evidence span does not match the note")
    return sorted(kept, key=lambda f: (-f.confidence, f.category, f.condition))
