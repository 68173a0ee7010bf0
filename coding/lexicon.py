"""A phrase index from how diagnoses are written to billable ICD-10-CM codes.

Phrases come from three sources, in order of trust: the clinician synonyms and
abbreviations shipped in ``data/synonyms.tsv``; the code titles, stripped of
"unspecified"/"NOS" qualifiers (so "Heart failure, unspecified" answers to "heart
failure"); and the classification's inclusion terms. Where two codes claim the same
phrase the more trusted source wins, then the "unspecified" code (the classification's
default for a term without specificity), then the shorter title.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cdi.icd10 import icd

from . import codeset, tsv

SYNONYMS_FILE = Path(__file__).parent / "data" / "synonyms.tsv"
MAX_PHRASE_TOKENS = 8
# External causes (V-Y) are not coded from these notes (labelling conventions).
_SKIPPED_LETTERS = ("V", "W", "X", "Y")
_TOKEN = re.compile(r"[a-z0-9]+(?:'s)?")
_ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4", "v": "5"}
_ROMAN_AFTER = {"type", "stage", "class", "grade"}
_QUALIFIERS = re.compile(
    r",?\s*(?:unspecified|not elsewhere classified|not otherwise specified|nos)\b|\bunspecified\s+",
    re.IGNORECASE,
)
WORD_FORMS_FILE = Path(__file__).parent / "data" / "word_forms.tsv"


@lru_cache(maxsize=1)
def word_forms() -> dict[str, str]:
    """How clinicians write what the classification calls otherwise ("renal" = "kidney")."""
    table = {}
    for written, classified in tsv.rows(WORD_FORMS_FILE):
        table[written] = classified
    return table


# Single words too vague to code from on their own.
_VAGUE = frozenset(
    ["pain", "disease", "disorder", "syndrome", "injury", "other", "mass", "lesion", "infection", "cyst"]
)

# Codes too unspecific to suggest from a title match ("cancer" -> C80.1, "infectious disease").
_CATCH_ALL = frozenset(
    ["C80.0", "C80.1", "C80.2", "B99.8", "B99.9", "R69", "R68.89", "R99", "D49.9", "D48.9"]
)

SOURCE_SYNONYM = "synonym"
SOURCE_TITLE = "title"
SOURCE_INCLUSION = "inclusion term"
_SOURCE_RANK = {SOURCE_SYNONYM: 0, SOURCE_TITLE: 1, SOURCE_INCLUSION: 2}


@dataclass(frozen=True)
class Token:
    norm: str
    start: int
    end: int


@dataclass(frozen=True)
class Entry:
    code: str
    source: str
    phrase: str
    also: tuple[str, ...] = ()  # further codes the phrase documents ("acute on chronic renal failure")
    finding: bool = False  # an abnormal finding ("elevated troponin"): coded only where a symptom would be


def normalise_token(raw: str, previous: str | None = None) -> str:
    token = raw.lower()
    if token.endswith("'s"):
        token = token[:-2]
    if previous in _ROMAN_AFTER and token in _ROMAN:
        return _ROMAN[token]
    if token in word_forms():
        return word_forms()[token]
    # Plurals: both sides go through the same function, so "diabetes" -> "diabete" is harmless.
    if len(token) > 4 and token.endswith("s") and not token.endswith(("ss", "us", "is")):
        token = token[:-1]
    return token


def tokens(text: str) -> list[Token]:
    out: list[Token] = []
    previous: str | None = None
    for match in _TOKEN.finditer(text.lower()):
        norm = normalise_token(match.group(0), previous)
        out.append(Token(norm, match.start(), match.end()))
        previous = norm
    return out


def phrase_key(text: str) -> str:
    return " ".join(t.norm for t in tokens(text))


def _title_phrases(text: str) -> list[str]:
    """A title or term as it may be written: qualifiers dropped, parentheses dropped or kept."""
    bare = _QUALIFIERS.sub("", text)
    variants = {re.sub(r"\([^)]*\)", " ", bare), bare.replace("(", " ").replace(")", " ")}
    # "Lesion of ulnar nerve, unspecified upper limb": the condition is written without the
    # unspecified site or type after the comma; only when every part after it is unspecified,
    # so "Follicular lymphoma, unspecified, spleen" does not answer to "follicular lymphoma".
    head, comma, tail = text.partition(",")
    if (
        comma
        and "unspecified" not in head.lower()
        and all("unspecified" in part.lower() for part in tail.split(","))
    ):
        variants.add(re.sub(r"\([^)]*\)", " ", head))
    # "Cirrhosis of liver" is written "liver cirrhosis", "Ulcer of esophagus" "esophageal ulcer"
    # (the adjective meets the noun in ``word_forms``): a short "<condition> of <site>" is inverted.
    for variant in list(variants):
        inverted = _OF_SITE.match(variant.strip().lower())
        if inverted:
            variants.add(f"{inverted.group('site')} {inverted.group('condition')}")
    return [v for v in variants if v.strip()]


_OF_SITE = re.compile(r"^(?P<condition>[a-z-]+(?: [a-z-]+)?) of (?P<site>[a-z-]+(?: [a-z-]+)?)$")


INJURY_SITES_FILE = Path(__file__).parent / "data" / "injury_sites.tsv"
# "Laceration without foreign body of scalp, initial encounter": the encounter that treats an injury.
_INITIAL_ENCOUNTER = re.compile(r",\s*initial encounter(?: for closed fracture)?$", re.I)
_INJURY_OF_SITE = re.compile(
    r"^(?P<injury>[a-z ]+?)(?: without foreign body)? of (?P<site>(?:right |left )?[a-z -]+)$"
)
_INJURY_LETTERS = ("S", "T0", "T1", "T2", "T3")
_INJURY_PREPOSITIONS = ("over", "over the", "on", "on the", "to", "to the")


@lru_cache(maxsize=1)
def injury_site_words() -> dict[str, tuple[str, ...]]:
    words = {}
    for site, written in tsv.rows(INJURY_SITES_FILE):
        words[site] = tuple(w.strip() for w in written.split(","))
    return words


def injury_phrases(title: str) -> list[str]:
    """How an initial-encounter injury title is written in a note, without the encounter words.

    "Contusion of right forearm, initial encounter" -> "contusion of right forearm" and
    "right forearm contusion"; "Laceration without foreign body of penis, initial encounter"
    -> "laceration of penis", "penile laceration". Only the default reading (no foreign body,
    closed fracture) is offered, as a coder assumes it when the note says nothing more.
    """
    if not _INITIAL_ENCOUNTER.search(title):
        return []
    base = _QUALIFIERS.sub("", _INITIAL_ENCOUNTER.sub("", title)).strip().lower()
    if "with foreign body" in base or "open fracture" in base:
        return []
    phrases = {base, base.replace(" without foreign body", "")}
    match = _INJURY_OF_SITE.match(base)
    if match:
        injury, site = match.group("injury").strip(), match.group("site").strip()
        side, bare_site = site.split(" ", 1) if site.startswith(("right ", "left ")) else ("", site)
        for written in (bare_site, *injury_site_words().get(bare_site, ())):
            phrases.add(f"{side} {written} {injury}".strip())
            # "contusion over right forearm", "laceration to the left hand", "abrasion on the knee"
            for preposition in _INJURY_PREPOSITIONS:
                phrases.add(" ".join(w for w in (injury, preposition, side, written) if w))
    return [p for p in phrases if p]


# How notes name a malignant neoplasm: "adenocarcinoma of the sigmoid colon", "sigmoid colon
# carcinoma" for the title "Malignant neoplasm of sigmoid colon", "endometrial adenocarcinoma"
# beside the synonym "endometrial cancer".
CANCER_WORDS = ("cancer", "carcinoma", "adenocarcinoma", "malignancy")
_NEOPLASM_OF = re.compile(r"^\s*malignant neoplasm of (?P<site>.+?)\s*$", re.I)
_PRIMARY_LETTER_RANGE = ("C00", "C76")


def cancer_phrases(title_phrase: str) -> list[str]:
    """Ways a note writes the primary cancer of a "Malignant neoplasm of <site>" title or term."""
    match = _NEOPLASM_OF.match(title_phrase)
    if not match or "," in match.group("site"):
        return []
    site = re.sub(r"\s+", " ", match.group("site").lower())
    sites = {site, site.replace(" of ", " of the ")}
    out = []
    for word in CANCER_WORDS:
        for written in sites:
            out += [f"{word} of {written}", f"{word} of the {written}"]
        if len(site.split()) <= 3 and " of " not in site:
            out.append(f"{site} {word}")
    return out


def cancer_word_variants(term: str) -> list[str]:
    """ "lung cancer" -> "lung carcinoma", "lung adenocarcinoma", "carcinoma of the lung", ..."""
    head, _, last = term.strip().lower().rpartition(" ")
    if not head or last not in CANCER_WORDS:
        return []
    out = [f"{head} {word}" for word in CANCER_WORDS if word != last]
    return out + [f"{word} of {the}{head}" for word in CANCER_WORDS for the in ("", "the ")]


@dataclass
class Lexicon:
    entries: dict[str, Entry]
    max_tokens: int = MAX_PHRASE_TOKENS

    def lookup(self, key: str) -> Entry | None:
        return self.entries.get(key)

    def scan(self, text: str) -> list[tuple[Entry, int, int]]:
        """Longest phrase matches left to right: (entry, start, end) with offsets into ``text``."""
        toks = tokens(text)
        found: list[tuple[Entry, int, int]] = []
        i = 0
        while i < len(toks):
            matched = 0
            for n in range(min(self.max_tokens, len(toks) - i), 0, -1):
                # A phrase never runs across a line break followed by a header-like line or a sentence end.
                span_text = text[toks[i].start : toks[i + n - 1].end]
                if n > 1 and re.search(r"[.;:]\s|\n\s*\n", span_text):
                    continue
                entry = self.entries.get(" ".join(t.norm for t in toks[i : i + n]))
                if entry is not None:
                    found.append((entry, toks[i].start, toks[i + n - 1].end))
                    matched = n
                    break
            i += matched or 1
        return found


def _better(new: tuple, old: tuple) -> bool:
    return new < old


def read_synonyms(path: Path = SYNONYMS_FILE) -> list[tuple[str, tuple[str, ...]]]:
    """``term<TAB>CODE[+CODE...]`` rows: a term may document more than one code."""
    return [
        (term, tuple(codeset.dotted(code) for code in codes.split("+"))) for term, codes in tsv.rows(path)
    ]


FINDINGS_FILE = Path(__file__).parent / "data" / "findings.tsv"
_HIGH_BEFORE = (
    "elevated",
    "increased",
    "high",
    "raised",
    "rising",
    "abnormal",
    "elevation of",
    "elevated serum",
)
_HIGH_AFTER = ("elevation", "elevated", "abnormality")
_LOW_BEFORE = ("low", "decreased", "reduced", "low serum")


def finding_phrases(path: Path = FINDINGS_FILE) -> list[tuple[str, str]]:
    """("elevated transaminases", "R74.01"), ("low albumin", "E88.09"), ... from ``data/findings.tsv``."""
    out = []
    for analyte, high, low in tsv.rows(path):
        if high != "-":
            out += [(f"{word} {analyte}", high) for word in _HIGH_BEFORE]
            out += [(f"{analyte} {word}", high) for word in _HIGH_AFTER]
            out += [(f"elevated {analyte} level", high), (f"elevated {analyte} levels", high)]
        if low != "-":
            out += [(f"{word} {analyte}", low) for word in _LOW_BEFORE]
    return out


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    """Built once per process (a few seconds over the whole code set)."""
    best: dict[str, tuple[tuple, Entry]] = {}

    def offer(
        phrase: str,
        code: str,
        source: str,
        unspecified: bool,
        title_len: int,
        also: tuple[str, ...] = (),
        finding: bool = False,
    ) -> None:
        key = phrase_key(phrase)
        if not key:
            return
        words = key.split()
        if len(words) > MAX_PHRASE_TOKENS:
            return
        if source != SOURCE_SYNONYM and len(words) == 1 and (len(key) < 5 or key in _VAGUE):
            return
        rank = (_SOURCE_RANK[source], 0 if unspecified else 1, title_len, code)
        current = best.get(key)
        if current is None or _better(rank, current[0]):
            best[key] = (rank, Entry(code, source, phrase.strip(), also, finding))

    for term, codes in read_synonyms():
        offer(term, codes[0], SOURCE_SYNONYM, True, 0, codes[1:])
    for term, codes in read_synonyms():
        if _PRIMARY_LETTER_RANGE[0] <= codes[0][:3] <= _PRIMARY_LETTER_RANGE[1]:
            for variant in cancer_word_variants(term):
                offer(variant, codes[0], SOURCE_SYNONYM, True, 0, codes[1:])
    for phrase, code in finding_phrases():
        offer(phrase, code, SOURCE_SYNONYM, True, 0, finding=True)
    for code in codeset.billable_codes():
        # Z codes are added by rules or the coder (labelling conventions); catch-alls say nothing.
        if code.startswith(_SKIPPED_LETTERS) or code.startswith("Z") or code in _CATCH_ALL:
            continue
        title = icd.get_description(code)
        unspecified = "unspecified" in title.lower() or title.lower().endswith(" nos")
        primary = _PRIMARY_LETTER_RANGE[0] <= code[:3] <= _PRIMARY_LETTER_RANGE[1]
        for phrase in _title_phrases(title):
            offer(phrase, code, SOURCE_TITLE, unspecified, len(title))
            for written in cancer_phrases(phrase) if primary else ():
                offer(written, code, SOURCE_TITLE, unspecified, len(title))
        if code.startswith(_INJURY_LETTERS):
            for phrase in injury_phrases(title):
                offer(phrase, code, SOURCE_TITLE, unspecified, len(title))
        for term in icd.get_inclusion_term(code):
            nos = bool(re.search(r"\bNOS\b", term))
            for phrase in _title_phrases(term):
                offer(phrase, code, SOURCE_INCLUSION, nos or unspecified, len(title))
                for written in cancer_phrases(phrase) if primary else ():
                    offer(written, code, SOURCE_INCLUSION, nos or unspecified, len(title))
    return Lexicon({key: entry for key, (_, entry) in best.items()})


STATUS_FILE = Path(__file__).parent / "data" / "status.tsv"
SOURCE_STATUS = "status"


@lru_cache(maxsize=1)
def status_lexicon() -> Lexicon:
    """Statuses and histories (``data/status.tsv``), scanned apart from the diagnosis lexicon."""
    entries = {}
    for term, codes in read_synonyms(STATUS_FILE):
        entries.setdefault(phrase_key(term), Entry(codes[0], SOURCE_STATUS, term, codes[1:]))
    return Lexicon(entries)
