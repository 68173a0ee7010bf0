"""Small hand-written notes shared by the clinical tests (no real patient text)."""

from __future__ import annotations


def note(
    *, hpi: str = "", labs: str = "", assessment: str = "", plan: str = "", pmh: str = "", family: str = ""
) -> str:
    parts = ["HISTORY OF PRESENT ILLNESS: A 70-year-old man admitted from home. " + hpi]
    if pmh:
        parts.append("PAST MEDICAL HISTORY: " + pmh)
    if family:
        parts.append("FAMILY HISTORY: " + family)
    if labs:
        parts.append("LABORATORY DATA: " + labs)
    parts.append("ASSESSMENT: " + (assessment or "Stable."))
    if plan:
        parts.append("PLAN: " + plan)
    return "\n\n".join(parts) + "\n"


def pairs(findings) -> set[tuple[str, str]]:
    return {(f.category, f.condition) for f in findings}
