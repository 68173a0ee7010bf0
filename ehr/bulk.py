"""Importing a FHIR bulk-data export: NDJSON files, one resource type per file.

Files go referenced-first (Patient, Practitioner, Encounter, then the rest). Lines are stored in batches,
one database transaction each, and every line in its own savepoint, so a bad line is reported and
skipped without losing its batch. The checkpoint of a file (keyed by its content hash) moves in the same
transaction as the batch, so an import killed at any point resumes after the last committed batch."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import DatabaseError, IntegrityError, transaction
from fhir.resources.R4B import get_fhir_model_class
from tqdm import tqdm

from .inbound import Resolver, accept
from .models import ImportCheckpoint
from .parsing import SUPPORTED_TYPES, FhirError, parse_resource

OUTCOMES = ("created", "updated", "unchanged", "rejected")


@dataclass
class TypeCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    resumed_past: int = 0  # lines a previous run had already committed

    def add(self, other: TypeCounts) -> None:
        for name in (*OUTCOMES, "resumed_past"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass(frozen=True)
class Rejection:
    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


@dataclass(frozen=True)
class ImportFile:
    path: Path
    resource_type: str  # "" when the file is skipped
    skip_reason: str = ""


@dataclass
class ImportReport:
    counts: dict[str, TypeCounts] = field(default_factory=dict)
    rejections: list[Rejection] = field(default_factory=list)
    skipped_files: list[ImportFile] = field(default_factory=list)
    interrupted: bool = False

    def count(self, resource_type: str) -> TypeCounts:
        return self.counts.setdefault(resource_type, TypeCounts())


class Interrupted(Exception):
    """Raised inside a batch to stop as a kill would: the batch in progress is rolled back."""


def ndjson_files(paths: Iterable[str | Path]) -> list[Path]:
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*.ndjson") if p.is_file()))
        else:
            found.append(path)
    return found


def classify(path: Path) -> ImportFile:
    """The resource type a file holds: from its name (Patient.000.ndjson), else from its first line."""
    if not path.is_file():
        return ImportFile(path, "", "no such file")
    prefix = path.name.split(".")[0]
    if prefix in SUPPORTED_TYPES:
        return ImportFile(path, prefix)
    if is_fhir_type(prefix):
        return ImportFile(path, "", f"resource type {prefix} is not imported")
    with path.open("rb") as handle:
        for raw in handle:
            if raw.strip():
                try:
                    first = json.loads(raw)
                except ValueError:
                    return ImportFile(path, "", "first line is not JSON")
                found = first.get("resourceType") if isinstance(first, dict) else None
                if found in SUPPORTED_TYPES:
                    return ImportFile(path, found)
                return ImportFile(path, "", "not an NDJSON file of a supported resource type")
    return ImportFile(path, "", "empty file")


def is_fhir_type(name: str) -> bool:
    try:
        get_fhir_model_class(name)
    except (KeyError, ValueError, AttributeError, ImportError):
        return False
    return True


def plan(paths: Iterable[str | Path]) -> tuple[list[ImportFile], list[ImportFile]]:
    """(files to import in order, files skipped with a reason)."""
    files = [classify(p) for p in ndjson_files(paths)]
    rank = {name: i for i, name in enumerate(SUPPORTED_TYPES)}
    wanted = sorted((f for f in files if f.resource_type), key=lambda f: (rank[f.resource_type], str(f.path)))
    return wanted, [f for f in files if not f.resource_type]


def file_digest(path: Path) -> tuple[str, int, int]:
    """(sha256, size, number of lines)."""
    digest, size, lines, last = hashlib.sha256(), 0, 0, b""
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
            size += len(chunk)
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    if size and last != b"\n":
        lines += 1
    return digest.hexdigest(), size, lines


def import_paths(
    paths: Iterable[str | Path],
    *,
    batch_size: int = 500,
    resume: bool = True,
    stop_after: int | None = None,
    progress: bool = True,
    actor: Any = None,
) -> ImportReport:
    """Import NDJSON files or directories of them; see the module docstring for the guarantees."""
    report = ImportReport()
    files, report.skipped_files = plan(paths)
    digests = {f.path: file_digest(f.path) for f in files}
    bar = tqdm(
        total=sum(d[2] for d in digests.values()), unit="line", disable=not progress, dynamic_ncols=True
    )
    budget = [stop_after]
    try:
        for item in files:
            sha, size, _ = digests[item.path]
            import_file(
                item,
                sha,
                size,
                report,
                batch_size=batch_size,
                resume=resume,
                budget=budget,
                bar=bar,
                actor=actor,
            )
    except Interrupted:
        report.interrupted = True
    finally:
        bar.close()
    return report


def import_file(
    item: ImportFile,
    sha: str,
    size: int,
    report: ImportReport,
    *,
    batch_size: int,
    resume: bool,
    budget: list,
    bar: tqdm,
    actor: Any,
) -> None:
    checkpoint, _ = ImportCheckpoint.objects.get_or_create(
        file_sha256=sha, defaults={"file_name": item.path.name[:255], "size": size}
    )
    start = checkpoint.lines_done if resume else 0
    if resume and checkpoint.complete:
        start = -1
    counts = report.count(item.resource_type)
    resolver = Resolver()
    batch: list[tuple[int, bytes]] = []
    with item.path.open("rb") as handle:
        for line_no, raw in enumerate(handle, start=1):
            if start < 0 or line_no <= start:
                counts.resumed_past += 1 if raw.strip() else 0
                bar.update(1)
                continue
            batch.append((line_no, raw))
            if len(batch) >= batch_size:
                store_batch(item, batch, checkpoint, report, resolver, budget, bar, actor)
                batch = []
        if start >= 0:
            store_batch(item, batch, checkpoint, report, resolver, budget, bar, actor, complete=True)


def store_batch(
    item: ImportFile,
    batch: list[tuple[int, bytes]],
    checkpoint: ImportCheckpoint,
    report: ImportReport,
    resolver: Resolver,
    budget: list,
    bar: tqdm,
    actor: Any,
    complete: bool = False,
) -> None:
    counts = TypeCounts()
    rejections: list[Rejection] = []
    with transaction.atomic():
        for line_no, raw in batch:
            if budget[0] is not None:
                if budget[0] <= 0:
                    raise Interrupted
                budget[0] -= 1
            if raw.strip():
                outcome, reason = store_line(item.resource_type, raw, resolver, actor)
                setattr(counts, outcome, getattr(counts, outcome) + 1)
                if reason:
                    rejections.append(Rejection(item.path.name, line_no, reason))
            bar.update(1)
        if batch:
            checkpoint.lines_done = batch[-1][0]
        checkpoint.complete = complete
        checkpoint.save(update_fields=("lines_done", "complete", "updated_at"))
    report.count(item.resource_type).add(counts)
    report.rejections.extend(rejections)


def store_line(resource_type: str, raw: bytes, resolver: Resolver, actor: Any) -> tuple[str, str]:
    """(outcome, reason): one line stored in its own savepoint, or rejected with a reason."""
    try:
        with transaction.atomic():
            try:
                data = json.loads(raw)
            except (ValueError, RecursionError):
                raise FhirError(400, "not valid JSON") from None
            found = data.get("resourceType") if isinstance(data, dict) else None
            if found != resource_type:
                raise FhirError(400, f"resourceType {found!r} in a file of {resource_type}")
            return accept(parse_resource(data), actor, resolver).outcome, ""
    except FhirError as exc:
        return "rejected", exc.diagnostics
    except IntegrityError:
        return "rejected", "conflicts with a stored record"
    except DatabaseError:
        return "rejected", "a value is out of range for storage"
    except Exception as exc:
        # A bug must not stop the import; the type alone, as messages may quote the resource.
        return "rejected", f"internal error ({type(exc).__name__})"
