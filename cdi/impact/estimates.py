"""Per-category dollar estimates for encounters that cannot be grouped yet.

The default table is ``estimates.json`` beside this module; a deployment can pass
its own (a setting) through ``EstimateTable.from_mapping``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from .money import to_cents

DEFAULT_TABLE_PATH = Path(__file__).with_name("estimates.json")


@dataclass(frozen=True)
class EstimateRange:
    low: Decimal
    high: Decimal
    source: str = ""

    @property
    def midpoint(self) -> Decimal:
        return to_cents((self.low + self.high) / 2)


@dataclass(frozen=True)
class EstimateTable:
    version: str
    ranges: Mapping[str, EstimateRange]

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> EstimateTable:
        """Build from ``{"version": ..., "categories": {name: {"low", "high", "source"?}}}``."""
        ranges: dict[str, EstimateRange] = {}
        for name, row in data["categories"].items():
            low, high = Decimal(str(row["low"])), Decimal(str(row["high"]))
            if not Decimal(0) <= low <= high:
                raise ValueError(f"estimate range for {name!r} must satisfy 0 <= low <= high")
            ranges[name] = EstimateRange(low=low, high=high, source=str(row.get("source", "")))
        return cls(version=str(data["version"]), ranges=ranges)

    def range_for(self, category: str) -> EstimateRange:
        try:
            return self.ranges[category]
        except KeyError:
            raise KeyError(f"no estimate range for category {category!r}") from None


@cache
def default_estimate_table() -> EstimateTable:
    return EstimateTable.from_mapping(json.loads(DEFAULT_TABLE_PATH.read_text(encoding="utf-8")))
