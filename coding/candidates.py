"""Candidate ICD-10-CM codes from the diagnoses a note documents.

Each phrase the lexicon finds is asserted with the clinical-facts ConText rules
(``cdi.clinical.context``): negated, hypothetical and family mentions are dropped;
historical ones too unless the condition is chronic and not said to be resolved.
Uncertain diagnoses ("probable", "rule out") count only under the inpatient rules.
Where a mention sits matters: review of systems, exam, vitals, labs, medication and
allergy lists are not where a provider documents a diagnosis to be coded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from cdi.clinical.context import ClinicalText, is_hypothetical
from cdi.clinical.sections import Section

from . import adverse, codeset, encounter, metastasis, specificity, tobacco, tsv
from .embedding import Retriever
from .fuzzy import FuzzyIndex, default_index
from .fuzzy import content_words as fuzzy_content_words
from .lexicon import (
    SOURCE_INCLUSION,
    SOURCE_STATUS,
    SOURCE_SYNONYM,
    Entry,
    Lexicon,
    default_lexicon,
    status_lexicon,
)
from .setting import INPATIENT

# Categories coded from a past-medical-history list when current (chronic conditions).
CHRONIC_FAMILIES = frozenset(
    [
        "B18",
        "B20",
        "C61",
        "C91",
        "D50",
        "D63",
        "D69",
        "E03",
        "E05",
        "E10",
        "E11",
        "E66",
        "E78",
        "E55",
        "F03",
        "F10",
        "F17",
        "F20",
        "F31",
        "F32",
        "F41",
        "F84",
        "F90",
        "G20",
        "G30",
        "G35",
        "G40",
        "G43",
        "G47",
        "G62",
        "G80",
        "I10",
        "I11",
        "I12",
        "I13",
        "I20",
        "I25",
        "I27",
        "I34",
        "I35",
        "I42",
        "I48",
        "I49",
        "I50",
        "I65",
        "I71",
        "I73",
        "J30",
        "J43",
        "J44",
        "J45",
        "K21",
        "K22",
        "K27",
        "K57",
        "K70",
        "K74",
        "K76",
        "M06",
        "M10",
        "M17",
        "M19",
        "M32",
        "M54",
        "M79",
        "M81",
        "N18",
        "N40",
        "R32",
        "H26",
        "H40",
        "H91",
        "L40",
        "Q90",
    ]
)
# Roughly the share of codes found in each section that the labelled development
# reports (coding-dev and the train split of coding-extra) confirm: a confidence, not a rule.
SECTION_WEIGHT = {
    "assessment": 0.8,
    "chief_complaint": 0.7,
    "indication": 0.65,
    "past_medical_history": 0.65,
    "plan": 0.55,
    "procedure": 0.55,
    "hospital_course": 0.5,
    "hpi": 0.5,
    "preamble": 0.45,
    "other": 0.4,
}
SOCIAL_WEIGHT = 0.45
# An injury is often documented only where it is seen ("EXTREMITIES: Contusion over right forearm."):
# the examination is the provider's own finding of it (scored like the social history).
INJURY_LETTERS = ("S", "T0", "T1", "T2", "T3")
SYMPTOM_FACTOR = 0.75  # symptoms are often integral to a diagnosis stated nearby
# Symptoms (R codes) are coded only from where the reason for the visit is stated.
SYMPTOM_SECTIONS = frozenset(["assessment", "chief_complaint", "indication"])
SOURCE_WEIGHT = {SOURCE_SYNONYM: 1.0, "title": 0.95, SOURCE_INCLUSION: 0.9}
# Tobacco use is documented in the social history; nothing else is coded from there.
SOCIAL_FAMILIES = frozenset(["F17"])
_FOLLOWED_BY_NOT_A_DIAGNOSIS = re.compile(
    r"^[\s,]*(?:prophylaxis|risk|precautions|screening|protocol|diet|education|teaching)\b", re.I
)
# For a chronic condition, "status post <procedure>" after it does not mean it resolved.
_EXPLICITLY_RESOLVED = re.compile(
    r"\b(?:resolved|resolution|cured|in remission|no longer|recovered|cleared|years ago|as a child)\b", re.I
)


# "Hypotension resolved." under DISCHARGE DIAGNOSES: treated during this stay, so coded
# (a discharge or problem list names what the stay dealt with); not a history of it.
_STAY_LIST_HEADER = re.compile(r"DISCHARGE|FINAL|PROBLEM|HOSPITAL|PRINCIPAL|SECONDARY", re.I)
_RESOLVED_DURING_STAY = re.compile(r"\b(?:resolved|resolving|improved|improving)\b", re.I)
_EARLIER_THAN_STAY = re.compile(
    r"\b(?:history of|h/o|prior|previous|previously|remote|in the past|years? ago|status post|s/p)\b", re.I
)


def _resolved_this_stay(header: str, sentence: str) -> bool:
    return bool(
        _STAY_LIST_HEADER.search(header)
        and _RESOLVED_DURING_STAY.search(sentence)
        and not _EARLIER_THAN_STAY.search(sentence)
    )


# "It is unknown whether the patient is diabetic": an open question, not a diagnosis, under either
# setting's rules (the inpatient rule codes a *working* diagnosis: probable, suspected, likely).
_OPEN_QUESTION = re.compile(
    r"\b(?:unknown|unclear|not known|not clear|not sure|uncertain)\s+(?:whether|if)\b[^.;:]*$", re.I
)


# "Aggressive risk factor modification of tobacco abuse, hyperlipidemia and hypertension",
# "cardiac risk factors: hypertension": a risk factor is a condition the patient has. The
# assertion rules read "risk" as a hypothetical trigger ("risk of stroke"); "risk factors for
# stroke" still names the outcome at risk and stays hypothetical.
_RISK_FACTOR = re.compile(r"\brisk[- ]factors?\b(?!\s+(?:for|of)\b)", re.I)


# "I also explained to her complications including ... DVT, PE, leak, peritonitis, sepsis": the
# risks of a treatment, told to the patient, in lists longer than the assertion rules' 25-word
# reach. A sentence that tells or discusses risks or complications makes every condition after
# those words hypothetical ("risk factors" are conditions the patient has: above).
_RISK_WORDS = re.compile(
    r"\b(?:risks?(?![- ]factors?)|complications?|side effects?|adverse effects?)\b", re.I
)
_TOLD = re.compile(
    r"\b(?:explain\w*|discuss\w*|review\w*|inform\w*|counsel\w*|talk\w*|told|consent\w*|stressed|understands)\b",
    re.I,
)


def discussed_risk(text: str, sentence_start: int, sentence_end: int, start: int) -> bool:
    return bool(
        _RISK_WORDS.search(text, sentence_start, start) and _TOLD.search(text, sentence_start, sentence_end)
    )


def _risk_factor_only(text: str, sentence_start: int, start: int, end: int) -> bool:
    """The mention is hypothetical only because of a "risk factor(s)" before it."""
    before = text[sentence_start:start]
    if not _RISK_FACTOR.search(before):
        return False
    masked = _RISK_FACTOR.sub(lambda m: " " * len(m.group(0)), before)
    after = text[end : end + 60]
    return not is_hypothetical(masked, after)


@dataclass(frozen=True)
class Evidence:
    start: int
    end: int
    text: str
    section: str


@dataclass
class Candidate:
    code: str
    title: str
    score: float
    evidence: list[Evidence] = field(default_factory=list)
    why: str = ""
    source: str = ""
    # Lower sorts first when choosing the principal diagnosis.
    principal_key: tuple = (9, 9, 0)
    uncertain: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def family(self) -> str:
        return codeset.family(self.code)


# An office or ED note often states the reason for the visit only in the opening sentences of its
# history, or of its untitled first paragraph ("presents with three days of cough and sore throat"): under the outpatient rules a
# symptom is coded when no definitive diagnosis explains it (guideline IV.D), and the ranker
# weighs whether one does. Further into the history, symptoms are the narrative's, not the visit's.
OPENING_SENTENCES = 2


def _opens_history(text: str, doc: ClinicalText, section_info: Section, start: int) -> bool:
    if section_info.kind not in ("hpi", "preamble"):
        return False
    cursor = section_info.body_start
    for _ in range(OPENING_SENTENCES):
        while cursor < section_info.end and text[cursor].isspace():
            cursor += 1
        if cursor >= section_info.end:
            return False
        _, sentence_end = doc.sentence(cursor)
        if sentence_end <= cursor:
            return False
        if start < sentence_end:
            return True
        cursor = sentence_end
    return False


def _drop_explained_opening_symptoms(by_code: dict[str, Candidate]) -> None:
    """Symptoms read only from the opening of the history stand when the note states no diagnosis
    where diagnoses are stated (assessment, chief complaint, indication): a definitive diagnosis
    there is taken to explain them (guideline IV.D: symptoms only without one)."""
    stated = any(
        not candidate.code.startswith("R")
        and any(item.section in SYMPTOM_SECTIONS for item in candidate.evidence)
        for candidate in by_code.values()
    )
    if not stated:
        return
    for code, candidate in list(by_code.items()):
        if code.startswith("R") and all(item.section in ("hpi", "preamble") for item in candidate.evidence):
            del by_code[code]


def _principal_rank(section: str, header: str) -> int:
    upper = header.upper()
    if section == "assessment" and any(
        word in upper for word in ("DISCHARGE DIAG", "ADMI", "FINAL DIAG", "POSTOPERATIVE", "PRINCIPAL")
    ):
        return 0
    if section in ("chief_complaint", "indication"):
        return 1
    if section == "assessment":
        return 2
    if section == "hpi":
        return 3
    return 4


# Where a diagnosis list is written, one statement per item.
STATEMENT_SECTIONS = frozenset(["assessment", "chief_complaint", "indication"])
_STATEMENT_BREAK = re.compile(r"\n|;|(?<=[a-z)])\.\s|(?:^|\s)\d{1,2}[.)]\s|,\s+(?=and\s)|\bwith\b", re.I)
# Word-overlap matches were right for few development reports: shown, rarely above threshold.
# "right breast cancer", "left knee": laterality written just before the diagnosis.
# The side nearest the diagnosis wins ("right knee pain and left hip osteoarthritis": left hip).
_SIDE = re.compile(r"(?:^|.*\W)(right|left|bilateral)\b[\w\s-]{0,28}$", re.I | re.S)
SIDE_WINDOW = 40
# "open calcaneus fracture on the right", "carpal tunnel syndrome, bilateral".
_SIDE_AFTER = re.compile(r"[ \t]*(?:,[ \t]*)?(?:on the |of the )?(right|left|bilateral)(?:ly)?\b", re.I)
_LEADING_NUMBER = re.compile(r"^[\s\-*:,.]*(?:\d{1,2}[.)]\s*)?")
FUZZY_WEIGHT = 0.6
FIRST_STATEMENT_WEIGHT = 0.9
# Not measured (no base runtime was built when this was written): kept under the threshold.
EMBEDDING_WEIGHT = 0.5


# The reason a procedure, test or image was done is written under its own header: it is the
# reason for the encounter, like a chief complaint ("INDICATIONS: Ascites.").
_INDICATION_HEADER = re.compile(
    r"INDICATION|REASON FOR (?:THE )?(?:EXAM|STUDY|PROCEDURE|OPERATION|SURGERY|REFERRAL|TEST)", re.I
)
# A short "HISTORY:" or "CLINICAL HISTORY:" above a test report is its reason, not a narrative.
_SHORT_HISTORY_HEADER = re.compile(r"^(?:CLINICAL )?HISTORY$|^CLINICAL (?:INFORMATION|DATA)$", re.I)
SHORT_HISTORY_CHARS = 300


# SOAP notes head their parts with one capital letter ("S:", "A:"), which the shared header
# rules skip (a single letter is no header there): here they open the history, examination,
# assessment and plan, so an assessment written after "A:" is read as one.
_SOAP_HEADER = re.compile(r"(?m)^[ \t]*(?P<letter>[SOAP])[ \t]*:")
SOAP_KINDS = {"S": "hpi", "O": "exam", "A": "assessment", "P": "plan"}


def _soap_sections(doc: ClinicalText) -> None:
    index = doc.sections
    letters = list(_SOAP_HEADER.finditer(doc.text))
    # Only a note that uses the scheme: at least two of the letters, one of them "A".
    if len({m.group("letter") for m in letters}) < 2 or not any(m.group("letter") == "A" for m in letters):
        return
    added = [
        Section(SOAP_KINDS[m.group("letter")], m.group("letter"), m.start("letter"), m.end(), m.end())
        for m in letters
    ]
    ordered = sorted([*index.sections, *added], key=lambda section: section.start)
    ends = [*(section.start for section in ordered[1:]), len(doc.text)]
    index.sections = [
        replace(section, end=end) for section, end in zip(ordered, ends, strict=True) if end > section.start
    ]
    index._starts = [section.start for section in index.sections]


# Diagnosis lists under headers the shared rules do not know: a psychiatric note's multiaxial
# diagnoses (DSM-IV Axis I clinical disorders, Axis II personality disorders, Axis III general
# medical conditions; Axis IV stressors and V functioning are not diagnoses) and a consultant's
# "OPINION".
_DIAGNOSIS_HEADER = re.compile(r"^(?:AXIS (?:I|II|III|1|2|3)|(?:MEDICAL )?OPINION)$", re.I)


def coding_sections(doc: ClinicalText) -> ClinicalText:
    """Relabel the sections that state why a procedure or test was done as ``indication``; read
    SOAP one-letter headers as sections."""
    _soap_sections(doc)
    index = doc.sections
    for position, section in enumerate(index.sections):
        header = re.sub(r"\s+", " ", section.header).strip()
        short = section.end - section.body_start <= SHORT_HISTORY_CHARS
        if section.kind == "other" and _DIAGNOSIS_HEADER.match(header):
            index.sections[position] = replace(section, kind="assessment")
            continue
        if (section.kind in ("procedure", "labs", "other") and _INDICATION_HEADER.search(header)) or (
            section.kind == "hpi" and short and _SHORT_HISTORY_HEADER.match(header)
        ):
            index.sections[position] = replace(section, kind="indication")
    return doc


def statements(text: str, doc: ClinicalText) -> list[tuple[int, int]]:
    """Spans of the short statements in diagnosis sections (list items, lines, sentences)."""
    spans = []
    for section in doc.sections.sections:
        if section.kind not in STATEMENT_SECTIONS:
            continue
        cursor = section.body_start
        for match in [*_STATEMENT_BREAK.finditer(text, section.body_start, section.end), None]:
            stop = match.start() if match else section.end
            chunk = text[cursor:stop]
            numbering = _LEADING_NUMBER.match(chunk)
            left = numbering.end() if numbering else 0
            right = len(chunk.rstrip(" \t-*:,.\n"))
            if right - left >= 4:
                spans.append((cursor + left, cursor + right))
            cursor = match.end() if match else section.end
    return spans


def find_candidates(
    text: str,
    setting: str,
    lexicon: Lexicon | None = None,
    fuzzy: FuzzyIndex | None = None,
    retriever: Retriever | None = None,
) -> list[Candidate]:
    """``retriever`` (the embedding index) is asked only about statements nothing else placed."""
    lexicon = lexicon or default_lexicon()
    fuzzy = fuzzy or default_index()
    doc = coding_sections(ClinicalText(text))
    by_code: dict[str, Candidate] = {}
    hits = lexicon.scan(text)
    for entry, start, end in hits:
        section_info = doc.sections.at(start)
        section = section_info.kind
        family = codeset.family(entry.code)
        sentence_start, sentence_end = doc.sentence(start)
        if family == "F17" and not tobacco.current_own_use(text, start, end):
            continue
        # Past conditions are also written in social and surgical histories ("quit drinking").
        if _past_acute(text, doc, entry, start, end, section, by_code):
            continue
        if (
            section not in SECTION_WEIGHT
            and not (section == "social_history" and family in SOCIAL_FAMILIES)
            and not (section == "exam" and entry.code.startswith(INJURY_LETTERS))
        ):
            continue
        if _FOLLOWED_BY_NOT_A_DIAGNOSIS.search(text[end : end + 30]):
            continue
        chronic = family in CHRONIC_FAMILIES
        if section == "past_medical_history" and not chronic:
            continue
        symptom = entry.code.startswith("R") or entry.finding
        if (
            symptom
            and section not in SYMPTOM_SECTIONS
            and not (setting != INPATIENT and _opens_history(text, doc, section_info, start))
        ):
            continue
        context = doc.context(start, end, chronic=chronic)
        historical = context.historical
        if historical and chronic and not _EXPLICITLY_RESOLVED.search(text[sentence_start:sentence_end]):
            historical = False
        if historical and family in RECENT_IS_ACUTE and recent_acute(text, start):
            historical = False
        if (
            historical
            and setting == INPATIENT
            and _resolved_this_stay(section_info.header, text[sentence_start:sentence_end])
        ):
            historical = False
        hypothetical = context.hypothetical and not _risk_factor_only(text, sentence_start, start, end)
        hypothetical = hypothetical or discussed_risk(text, sentence_start, sentence_end, start)
        if context.negated or hypothetical or context.family or historical:
            continue
        if context.uncertain and setting != INPATIENT:
            continue
        if _OPEN_QUESTION.search(text[sentence_start:start]):
            continue
        score = SECTION_WEIGHT.get(section, SOCIAL_WEIGHT) * SOURCE_WEIGHT.get(entry.source, 0.9)
        if symptom:
            score *= SYMPTOM_FACTOR
        evidence = Evidence(start, end, text[start:end], section)
        key = (_principal_rank(section, section_info.header), 1 if symptom else 0, start)
        side = _SIDE.search(text[max(sentence_start, start - SIDE_WINDOW) : start]) or _SIDE_AFTER.match(
            text, end, min(sentence_end, end + 25)
        )
        for code in (entry.code, *entry.also):
            if codeset.family(code) == "F17":
                code = tobacco.product_code(text, start, end)
            if _OPEN_BEFORE.search(text[max(sentence_start, start - 20) : start]):
                code = open_fracture(code)
            for sided in codeset.sided_codes(code, side.group(1).lower() if side else None):
                _add(by_code, sided, entry, score, evidence, key, context.uncertain, section)
    _drop_explained_opening_symptoms(by_code)
    _drug_candidates(text, setting, doc, by_code)
    _status_candidates(text, doc, by_code)
    _encounter_candidates(text, doc, by_code)
    _metastasis_candidates(text, setting, doc, by_code)
    _fuzzy_candidates(text, setting, doc, fuzzy, hits, by_code, retriever)
    _specific_siblings(text, doc, by_code)
    return list(by_code.values())


PAST_ACUTE_FILE = Path(__file__).parent / "data" / "past_acute.tsv"
# "Recent inferior myocardial infarction": an MI within four weeks is still acute (I21, guideline
# I.C.9.e.1), whatever the past tense around it.
_RECENT = re.compile(r"\b(?:recent|acute|new|evolving)\b[\w\s-]{0,25}$", re.I)


def recent_acute(text: str, start: int) -> bool:
    return bool(_RECENT.search(text[max(0, start - 40) : start]))


RECENT_IS_ACUTE = frozenset(["I21", "I22"])


@lru_cache(maxsize=1)
def past_acute_codes() -> dict[str, str]:
    """Acute condition (code or category prefix) -> the code of its history (``data/past_acute.tsv``)."""
    return {code: history for code, history, *_ in tsv.rows(PAST_ACUTE_FILE)}


# Alcohol or drug abuse, dependence or use the note says stopped ("history of alcohol abuse, quit
# more than 10 years ago") is coded "in remission" (index: Abuse, alcohol, in remission F10.11;
# the classification's uniform 5th/6th character: F1x.10 -> F1x.11, .20 -> .21, .90 -> .91).
# Tobacco (F17) has its own history code and is left to ``tobacco``.
_SUBSTANCE_UNCOMPLICATED = re.compile(r"^F1[0-689]\.[129]0$")
_STOPPED = re.compile(
    r"\b(?:quit|stopped|former(?:ly)?|sober|abstinent|abstinence|no longer|in remission|recovered|recovering)\b",
    re.I,
)


def _in_remission(text: str, doc: ClinicalText, code: str, start: int) -> str | None:
    if not _SUBSTANCE_UNCOMPLICATED.match(code):
        return None
    sentence_start, sentence_end = doc.sentence(start)
    if not _STOPPED.search(text, sentence_start, sentence_end):
        return None
    remission = code[:-1] + "1"
    return remission if codeset.is_billable(remission) else None


def _past_acute(
    text: str,
    doc: ClinicalText,
    entry: Entry,
    start: int,
    end: int,
    section: str,
    by_code: dict[str, Candidate],
) -> bool:
    """A past MI, pulmonary embolism or DVT ("Previous ST elevation MI." in the past history) is its
    history code (I25.2, Z86.711, Z86.718). True when the mention was taken as such a history."""
    code = codeset.dotted(entry.code)
    history = next((h for prefix, h in past_acute_codes().items() if code.startswith(prefix)), None)
    if history is None:
        history = _in_remission(text, doc, code, start)
    if history is None or section not in STATUS_SECTION_WEIGHT:
        return False
    context = doc.context(start, end)
    if not (context.historical or section == "past_medical_history") or recent_acute(text, start):
        return False
    if not (context.negated or context.hypothetical or context.family):
        score = STATUS_SECTION_WEIGHT[section] * STATUS_WEIGHT
        evidence = Evidence(start, end, text[start:end], section)
        past = Entry(history, SOURCE_STATUS, f"past {entry.phrase}")
        _add(by_code, history, past, score, evidence, (9, 9, start), False, section)
    return True


REFINED_SOURCES = ("synonym", "title", "inclusion", "word")


def _specific_siblings(text: str, doc: ClinicalText, by_code: dict[str, Candidate]) -> None:
    """A plain diagnosis whose sentence states its site, type or acuity (``specificity``) adds the
    specific sibling code with the same evidence; the rules then drop the unspecified one."""
    for candidate in list(by_code.values()):
        if not candidate.source.startswith(REFINED_SOURCES):
            continue
        for item in candidate.evidence:
            words = specificity.stated_words(text, item.start, item.end, doc.sentence(item.start))
            siblings = [c for c in specificity.refine_all(candidate.code, words) if c not in by_code]
            for sibling in siblings:
                by_code[sibling] = replace(
                    candidate,
                    code=sibling,
                    title=codeset.title(sibling),
                    evidence=list(candidate.evidence),
                    why=f"{candidate.why}; specified in the same sentence",
                    notes=list(candidate.notes),
                )
            if siblings:
                break


# Statuses are written in histories, surgical histories and medication lists as well.
STATUS_SECTION_WEIGHT = {
    **SECTION_WEIGHT,
    "surgical_history": 0.5,
    "medications": 0.4,
    "social_history": SOCIAL_WEIGHT,
}
STATUS_WEIGHT = 0.8


def _status_candidates(text: str, doc: ClinicalText, by_code: dict[str, Candidate]) -> None:
    """Status and history codes (``data/status.tsv``): not dropped for being history, only when
    negated, hypothetical or about a relative. Whether one is worth suggesting is the ranker's call."""
    for entry, start, end in status_lexicon().scan(text):
        section_info = doc.sections.at(start)
        if section_info.kind not in STATUS_SECTION_WEIGHT:
            continue
        context = doc.context(start, end, chronic=True)
        if context.negated or context.hypothetical or context.family:
            continue
        sentence_start, sentence_end = doc.sentence(start)
        side = _SIDE.search(text[max(sentence_start, start - SIDE_WINDOW) : start]) or _SIDE_AFTER.match(
            text, end, min(sentence_end, end + 25)
        )
        score = STATUS_SECTION_WEIGHT[section_info.kind] * STATUS_WEIGHT
        evidence = Evidence(start, end, text[start:end], section_info.kind)
        for code in codeset.sided_codes(entry.code, side.group(1).lower() if side else None):
            _add(by_code, code, entry, score, evidence, (9, 9, start), False, section_info.kind)


# Where a visit's purpose or what was done at it is written.
ENCOUNTER_SECTIONS = frozenset(["chief_complaint", "indication", "assessment", "plan", "preamble", "hpi"])


def _encounter_candidates(text: str, doc: ClinicalText, by_code: dict[str, Candidate]) -> None:
    """ "Here for followup and chemotherapy": Z51.11 (``encounter``); a negated, hypothetical or
    past service ("chemotherapy was stopped in 2005") is not this visit's."""
    for reason in encounter.encounter_reasons(text):
        section_info = doc.sections.at(reason.start)
        if section_info.kind not in ENCOUNTER_SECTIONS:
            continue
        context = doc.context(reason.start, reason.end)
        if context.negated or context.hypothetical or context.family or context.historical:
            continue
        score = SECTION_WEIGHT[section_info.kind] * STATUS_WEIGHT
        evidence = Evidence(reason.start, reason.end, text[reason.start : reason.end], section_info.kind)
        entry = Entry(reason.code, SOURCE_STATUS, f"encounter for {text[reason.start : reason.end].lower()}")
        key = (_principal_rank(section_info.kind, section_info.header), 0, reason.start)
        _add(by_code, reason.code, entry, score, evidence, key, False, section_info.kind)


METASTASIS_SECTIONS = frozenset(SECTION_WEIGHT)  # a current cancer's spread is listed in histories too


def _metastasis_candidates(text: str, setting: str, doc: ClinicalText, by_code: dict[str, Candidate]) -> None:
    """Secondary neoplasms (``metastasis``); C79.9 only when no site is asserted anywhere."""
    site_found = False
    primaries = sorted(
        (c for c in by_code.values() if "C00" <= c.code[:3] <= "C76"), key=lambda c: c.principal_key
    )
    blood_cancer = any("C81" <= c.code[:3] <= "C96" for c in by_code.values())
    mentions = [*metastasis.node_involvement(text), *metastasis.metastases(text)]
    for mention in sorted(mentions, key=lambda m: m.code == metastasis.UNKNOWN_SITE):
        if mention.code == metastasis.UNKNOWN_SITE and site_found:
            continue
        if mention.code.startswith("C77"):
            # Nodes of a lymphoma or leukaemia are the primary site (C77 Excludes1).
            if blood_cancer and not primaries:
                continue
            if mention.code == metastasis.UNSPECIFIED_NODES and primaries:
                regional = metastasis.regional_nodes(primaries[0].code)
                mention = replace(mention, code=regional or mention.code)
        section_info = doc.sections.at(mention.start)
        if section_info.kind not in METASTASIS_SECTIONS:
            continue
        context = doc.context(mention.start, mention.end, chronic=True)
        sentence_start, sentence_end = doc.sentence(mention.start)
        resolved = _EXPLICITLY_RESOLVED.search(text[sentence_start:sentence_end])
        if context.negated or context.hypothetical or context.family or (context.historical and resolved):
            continue
        if context.uncertain and setting != INPATIENT:
            continue
        site_found = site_found or mention.code != metastasis.UNKNOWN_SITE
        score = SECTION_WEIGHT[section_info.kind] * SOURCE_WEIGHT[SOURCE_SYNONYM]
        entry = Entry(mention.code, SOURCE_SYNONYM, text[mention.start : mention.end])
        key = (_principal_rank(section_info.kind, section_info.header), 0, mention.start)
        evidence = Evidence(mention.start, mention.end, text[mention.start : mention.end], section_info.kind)
        _add(by_code, mention.code, entry, score, evidence, key, context.uncertain, section_info.kind)


# Where a note ties a condition to a drug; never a medication or allergy list, nor past history.
DRUG_SECTIONS = frozenset(SECTION_WEIGHT) - {"past_medical_history"}
DRUG_WEIGHT = 0.9


def _drug_candidates(text: str, setting: str, doc: ClinicalText, by_code: dict[str, Candidate]) -> None:
    """Adverse effects, poisonings and underdosing (``adverse``): the T code beside the condition."""
    for mention in adverse.drug_mentions(text):
        section_info = doc.sections.at(mention.start)
        if section_info.kind not in DRUG_SECTIONS:
            continue
        context = doc.context(mention.start, mention.end)
        if context.negated or context.hypothetical or context.family or context.historical:
            continue
        if context.uncertain and setting != INPATIENT:
            continue
        score = SECTION_WEIGHT[section_info.kind] * DRUG_WEIGHT
        entry = Entry(mention.code, "drug link", mention.cue)
        # A poisoning is sequenced first; an adverse effect or underdosing follows its manifestation.
        rank = _principal_rank(section_info.kind, section_info.header) if mention.intent in "12" else 9
        evidence = Evidence(mention.start, mention.end, text[mention.start : mention.end], section_info.kind)
        _add(
            by_code,
            mention.code,
            entry,
            score,
            evidence,
            (rank, 0, mention.start),
            context.uncertain,
            section_info.kind,
        )


_OPEN_BEFORE = re.compile(r"\bopen\b(?!\s+reduction)[\w\s-]{0,15}$", re.I)


def open_fracture(code: str) -> str:
    """ "Open calcaneus fracture": the 7th character for an open fracture (B) replaces the closed default."""
    if len(code) == 8 and code.endswith("A"):
        options = codeset.seventh_character_options(code[:-1])
        if "open fracture" in options.get("B", "").lower():
            return code[:-1] + "B"
    return code


def _fuzzy_candidates(
    text: str,
    setting: str,
    doc: ClinicalText,
    fuzzy: FuzzyIndex,
    hits: list[tuple[Entry, int, int]],
    by_code: dict[str, Candidate],
    retriever: Retriever | None = None,
) -> None:
    unplaced: list[tuple[int, int]] = []
    spans = statements(text, doc)
    # The first statement under a chief complaint or discharge/admission diagnosis header is the
    # reason for the encounter: a title match there is trusted more than one further down.
    first = {}
    for start, end in spans:
        first.setdefault(doc.sections.at(start).start, (start, end))
    leading = {start for start, _ in first.values()}  # a leading statement's first part leads too
    for start, end in _with_comma_parts(text, spans, fuzzy):
        inside = [e.code for e, s, t in hits if start <= s and t <= end]
        covered = {codeset.family(code) for code in inside}
        match = fuzzy.best(text[start:end])
        if match is None:
            if not covered:
                unplaced.append((start, end))
            continue
        # A title match may still refine a phrase match of its category ("bronchiolitis, RSV positive").
        same_family = [code for code in inside if codeset.family(code) == codeset.family(match.code)]
        if same_family and (
            match.code in same_family or not all(codeset.is_unspecified(c) for c in same_family)
        ):
            continue
        # "Sepsis." is all phrase: a title of its category that also fits ("Other specified sepsis")
        # refines nothing; only words beyond the phrase ("RSV positive") can.
        if same_family and not _words_beyond_phrases(text, start, end, hits):
            continue
        # A refinement is as trustworthy as the phrase match it refines.
        floor = max((by_code[c].score for c in same_family if c in by_code), default=0.0)
        method = "word overlap" + (" (first statement)" if start in leading else "")
        _statement_candidate(
            text, setting, doc, start, end, match.code, match.similarity, method, by_code, floor
        )
    if retriever is not None and unplaced:
        for (start, end), neighbour in zip(
            unplaced, retriever([text[s:e] for s, e in unplaced]), strict=True
        ):
            if neighbour is not None:
                _statement_candidate(
                    text, setting, doc, start, end, neighbour.code, neighbour.similarity, "embedding", by_code
                )


def _words_beyond_phrases(text: str, start: int, end: int, hits: list[tuple[Entry, int, int]]) -> bool:
    covered = [text[s:t] for _, s, t in hits if start <= s and t <= end]
    phrase_words = {w for phrase in covered for w in fuzzy_content_words(phrase)}
    return bool(set(fuzzy_content_words(text[start:end])) - phrase_words)


_PART_BREAK = re.compile(r",\s*(?:also\s+|and\s+)?")


def _with_comma_parts(text: str, spans: list[tuple[int, int]], fuzzy: FuzzyIndex) -> list[tuple[int, int]]:
    """A statement no title matches is tried again in its comma-separated parts.

    "Fracture of the right femoral neck, also history of Alzheimer's dementia, and
    hypothyroidism" matches nothing whole; its first part matches a fracture title.
    """
    out = []
    for start, end in spans:
        out.append((start, end))
        if fuzzy.best(text[start:end]) is not None or "," not in text[start:end]:
            continue
        cursor = start
        for match in [*_PART_BREAK.finditer(text, start, end), None]:
            stop = match.start() if match else end
            if stop - cursor >= 4 and (cursor, stop) != (start, end):
                out.append((cursor, stop))
            cursor = match.end() if match else end
    return out


def _statement_candidate(
    text: str,
    setting: str,
    doc: ClinicalText,
    start: int,
    end: int,
    code: str,
    similarity: float,
    method: str,
    by_code: dict[str, Candidate],
    floor: float = 0.0,
) -> None:
    section_info = doc.sections.at(start)
    context = doc.context(start, end, chronic=codeset.family(code) in CHRONIC_FAMILIES)
    if context.negated or context.hypothetical or context.family:
        return
    if discussed_risk(text, *doc.sentence(start), start):
        return
    if context.uncertain and setting != INPATIENT:
        return
    if code.startswith("R") and section_info.kind not in SYMPTOM_SECTIONS:
        return
    weight = {"word overlap": FUZZY_WEIGHT, "embedding": EMBEDDING_WEIGHT}.get(method, FUZZY_WEIGHT)
    if method.endswith("(first statement)") and _principal_rank(section_info.kind, section_info.header) <= 1:
        weight = FIRST_STATEMENT_WEIGHT
    score = max(floor, SECTION_WEIGHT.get(section_info.kind, SOCIAL_WEIGHT) * weight * similarity)
    entry = Entry(code, f"{method} {similarity:.2f} with the title", codeset.title(code))
    key = (_principal_rank(section_info.kind, section_info.header), 0, start)
    evidence = Evidence(start, end, text[start:end], section_info.kind)
    _add(by_code, code, entry, score, evidence, key, context.uncertain, section_info.kind)


def _add(
    by_code: dict[str, Candidate],
    code: str,
    entry: Entry,
    score: float,
    evidence: Evidence,
    key: tuple,
    uncertain: bool,
    section: str,
) -> None:
    found = by_code.get(code)
    if found is None:
        by_code[code] = Candidate(
            code=code,
            title=codeset.title(code),
            score=score,
            evidence=[evidence],
            why=f"documented in {section.replace('_', ' ')} ({entry.source}: {entry.phrase.lower()})",
            source=entry.source,
            principal_key=key,
            uncertain=uncertain,
        )
        return
    found.evidence.append(evidence)
    # Each further mention adds a little support; the best section sets the base.
    found.score = min(0.99, max(found.score, score) + 0.03)
    found.principal_key = min(found.principal_key, key)
    found.uncertain = found.uncertain and uncertain
