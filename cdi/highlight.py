"""Split a note's text into plain and highlighted segments for the gaps' evidence spans."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Segment:
    text: str
    gap_id: int | None = None
    anchor: str = ""


def segments(text: str, spans: list[tuple[int, int, int]]) -> list[Segment]:
    """`spans` are (start, end, gap_id) offsets into `text`; overlaps keep the earlier span.
    Each gap's first span gets the anchor `ev-<gap_id>` so a link can scroll to it."""
    out: list[Segment] = []
    cursor = 0
    anchored: set[int] = set()
    for start, end, gap_id in sorted(spans):
        start, end = max(start, cursor), min(end, len(text))
        if start >= end:
            continue
        if start > cursor:
            out.append(Segment(text[cursor:start]))
        anchor = "" if gap_id in anchored else f"ev-{gap_id}"
        anchored.add(gap_id)
        out.append(Segment(text[start:end], gap_id, anchor))
        cursor = end
    if cursor < len(text):
        out.append(Segment(text[cursor:]))
    return out
