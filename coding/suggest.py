"""The whole ICD-10-CM suggestion path for one note: the function production and evaluation share."""

from __future__ import annotations

from dataclasses import dataclass, field

from .candidates import Candidate, find_candidates
from .codeset import CODESET_VERSION
from .embedding import Retriever
from .lexicon import Lexicon
from .ranking import LexicalRanker, Ranker
from .rules import apply_rules
from .setting import coding_setting


@dataclass
class CodingResult:
    setting: str
    suggestions: list[Candidate] = field(default_factory=list)
    ranker: str = "lexical"
    ranker_version: str = ""
    codeset_version: str = CODESET_VERSION


def suggest_codes(
    text: str,
    note_type: str = "",
    ranker: Ranker | None = None,
    threshold: float | None = None,
    lexicon: Lexicon | None = None,
    retriever: Retriever | None = None,
) -> CodingResult:
    ranker = ranker or LexicalRanker()
    threshold = ranker.default_threshold if threshold is None else threshold
    setting = coding_setting(text, note_type)
    candidates = find_candidates(text, setting, lexicon, retriever=retriever)
    candidates = ranker.rank(candidates, text)
    suggestions = apply_rules(candidates, text, threshold)
    return CodingResult(setting, suggestions, ranker.name, ranker.version)
