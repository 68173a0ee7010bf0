"""Plain-Python clinical pipeline for CDI gaps: sections, context, values, treatments,
the knowledge base and gap detection. Importable without Django or a request."""

from __future__ import annotations

from cdi.clinical.detection import (
    GapFinding,
    Indicator,
    Scorer,
    Span,
    candidate_pairs,
    detect,
    detect_candidates,
)
from cdi.clinical.facts import StructuredData, StructuredObservation
from cdi.clinical.knowledge import KnowledgeBase, default_knowledge

__all__ = [
    "GapFinding",
    "Indicator",
    "KnowledgeBase",
    "Scorer",
    "Span",
    "StructuredData",
    "StructuredObservation",
    "candidate_pairs",
    "default_knowledge",
    "detect",
    "detect_candidates",
]
