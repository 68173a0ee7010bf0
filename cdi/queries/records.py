"""JSON Lines queries in, verdicts out: the data-set side of the compliance checker.

Input line: ``{"id", "format", "purpose", "indicators": [...], "question", "options": [...]}`` (``options``
may be left out for an open-ended query; an optional ``condition`` names the gap condition). A line that
cannot be read as such a query gets a verdict with an ``invalid_input`` problem that names the line and
the field, never an exception.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .compliance import check_query
from .types import Problem, QueryCandidate, QueryTemplate


class InvalidRecord(ValueError):
    """A data-set line is not a query object; the message names the field (never echoes query text)."""


@dataclass(frozen=True)
class Verdict:
    id: str | None
    compliant: bool
    problems: tuple[Problem, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "compliant": self.compliant, "problems": [str(p) for p in self.problems]}


@dataclass
class Summary:
    total: int = 0
    compliant: int = 0
    # Number of queries having each problem code (a query counts once per code).
    by_code: Counter[str] = field(default_factory=Counter)

    def add(self, verdict: Verdict) -> None:
        self.total += 1
        self.compliant += verdict.compliant
        self.by_code.update({p.code for p in verdict.problems})

    @property
    def non_compliant(self) -> int:
        return self.total - self.compliant

    def to_json(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "compliant": self.compliant,
            "non_compliant": self.non_compliant,
            "problems_by_code": dict(sorted(self.by_code.items(), key=lambda kv: (-kv[1], kv[0]))),
        }


def _string_list(record: dict[str, Any], key: str, *, required: bool) -> list[str]:
    if key not in record:
        if required:
            raise InvalidRecord(f'missing field "{key}"')
        return []
    value = record[key]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise InvalidRecord(f'field "{key}" must be a list of strings')
    return value


def candidate_from_record(record: object) -> QueryCandidate:
    """A ``QueryCandidate`` from one decoded JSON value; ``InvalidRecord`` says what is wrong."""
    if not isinstance(record, dict):
        raise InvalidRecord(f"expected a JSON object, got {type(record).__name__}")
    for key in ("id", "format", "purpose", "question"):
        if key not in record:
            raise InvalidRecord(f'missing field "{key}"')
    if not isinstance(record["id"], str) or not record["id"].strip():
        raise InvalidRecord('field "id" must be a non-empty string')
    for key in ("format", "purpose", "question"):
        if not isinstance(record[key], str):
            raise InvalidRecord(f'field "{key}" must be a string')
    condition = record.get("condition")
    if condition is not None and not isinstance(condition, str):
        raise InvalidRecord('field "condition" must be a string')
    return QueryCandidate(
        id=record["id"],
        format=record["format"],
        purpose=record["purpose"],
        indicators=_string_list(record, "indicators", required=True),
        question=record["question"],
        options=_string_list(record, "options", required=False),
        condition=condition or None,
    )


def verdict_for_line(
    line: str | bytes, line_no: int, templates: Iterable[QueryTemplate] | None = None
) -> Verdict:
    """Check one data-set line; any defect of the line itself becomes an ``invalid_input`` problem."""
    record_id: str | None = None
    try:
        text = line.decode("utf-8") if isinstance(line, bytes) else line
        record = json.loads(text)
        if isinstance(record, dict) and isinstance(record.get("id"), str):
            record_id = record["id"]
        candidate = candidate_from_record(record)
    except UnicodeDecodeError:
        return _invalid(_salvaged_id(line), f"line {line_no} is not valid UTF-8")
    except json.JSONDecodeError as exc:
        return _invalid(record_id, f"line {line_no} is not valid JSON ({exc.msg} at column {exc.colno})")
    except InvalidRecord as exc:
        return _invalid(record_id, f"line {line_no}: {exc}")
    problems = tuple(check_query(candidate, templates))
    return Verdict(candidate.id, not problems, problems)


def _salvaged_id(line: str | bytes) -> str | None:
    """The id of a line that is not UTF-8, when the rest of it still parses, so its verdict can be joined."""
    try:
        record = json.loads(line.decode("utf-8", "replace") if isinstance(line, bytes) else line)
    except json.JSONDecodeError:
        return None
    value = record.get("id") if isinstance(record, dict) else None
    return value if isinstance(value, str) else None


def _invalid(record_id: str | None, message: str) -> Verdict:
    return Verdict(record_id, False, (Problem("invalid_input", message, "record"),))


def check_lines(
    lines: Iterable[str | bytes], templates: Iterable[QueryTemplate] | None = None
) -> Iterator[tuple[int, Verdict]]:
    """``(line number, verdict)`` for every non-blank line (numbers count from 1, blank lines included)."""
    pool = None if templates is None else list(templates)
    for line_no, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        yield line_no, verdict_for_line(line, line_no, pool)
