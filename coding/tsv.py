"""The project's small tab-separated data files (``coding/data/*.tsv``, ``labels/splits.tsv``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path


def rows(path: str | Path) -> Iterator[list[str]]:
    """Each row's fields, stripped; blank lines and lines starting with ``#`` are skipped."""
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            yield [field.strip() for field in line.split("\t")]
