"""Query templates as data: load, validate and look up the versioned template of a (category, condition).

The bundled ``templates.json`` is a list of plain dicts (one per pair of the gap vocabulary) so that the
same records can be loaded into an editable, versioned model; every function here also takes the list to
use, so templates read from the database go through the same code.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from .types import FORMATS, PURPOSES, YES_NO_PURPOSES, QueryTemplate

BUNDLED_TEMPLATES = Path(__file__).with_name("templates.json")
PLACEHOLDERS: frozenset[str] = frozenset({"documented_as"})
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_REQUIRED = ("category", "condition", "version", "purpose", "format", "question", "options")


class TemplateError(ValueError):
    """A template record is malformed (the message names the template and the field)."""


class UnknownTemplateError(LookupError):
    """No template exists for a (category, condition)."""


def template_from_dict(record: Mapping[str, Any]) -> QueryTemplate:
    """Build a template from one record; raise ``TemplateError`` saying what is wrong."""
    if not isinstance(record, Mapping):
        raise TemplateError("a template must be an object")
    name = f"{record.get('category', '?')}/{record.get('condition', '?')}"
    missing = [key for key in _REQUIRED if key not in record]
    if missing:
        raise TemplateError(f"template {name}: missing field(s) {', '.join(missing)}")
    for key in ("category", "condition", "purpose", "format", "question"):
        if not isinstance(record[key], str) or not record[key].strip():
            raise TemplateError(f"template {name}: {key} must be a non-empty string")
    version = record["version"]
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise TemplateError(f"template {name}: version must be a positive integer")
    if record["purpose"] not in PURPOSES:
        raise TemplateError(f"template {name}: unknown purpose {record['purpose']!r}")
    if record["format"] not in FORMATS:
        raise TemplateError(f"template {name}: unknown format {record['format']!r}")
    if record["format"] == "yes_no" and record["purpose"] not in YES_NO_PURPOSES:
        raise TemplateError(f"template {name}: a yes/no template is not allowed for {record['purpose']}")
    for key in ("options", "terms"):
        values = record.get(key, [])
        if not isinstance(values, list) or not all(isinstance(v, str) and v.strip() for v in values):
            raise TemplateError(f"template {name}: {key} must be a list of non-empty strings")
    if record["format"] != "open_ended" and not record["options"]:
        raise TemplateError(f"template {name}: a {record['format']} template needs options")
    for text in [record["question"], *record["options"]]:
        unknown = {p for p in _PLACEHOLDER.findall(text) if p not in PLACEHOLDERS}
        if unknown:
            raise TemplateError(
                f"template {name}: unknown placeholder(s) {', '.join(sorted(unknown))}; "
                f"allowed: {', '.join(sorted(PLACEHOLDERS))}"
            )
    default = record.get("default_documented_as", "")
    if not isinstance(default, str):
        raise TemplateError(f"template {name}: default_documented_as must be a string")
    return QueryTemplate(
        category=record["category"],
        condition=record["condition"],
        version=version,
        title=str(record.get("title") or name),
        purpose=record["purpose"],
        format=record["format"],
        question=record["question"],
        options=tuple(record["options"]),
        terms=tuple(record.get("terms", [])),
        default_documented_as=default,
    )


def template_to_dict(template: QueryTemplate) -> dict[str, Any]:
    return {
        "category": template.category,
        "condition": template.condition,
        "version": template.version,
        "title": template.title,
        "purpose": template.purpose,
        "format": template.format,
        "question": template.question,
        "options": list(template.options),
        "terms": list(template.terms),
        "default_documented_as": template.default_documented_as,
    }


def load_templates(path: str | Path | None = None) -> list[QueryTemplate]:
    """Templates from a JSON file (a list of dicts); the bundled set when ``path`` is None."""
    if path is None:
        return list(_bundled())
    return _read(Path(path))


@lru_cache(maxsize=1)
def _bundled() -> tuple[QueryTemplate, ...]:
    return tuple(_read(BUNDLED_TEMPLATES))


def _read(path: Path) -> list[QueryTemplate]:
    try:
        records = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise TemplateError(f"{path.name}: not valid JSON ({exc.msg}, line {exc.lineno})") from None
    if not isinstance(records, list):
        raise TemplateError(f"{path.name}: expected a list of template objects")
    templates = [template_from_dict(record) for record in records]
    seen: set[tuple[str, str, int]] = set()
    for template in templates:
        ident = (template.category, template.condition, template.version)
        if ident in seen:
            raise TemplateError(
                f"{path.name}: template {template.key} version {template.version} is duplicated"
            )
        seen.add(ident)
    return templates


def template_for(
    category: str, condition: str, templates: Iterable[QueryTemplate] | None = None
) -> QueryTemplate:
    """The newest version of the template for ``(category, condition)``."""
    pool = _bundled() if templates is None else templates
    matches = [t for t in pool if t.category == category and t.condition == condition]
    if not matches:
        raise UnknownTemplateError(f"no query template for {category}/{condition}")
    return max(matches, key=lambda t: t.version)


def render_placeholders(text: str, values: Mapping[str, str]) -> str:
    """Fill ``{name}`` placeholders; unknown names raise ``TemplateError`` (never a bare KeyError)."""

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            raise TemplateError(f"unknown placeholder {{{name}}}")
        return values[name]

    return _PLACEHOLDER.sub(fill, text)
