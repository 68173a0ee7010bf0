"""Compliant physician queries in plain Python: templates, the drafter and the compliance checker.

Nothing here imports Django models: callers pass dataclasses in and get dataclasses back.
"""

from __future__ import annotations

from .compliance import check_query, is_compliant
from .drafting import MissingDocumentedAsError, NoIndicatorsError, draft_query, render_indicator
from .records import InvalidRecord, Summary, Verdict, candidate_from_record, check_lines, verdict_for_line
from .templates import (
    TemplateError,
    UnknownTemplateError,
    load_templates,
    template_for,
    template_from_dict,
    template_to_dict,
)
from .types import (
    FORMATS,
    PURPOSES,
    YES_NO_PURPOSES,
    GapInfo,
    Indicator,
    Problem,
    QueryCandidate,
    QueryContext,
    QueryDraft,
    QueryTemplate,
)

__all__ = [
    "FORMATS",
    "PURPOSES",
    "YES_NO_PURPOSES",
    "GapInfo",
    "Indicator",
    "InvalidRecord",
    "MissingDocumentedAsError",
    "NoIndicatorsError",
    "Problem",
    "QueryCandidate",
    "QueryContext",
    "QueryDraft",
    "QueryTemplate",
    "Summary",
    "TemplateError",
    "UnknownTemplateError",
    "Verdict",
    "candidate_from_record",
    "check_lines",
    "check_query",
    "draft_query",
    "is_compliant",
    "load_templates",
    "render_indicator",
    "template_for",
    "template_from_dict",
    "template_to_dict",
    "verdict_for_line",
]
