"""ConText-style assertion of mentions: negated, hypothetical, historical, family, uncertain.

A trigger term opens a scope that runs forward (pre-triggers) or backward
(post-triggers) inside one sentence, and stops early at a termination term ("but",
"however", ...) or after a bounded number of words. The section a mention sits in
also counts: everything in a family-history section is about relatives, and past
medical history is history.

"Historical" means *resolved* for CDI: "history of CHF" in a patient on Lasix is
current heart failure, while "history of pneumonia" is a past episode. The caller
says whether the condition is chronic; chronic conditions are historical only where
the note says they resolved.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import cached_property

from cdi.clinical.sections import SectionIndex


def _alternation(terms: tuple[str, ...]) -> re.Pattern[str]:
    ordered = sorted(terms, key=len, reverse=True)
    body = "|".join(re.escape(term).replace(r"\ ", r"\s+") for term in ordered)
    return re.compile(rf"(?<![\w-])(?:{body})(?![\w-])", re.IGNORECASE)


NEGATION_PRE = _alternation(
    (
        "no",
        "not",
        "denies",
        "denied",
        "denying",
        "without",
        "negative for",
        "free of",
        "no evidence of",
        "no sign of",
        "no signs of",
        "absence of",
        "ruled out",
        "never had",
        "nor",
        "no history of",
        "no known",
        "not consistent with",
        "no further",
        "no longer",
        "no acute",
        "resolution of",
        "no findings of",
        "no suggestion of",
        "fails to reveal",
        "no clinical evidence of",
        "doubt",
        "negative",
        "non",
        "absent",
        "does not have",
        "did not have",
        "rather than",
        "instead of",
    )
)
NEGATION_POST = _alternation(
    (
        "was ruled out",
        "has been ruled out",
        "is ruled out",
        "ruled out",
        "is negative",
        "was negative",
        "were negative",
        "unlikely",
        "is unlikely",
        "not present",
        "not seen",
        "is absent",
        "not likely",
        "has been excluded",
        "was excluded",
        "is excluded",
        "negative",
    )
)
UNCERTAIN_PRE = _alternation(
    (
        "possible",
        "possibly",
        "probable",
        "probably",
        "likely",
        "suspected",
        "suspect",
        "suspicious for",
        "questionable",
        "question of",
        "rule out",
        "r/o",
        "concern for",
        "concerning for",
        "suspicion of",
        "suspicion for",
        "worrisome for",
        "possibility of",
        "cannot exclude",
        "cannot rule out",
        "can't rule out",
        "may have",
        "might have",
        "may be",
        "could be",
        "presumed",
        "presumptive",
        "versus",
        "vs",
        "vs.",
        "differential",
        "borderline",
        "early",
        "impending",
    )
)
# A differential diagnosis lists possibilities: its scope is the whole list (the rest of the
# sentence), not the six words of the other uncertainty cues ("Differential diagnosis may include
# foreign body, achalasia, Candida infection, or CMV esophagitis").
DIFFERENTIAL_LIST = re.compile(
    r"\b(?:differential(?:\s+diagnos[ie]s)?|ddx)\s*(?::|(?:may\s+|would\s+|also\s+)?"
    r"(?:include[sd]?|including|is|are|consists?\s+of))",
    re.IGNORECASE,
)
MAX_LIST_WORDS = 40
# A duration up to now is a pseudo-trigger, not a history cue: "over the past year", "for the
# last few weeks" say how long a current problem has lasted (ConText's pseudo-triggers), and so
# does a presenting complaint's "7 day history of fevers" (hours, days or weeks: a short history is
# the present illness; "a 10-year history of" stays a history cue).
_DURATION = re.compile(
    r"\b(?:over|during|in|for|within|throughout)\s+the\s+(?:last|past)\s+(?:\w+\s+){0,2}?"
    r"(?:hours?|days?|weeks?|months?|years?)\b|"
    r"\b(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|several|few)[-\s]+(?:hours?|days?|weeks?)"
    r"[-\s]+history\s+of\b",
    re.IGNORECASE,
)
UNCERTAIN_POST = _alternation(
    ("is suspected", "is possible", "versus", "vs", "is likely", "is questioned", "?")
)
HYPOTHETICAL_PRE = _alternation(
    (
        "if",
        "should",
        "in case",
        "return if",
        "call if",
        "watch for",
        "monitor for",
        "risk of",
        "risk for",
        "at risk",
        "prevent",
        "prevention of",
        "to prevent",
        "prophylaxis",
        "prophylaxis for",
        "to avoid",
        "precautions",
        "in the event",
        "evaluate for",
        "evaluation for",
        "work-up for",
        "workup for",
        "screen for",
        "screening for",
        "assess for",
        "signs and symptoms of",
        "educated",
        "instructed",
        "would",
        "unless",
        "prior to",
        "in order to",
        "avoid",
        "reduce the risk",
        "check for",
        "look for",
        "risks",
        "risk",
        "complications",
        "complication",
        "rare case of",
        "side effects",
        "consent",
        "chance of",
        "likelihood of",
    )
)
HYPOTHETICAL_POST = _alternation(("if", "should it", "in the future", "may develop", "could develop"))
HISTORY_PRE = _alternation(
    (
        "history of",
        "h/o",
        "hx of",
        "hx",
        "previous",
        "previously",
        "prior",
        "past",
        "status post",
        "s/p",
        "remote",
        "old",
        "recent",
        "known",
        "longstanding",
        "long-standing",
    )
)
_RESOLVED_TERMS = (
    "resolved",
    "has resolved",
    "now resolved",
    "resolution of",
    "cleared",
    "recovered from",
    "in the past",
    "years ago",
    "year ago",
    "months ago",
    "as a child",
    "childhood",
    "remote",
    "previous episode",
    "previous episodes",
    "prior episode",
    "prior episodes",
    "past episode",
    "past episodes",
    "history of remote",
    "treated in the past",
    "no longer",
    "status post",
    "s/p",
    "was treated",
    "were treated",
    "completed treatment",
    "resolved with",
    "in remission",
    "at some point",
    "in the past",
)
RESOLVED = _alternation(_RESOLVED_TERMS)
# After a mention, "status post" names what the condition follows ("cellulitis status post
# circumcision" is a current complication), never that it resolved.
RESOLVED_POST = _alternation(tuple(t for t in _RESOLVED_TERMS if t not in ("status post", "s/p")))
# "since 1997" is ongoing, not past; "in 2005" alone dates a past episode.
_YEAR = re.compile(
    r"(?<!since )\b(?:in|back in)\s+(?:19|20)\d\d\b|(?<!since )\b(?:19|20)\d\d\b", re.IGNORECASE
)
FAMILY_PRE = _alternation(
    (
        "family history",
        "family history of",
        "mother",
        "father",
        "brother",
        "brothers",
        "sister",
        "sisters",
        "sibling",
        "siblings",
        "grandmother",
        "grandfather",
        "grandparents",
        "aunt",
        "uncle",
        "cousin",
        "son",
        "daughter",
        "parents",
        "parent",
        "mom",
        "dad",
        "maternal",
        "paternal",
        "runs in the family",
        "family members",
        "fhx",
        "fh",
    )
)
TERMINATION = _alternation(
    (
        "but",
        "however",
        "although",
        "though",
        "except",
        "aside from",
        "apart from",
        "yet",
        "which",
        "who",
        "presents with",
        "presenting with",
        "complains of",
        "currently",
        "admitted with",
        "admitted for",
        "secondary to",
        "due to",
        "now has",
        "now with",
        "he has",
        "she has",
        "patient has",
        "the patient",
        "and now",
        "is now",
        "now presents",
        "that",
        "whereas",
        "other than",
        "and has",
        "and had",
    )
)
_FAMILY_TERMINATION = _alternation(("patient", "he", "she", "his", "her", "the patient", "pt"))

_WORD = re.compile(r"[\w'/%-]+|\?")
_ABBREVIATIONS = re.compile(
    r"(?:\b(?:Dr|Mr|Mrs|Ms|St|vs|approx|Jr|Sr|No|Fig|mg|etc|e\.g|i\.e|[A-Z])\.)$", re.IGNORECASE
)
_SENTENCE_BREAK = re.compile(
    r"[.!?](?=\s+[\"(\[]?[A-Z0-9])|;|\n[ \t]*\n|\n(?=[ \t]*(?:\d{1,2}[.)]\s|[-*•]\s))"
)

MAX_FORWARD_WORDS = 10
MAX_BACKWARD_WORDS = 6


@dataclass(frozen=True)
class Context:
    negated: bool = False
    hypothetical: bool = False
    historical: bool = False
    family: bool = False
    uncertain: bool = False
    history_mention: bool = False
    section: str = "preamble"

    @property
    def asserted(self) -> bool:
        """A current statement about this patient (uncertain still counts, as inpatient coding does)."""
        return not (self.negated or self.hypothetical or self.historical or self.family)


class ClinicalText:
    """A note with its sections and sentences, computed once."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.sections = SectionIndex(text)

    @cached_property
    def _sentence_starts(self) -> list[int]:
        starts = {0}
        for match in _SENTENCE_BREAK.finditer(self.text):
            if match.group(0) == "." and _ABBREVIATIONS.search(
                self.text[max(0, match.start() - 6) : match.end()]
            ):
                continue
            starts.add(match.end())
        for section in self.sections.sections:
            starts.add(section.start)
            starts.add(section.body_start)
        return sorted(starts)

    def sentence(self, offset: int) -> tuple[int, int]:
        """Bounds of the sentence holding offset."""
        starts = self._sentence_starts
        index = bisect_right(starts, offset) - 1
        start = starts[max(index, 0)]
        end = starts[index + 1] if index + 1 < len(starts) else len(self.text)
        return start, end

    def section_kind(self, offset: int) -> str:
        return self.sections.kind_at(offset)

    def context(self, start: int, end: int, chronic: bool = False) -> Context:
        return assert_mention(self, start, end, chronic=chronic)


def _last_trigger_before(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    found = None
    for match in pattern.finditer(text):
        found = match
    return found


def _forward_scope_reaches(
    before: str, pattern: re.Pattern[str], max_words: int, stop: re.Pattern[str] = TERMINATION
) -> bool:
    """Is a pre-trigger in `before` (text from the sentence start to the mention) in scope?"""
    trigger = _last_trigger_before(pattern, before)
    if trigger is None:
        return False
    between = before[trigger.end() :]
    if stop.search(between) or (stop is not TERMINATION and TERMINATION.search(between)):
        return False
    return len(_WORD.findall(between)) <= max_words


def _backward_scope_reaches(after: str, pattern: re.Pattern[str], max_words: int) -> bool:
    trigger = pattern.search(after)
    if trigger is None:
        return False
    between = after[: trigger.start()]
    if TERMINATION.search(between):
        return False
    return len(_WORD.findall(between)) <= max_words


def is_hypothetical(before: str, after: str) -> bool:
    """Is a mention with `before` (sentence start to mention) and `after` (what follows it) in the
    scope of a hypothetical trigger ("risk of", "if", "should it")?"""
    return _forward_scope_reaches(before, HYPOTHETICAL_PRE, 25) or _backward_scope_reaches(
        after, HYPOTHETICAL_POST, 2
    )


def assert_mention(doc: ClinicalText, start: int, end: int, chronic: bool = False) -> Context:
    text = doc.text
    sentence_start, sentence_end = doc.sentence(start)
    before = text[sentence_start:start]
    after = text[end:sentence_end]
    section = doc.section_kind(start)

    # Review-of-systems sentences are long lists under one "denies": the whole sentence is in scope.
    forward_limit = 60 if section == "review_of_systems" else MAX_FORWARD_WORDS
    negated = _forward_scope_reaches(before, NEGATION_PRE, forward_limit) or _backward_scope_reaches(
        after, NEGATION_POST, MAX_BACKWARD_WORDS
    )
    # "Afebrile" and similar are handled by the callers' lexicons; here only syntax.
    uncertain = (
        _forward_scope_reaches(before, UNCERTAIN_PRE, 6)
        or _backward_scope_reaches(after, UNCERTAIN_POST, 3)
        or _forward_scope_reaches(before, DIFFERENTIAL_LIST, MAX_LIST_WORDS)
    )
    hypothetical = is_hypothetical(before, after)
    family = section == "family_history" or _forward_scope_reaches(
        before, FAMILY_PRE, 12, _FAMILY_TERMINATION
    )
    history_mention = section in ("past_medical_history", "surgical_history") or _forward_scope_reaches(
        _DURATION.sub(lambda m: " " * len(m.group(0)), before), HISTORY_PRE, 12
    )
    resolved = (
        _forward_scope_reaches(before, RESOLVED, 8)
        or _backward_scope_reaches(after, RESOLVED_POST, 6)
        or bool(_YEAR.search(after[:40]))
        or section == "surgical_history"
    )
    historical = resolved or (history_mention and not chronic)
    return Context(
        negated=negated,
        hypothetical=hypothetical,
        historical=historical,
        family=family,
        uncertain=uncertain,
        history_mention=history_mention,
        section=section,
    )
