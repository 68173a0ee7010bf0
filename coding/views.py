from __future__ import annotations

import logging

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from cdi import highlight
from cdi.models import Encounter
from cdi.permissions import ADMIN, CODER, AuthenticatedHttpRequest, role_required

from . import codeset, workflow
from .models import CodeSuggestion
from .workflow import CodingError

log = logging.getLogger(__name__)
CODING_ROLES = (CODER, ADMIN)
ACTIONS = ("accept", "reject", "edit", "principal")


def _get_encounter(encounter_id: int) -> Encounter:
    return get_object_or_404(Encounter.objects.select_related("patient"), pk=encounter_id)


def _get_suggestion(suggestion_id: int) -> CodeSuggestion:
    return get_object_or_404(CodeSuggestion.objects.select_related("encounter"), pk=suggestion_id)


def _panel_context(encounter: Encounter) -> dict:
    coding = workflow.coding_for(encounter)
    suggestions = list(
        encounter.code_suggestions.select_related("decided_by").order_by("-is_principal", "rank", "id")
    )
    return {
        "encounter": encounter,
        "coding": coding,
        "suggestions": suggestions,
        "drg": workflow.drg_for(encounter) if encounter.principal_diagnosis else None,
        "pending": sum(s.status == CodeSuggestion.Status.PENDING for s in suggestions),
    }


def _screen_context(encounter: Encounter) -> dict:
    context = _panel_context(encounter)
    spans: dict[int, list[tuple[int, int, int]]] = {}
    for suggestion in context["suggestions"]:
        if suggestion.status == CodeSuggestion.Status.REJECTED:
            continue
        for item in suggestion.evidence:
            spans.setdefault(item["note_id"], []).append((item["start"], item["end"], suggestion.id))
    notes = list(encounter.notes.order_by("service_date", "received_at", "id"))
    context["notes"] = [(note, highlight.segments(note.text, spans.get(note.id, []))) for note in notes]
    return context


def _respond_panel(request: AuthenticatedHttpRequest, encounter: Encounter, error: str = "") -> HttpResponse:
    if request.htmx:
        context = _panel_context(encounter) | {"error": error}
        return render(request, "coding/encounter.html#codes-panel", context, status=409 if error else 200)
    if error:
        messages.error(request, error)
    return redirect("coding-screen", encounter_id=encounter.id)


@role_required(*CODING_ROLES)
@require_GET
def coding_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    encounters = Encounter.objects.select_related("patient", "coding").order_by("-discharged_at", "-id")[:200]
    return render(request, "coding/list.html", {"encounters": encounters})


@role_required(*CODING_ROLES)
@require_GET
def coding_screen(request: AuthenticatedHttpRequest, encounter_id: int) -> HttpResponse:
    encounter = _get_encounter(encounter_id)
    return render(request, "coding/encounter.html", _screen_context(encounter))


@role_required(*CODING_ROLES)
@require_POST
def request_suggestions(request: AuthenticatedHttpRequest, encounter_id: int) -> HttpResponse:
    encounter = _get_encounter(encounter_id)
    try:
        enqueue = workflow.request_suggestions(encounter, request.user)
    except CodingError as exc:
        return _respond_panel(request, encounter, str(exc))
    if enqueue:
        transaction.on_commit(lambda: _enqueue(encounter.id))
    messages.info(request, "Suggestions requested; they appear when the worker has read the notes.")
    return redirect("coding-screen", encounter_id=encounter.id)


def _enqueue(encounter_id: int) -> None:
    from .tasks import suggest_codes

    try:
        suggest_codes.apply_async((encounter_id,), retry=False)
    except Exception as exc:  # broker down: the request stays 'requested' and can be re-sent
        log.warning("could not enqueue coding of encounter %s (%s)", encounter_id, type(exc).__name__)


@role_required(*CODING_ROLES)
@require_POST
def suggestion_action(request: AuthenticatedHttpRequest, suggestion_id: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        return HttpResponse("Unknown action.", status=404)
    suggestion = _get_suggestion(suggestion_id)
    try:
        if action == "accept":
            workflow.accept(suggestion, request.user)
        elif action == "reject":
            workflow.reject(suggestion, request.user)
        elif action == "edit":
            workflow.edit(suggestion, request.POST.get("code", ""), request.user)
        else:
            workflow.make_principal(suggestion, request.user)
    except CodingError as exc:
        return _respond_panel(request, suggestion.encounter, str(exc))
    suggestion.encounter.refresh_from_db()
    return _respond_panel(request, suggestion.encounter)


@role_required(*CODING_ROLES)
@require_POST
def add_code(request: AuthenticatedHttpRequest, encounter_id: int) -> HttpResponse:
    encounter = _get_encounter(encounter_id)
    try:
        workflow.add_code(encounter, request.POST.get("code", ""), request.user)
    except CodingError as exc:
        return _respond_panel(request, encounter, str(exc))
    encounter.refresh_from_db()
    return _respond_panel(request, encounter)


@role_required(*CODING_ROLES)
@require_GET
def search_codes(request: AuthenticatedHttpRequest, encounter_id: int) -> HttpResponse:
    encounter = _get_encounter(encounter_id)
    query = request.GET.get("q", "")[:100]
    results = codeset.search(query, limit=25) if len(query.strip()) >= 2 else []
    context = {"encounter": encounter, "query": query, "results": results}
    if request.htmx:
        return render(request, "coding/encounter.html#search-results", context)
    return render(request, "coding/encounter.html", _screen_context(encounter) | context)


@role_required(*CODING_ROLES)
@require_POST
def complete(request: AuthenticatedHttpRequest, encounter_id: int) -> HttpResponse:
    encounter = _get_encounter(encounter_id)
    try:
        workflow.complete(encounter, request.user)
    except CodingError as exc:
        return _respond_panel(request, encounter, str(exc))
    return _respond_panel(request, encounter)


@role_required(*CODING_ROLES)
@require_POST
def reopen(request: AuthenticatedHttpRequest, encounter_id: int) -> HttpResponse:
    encounter = _get_encounter(encounter_id)
    try:
        workflow.reopen(encounter, request.user)
    except CodingError as exc:
        return _respond_panel(request, encounter, str(exc))
    return redirect(reverse("coding-screen", args=[encounter.id]))
