"""Transaction and batch Bundles: parse every entry, then store them referenced-first.

A transaction is all or nothing (one database transaction; the first failure is the answer); a batch
answers each entry on its own, each in a savepoint so one failure leaves the others standing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import DatabaseError, IntegrityError, transaction

from .inbound import CREATED, Accepted, Resolver, accept
from .outbound import EntryResponse, operation_outcome
from .parsing import SUPPORTED_TYPES, FhirError, ResourceData, parse_binary, parse_resource

BUNDLE_TYPES = ("transaction", "batch")
METHODS = ("POST", "PUT")


@dataclass(frozen=True)
class Entry:
    index: int
    full_url: str
    data: ResourceData | None  # None for a Binary, used only as note content


def process_bundle(bundle: Any, actor: Any) -> tuple[str, list[EntryResponse]]:
    """Store a transaction or batch Bundle; returns its type and one response per entry, in entry order.

    Raises FhirError for a transaction that fails (nothing is stored) or a Bundle that is not one."""
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        got = bundle.get("resourceType") if isinstance(bundle, dict) else type(bundle).__name__
        raise FhirError(
            400, f"POST [base] takes a Bundle, got resourceType {got!r}.", "structure", "resourceType"
        )
    bundle_type = bundle.get("type")
    if bundle_type not in BUNDLE_TYPES:
        raise FhirError(422, "Bundle.type must be transaction or batch.", "not-supported", "Bundle.type")
    raw_entries = bundle.get("entry") or []
    if not isinstance(raw_entries, list):
        raise FhirError(422, "Bundle.entry must be a list.", "structure", "Bundle.entry")
    if bundle_type == "transaction":
        return bundle_type, process_transaction(raw_entries, actor)
    return bundle_type, process_batch(raw_entries, actor)


def read_entry(index: int, raw: Any, resolver: Resolver) -> Entry:
    where = f"Bundle.entry[{index}]"
    if not isinstance(raw, dict) or not isinstance(raw.get("resource"), dict):
        raise FhirError(422, f"{where}.resource is required.", "required", f"{where}.resource")
    request = raw.get("request") or {}
    method = request.get("method", "POST") if isinstance(request, dict) else None
    if method not in METHODS:
        raise FhirError(
            422, f"{where}.request.method must be POST or PUT.", "not-supported", f"{where}.request.method"
        )
    full_url = raw.get("fullUrl") if isinstance(raw.get("fullUrl"), str) else ""
    resource = raw["resource"]
    try:
        if resource.get("resourceType") == "Binary":
            binary = parse_binary(resource)
            for key in (full_url, f"Binary/{binary.fhir_id}" if binary.fhir_id else ""):
                if key:
                    resolver.binaries[key] = binary
            return Entry(index, full_url, None)
        data = parse_resource(resource)
    except FhirError as exc:
        raise exc.at(where) from None
    return Entry(index, full_url, data)


def processing_order(entries: list[Entry]) -> list[Entry]:
    rank = {name: i for i, name in enumerate(SUPPORTED_TYPES)}

    def key(entry: Entry) -> tuple[int, bool, int]:
        if entry.data is None:
            return (-1, False, entry.index)
        # A replacing note after the notes it may replace, when both come in one Bundle.
        replaces = bool(getattr(entry.data, "replaces", ()))
        return (rank[entry.data.head.resource_type], replaces, entry.index)

    return sorted(entries, key=key)


def store_entry(entry: Entry, actor: Any, resolver: Resolver) -> EntryResponse:
    if entry.data is None:
        return EntryResponse(
            200,
            outcome=operation_outcome(
                "Binary used as note content only; not stored.", "informational", severity="information"
            ),
        )
    try:
        accepted: Accepted = accept(entry.data, actor, resolver, entry.full_url)
    except FhirError as exc:
        raise exc.at(f"Bundle.entry[{entry.index}]") from None
    except IntegrityError:
        raise FhirError(
            409,
            f"Bundle.entry[{entry.index}]: conflicts with a stored record.",
            "conflict",
            f"Bundle.entry[{entry.index}]",
        ) from None
    except DatabaseError:
        # A value the database refuses (out of range, too long) is the client's to fix.
        raise FhirError(
            422,
            f"Bundle.entry[{entry.index}]: a value is out of range for storage.",
            "invalid",
            f"Bundle.entry[{entry.index}]",
        ) from None
    return EntryResponse(
        201 if accepted.outcome == CREATED else 200, f"{accepted.resource_type}/{accepted.fhir_id}"
    )


def process_transaction(raw_entries: list, actor: Any) -> list[EntryResponse]:
    resolver = Resolver()
    entries = [read_entry(i, raw, resolver) for i, raw in enumerate(raw_entries)]
    responses: dict[int, EntryResponse] = {}
    with transaction.atomic():
        for entry in processing_order(entries):
            responses[entry.index] = store_entry(entry, actor, resolver)
    return [responses[i] for i in range(len(entries))]


def process_batch(raw_entries: list, actor: Any) -> list[EntryResponse]:
    resolver = Resolver()
    responses: dict[int, EntryResponse] = {}
    entries = []
    for i, raw in enumerate(raw_entries):
        try:
            entries.append(read_entry(i, raw, resolver))
        except FhirError as exc:
            responses[i] = failure(exc)
    for entry in processing_order(entries):
        try:
            with transaction.atomic():
                responses[entry.index] = store_entry(entry, actor, resolver)
        except FhirError as exc:
            responses[entry.index] = failure(exc)
    return [responses[i] for i in range(len(raw_entries))]


def failure(exc: FhirError) -> EntryResponse:
    return EntryResponse(exc.status, outcome=operation_outcome(exc.diagnostics, exc.code, exc.expression))
