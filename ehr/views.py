"""The FHIR endpoints: every answer is a FHIR resource, every refusal an OperationOutcome with a 4xx."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from cdi.api import client_required

from .bundles import process_bundle
from .inbound import CREATED, Resolver, accept
from .outbound import FHIR_JSON, capability_statement, operation_outcome, response_bundle
from .parsing import FhirError, load_json, parse_resource

log = logging.getLogger(__name__)
ACCEPTED_CONTENT_TYPES = ("application/fhir+json", "application/json")


def max_bytes() -> int:
    """Largest request body; a Bundle may carry several notes, so by default ten notes' worth."""
    return getattr(settings, "FHIR_MAX_BYTES", 10 * settings.NOTE_MAX_BYTES)


def fhir_response(body: dict, status: int = 200) -> HttpResponse:
    return HttpResponse(json.dumps(body), status=status, content_type=f"{FHIR_JSON}; charset=utf-8")


def outcome_response(exc: FhirError) -> HttpResponse:
    response = fhir_response(operation_outcome(exc.diagnostics, exc.code, exc.expression), exc.status)
    if exc.status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="cdi"'
    return response


def fhir_view(methods: tuple[str, ...], authenticated: bool = True) -> Callable:
    """Method check, bearer-token auth (cdi.api.client_required, answered as OperationOutcome) and a
    last-resort guard, so a bug is a logged 500 OperationOutcome without PHI, never an HTML page."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def guarded(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            try:
                return view(request, *args, **kwargs)
            except FhirError as exc:
                return outcome_response(exc)
            except Exception as exc:
                # The type only: messages of parsing and database errors can quote submitted values.
                log.error("FHIR %s %s failed: %s", request.method, view.__name__, type(exc).__name__)
                return outcome_response(
                    FhirError(500, "The server failed to process the request.", "exception")
                )

        inner = client_required(guarded) if authenticated else guarded

        @csrf_exempt
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method not in methods:
                response = outcome_response(
                    FhirError(
                        405,
                        f"{request.method} is not supported here; use {' or '.join(methods)}.",
                        "not-supported",
                    )
                )
                response["Allow"] = ", ".join(methods)
                return response
            response = inner(request, *args, **kwargs)
            if response.status_code == 401 and not response["Content-Type"].startswith(FHIR_JSON):
                reason = json.loads(response.content).get("error", "Authentication required.")
                return outcome_response(FhirError(401, reason, "login"))
            return response

        return wrapped

    return decorate


def read_body(request: HttpRequest) -> object:
    """The JSON body, after the checks that need no parsing: media type, then size."""
    if request.content_type not in ACCEPTED_CONTENT_TYPES:
        raise FhirError(
            415, "Send FHIR JSON (Content-Type: application/fhir+json or application/json).", "not-supported"
        )
    limit = max_bytes()
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        raise FhirError(
            413, f"The request is {declared:,} bytes; the limit is {limit:,} bytes.", "too-costly"
        )
    # Read the stream directly: request.body would apply DATA_UPLOAD_MAX_MEMORY_SIZE, sized for one note.
    raw = request.read(limit + 1)
    if len(raw) > limit:
        raise FhirError(413, f"The request is over the limit of {limit:,} bytes.", "too-costly")
    return load_json(raw)


@fhir_view(("GET",), authenticated=False)
def metadata(request: HttpRequest) -> HttpResponse:
    return fhir_response(capability_statement(request.build_absolute_uri("/fhir"), max_bytes()))


@fhir_view(("POST",))
def bundle(request: HttpRequest) -> HttpResponse:
    bundle_type, entries = process_bundle(read_body(request), request.client)
    log.info(
        "FHIR %s bundle from client %s: %d entries, %d created",
        bundle_type,
        request.client.pk,
        len(entries),
        sum(1 for e in entries if e.status == 201),
    )
    return fhir_response(response_bundle(bundle_type, entries))


@fhir_view(("POST",))
def document_reference(request: HttpRequest) -> HttpResponse:
    data = parse_resource(read_body(request), expected="DocumentReference")
    try:
        with transaction.atomic():
            accepted = accept(data, request.client, Resolver())
    except IntegrityError:
        raise FhirError(409, "The DocumentReference conflicts with a stored record.", "conflict") from None
    except DatabaseError:
        raise FhirError(
            422, "A value of the DocumentReference is out of range for storage.", "invalid"
        ) from None
    created = accepted.outcome == CREATED
    log.info("FHIR DocumentReference -> note %s (%s)", accepted.local_id, accepted.outcome)
    location = f"DocumentReference/{accepted.fhir_id}"
    body = operation_outcome(
        f"{location} {accepted.outcome}: note {accepted.local_id}.", "informational", severity="information"
    )
    response = fhir_response(body, 201 if created else 200)
    response["Location"] = location
    return response


def _encounter_param(request: HttpRequest):
    from .communication import find_encounter

    param = request.GET.get("encounter", "").strip()
    if not param:
        raise FhirError(
            400, "Search by encounter: ?encounter=Encounter/<id> or an account number.", "required"
        )
    encounter = find_encounter(param[:200])
    if encounter is None:
        raise FhirError(404, "No encounter matches the encounter parameter.", "not-found")
    return encounter


@fhir_view(("GET",))
def communications(request: HttpRequest) -> HttpResponse:
    """Sent queries (and answers) of one encounter, for the EHR's in-basket."""
    from cdi.models import Query

    from .communication import query_resources, searchset

    encounter = _encounter_param(request)
    queries = (
        Query.objects.filter(encounter=encounter, status__in=(Query.Status.SENT, Query.Status.ANSWERED))
        .select_related("encounter__patient", "addressed_to", "gap", "response__responder")
        .order_by("sent_at")
    )
    resources = [r for q in queries for r in query_resources(q)]
    return fhir_response(searchset(resources, request.build_absolute_uri("/fhir")))


@fhir_view(("GET",))
def conditions(request: HttpRequest) -> HttpResponse:
    """The encounter's coded diagnoses, as accepted by the coder."""
    from .communication import condition_resources, searchset

    encounter = _encounter_param(request)
    return fhir_response(searchset(condition_resources(encounter), request.build_absolute_uri("/fhir")))
