"""The JSON intake API for integration clients (bearer-token auth, no session, no CSRF)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from functools import wraps

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from .intake import IntakeError, NoteInput, create_note, decode_note_text
from .models import Encounter, IntegrationClient, Note, Provider


def error(reason: str, status: int) -> JsonResponse:
    response = JsonResponse({"error": reason}, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="cdi"'
    return response


def client_required(view: Callable) -> Callable:
    """Authenticate an integration client by `Authorization: Bearer <token>`."""

    @csrf_exempt
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return error("Missing bearer token (Authorization: Bearer <token>).", 401)
        client = IntegrationClient.authenticate(token.strip())
        if client is None:
            return error("Invalid or revoked token.", 401)
        request.client = client
        return view(request, *args, **kwargs)

    return wrapped


def read_json_object(request: HttpRequest) -> dict:
    if request.content_type != "application/json":
        raise IntakeError("Send the note as JSON (Content-Type: application/json).", 415)
    try:
        body = request.body
    except RequestDataTooBig:
        raise IntakeError("The request body is over the size limit.", 413) from None
    try:
        payload = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise IntakeError("The request body is not valid UTF-8.", 400) from None
    except (json.JSONDecodeError, RecursionError) as exc:
        reason = getattr(exc, "msg", "too deeply nested")
        raise IntakeError(f"The request body is not valid JSON ({reason}).", 400) from None
    if not isinstance(payload, dict):
        raise IntakeError("The request body must be a JSON object.", 400)
    return payload


def _string_field(payload: dict, name: str, *, required: bool = False, max_length: int = 200) -> str:
    value = payload.get(name)
    if value is None:
        if required:
            raise IntakeError(f"'{name}' is required.", 400)
        return ""
    if not isinstance(value, str):
        raise IntakeError(f"'{name}' must be a string.", 400)
    if len(value) > max_length:
        raise IntakeError(f"'{name}' is longer than {max_length} characters.", 400)
    return value.strip()


def parse_note_payload(payload: dict) -> NoteInput:
    account = _string_field(payload, "encounter", required=True, max_length=64)
    if "text" not in payload:
        raise IntakeError("'text' is required.", 400)
    if not isinstance(payload["text"], str):
        raise IntakeError("'text' must be a string.", 400)
    text = decode_note_text(payload["text"])
    service_date = None
    if raw_date := _string_field(payload, "service_date", max_length=10):
        try:
            service_date = dt.date.fromisoformat(raw_date)
        except ValueError:
            raise IntakeError("'service_date' must be a date as YYYY-MM-DD.", 400) from None
    author = None
    if npi := _string_field(payload, "author_npi", max_length=10):
        author = Provider.objects.filter(npi=npi).first()
        if author is None:
            raise IntakeError("'author_npi' names no known provider.", 422)
    encounter = Encounter.objects.filter(account_number=account).first()
    if encounter is None:
        raise IntakeError("'encounter' names no known encounter account number.", 404)
    return NoteInput(
        encounter=encounter,
        text=text,
        note_type=_string_field(payload, "note_type", max_length=100),
        service_date=service_date,
        author=author,
        external_id=_string_field(payload, "external_id", max_length=128),
        source=Note.Source.API,
        unit=_string_field(payload, "unit", max_length=100),
    )


def note_json(note: Note, gaps: int | None = None) -> dict:
    return {
        "id": note.id,
        "encounter": note.encounter.account_number,
        "status": note.status,
        "failure_reason": note.failure_reason,
        "received_at": note.received_at.isoformat(),
        "analysed_at": note.analysed_at.isoformat() if note.analysed_at else None,
        "gaps": note.gaps.count() if gaps is None else gaps,
        "url": reverse("api-note", args=[note.id]),
    }


@require_POST
@client_required
def notes(request: HttpRequest) -> JsonResponse:
    try:
        data = parse_note_payload(read_json_object(request))
    except IntakeError as exc:
        return error(exc.reason, exc.status)
    if data.external_id:
        # The client's own id makes a retry after a lost response safe: the same note comes back.
        existing = Note.objects.filter(
            encounter=data.encounter, source=Note.Source.API, external_id=data.external_id
        ).first()
        if existing is not None:
            return JsonResponse(note_json(existing), status=200)
    note = create_note(data, actor=request.client)
    # No query after the commit: a response that fails now would hide a stored note.
    response = JsonResponse(note_json(note, gaps=0), status=201)
    response["Location"] = reverse("api-note", args=[note.id])
    return response


@require_GET
@client_required
def note_detail(request: HttpRequest, note_id: int) -> JsonResponse:
    note = Note.objects.select_related("encounter").filter(pk=note_id).first()
    if note is None:
        return error("No such note.", 404)
    return JsonResponse(note_json(note))
