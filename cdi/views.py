from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import gaps as gaps_service
from . import highlight
from . import worklist as worklist_queries
from .forms import NoteIntakeForm
from .gaps import DISMISS_REASONS, GapStateError
from .intake import create_note
from .models import Encounter, Gap, Note, Provider
from .permissions import (
    ADMIN,
    CDI_SPECIALIST,
    CODER,
    FINANCE,
    PHYSICIAN,
    AuthenticatedHttpRequest,
    get_note_for_user,
    has_role,
    role_required,
    user_roles,
)
from .worklist import Filters

CHART_ROLES = (CDI_SPECIALIST, CODER, ADMIN)
GAP_CATEGORIES = ("organism", "acuity", "severity", "undocumented_diagnosis")


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    return JsonResponse({"status": "ok"})


@login_required
@require_GET
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    roles = user_roles(request.user)
    if roles & {CDI_SPECIALIST, ADMIN}:
        return redirect("worklist")
    if CODER in roles:
        return redirect("coding-list")
    if PHYSICIAN in roles:
        return redirect("physician-inbox")
    if FINANCE in roles:
        return redirect("finance-dashboard")
    return render(
        request, "cdi/home.html", {"is_physician": PHYSICIAN in roles, "is_finance": FINANCE in roles}
    )


@role_required(*CHART_ROLES)
@require_GET
def note_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    notes = (
        Note.objects.select_related("encounter__patient")
        .annotate(gap_count=Count("gaps"))
        .order_by("-received_at", "-id")
    )
    status = request.GET.get("status", "")
    if status in Note.Status.values:
        notes = notes.filter(status=status)
    page = Paginator(notes, 50).get_page(request.GET.get("page"))
    pending = any(n.status in (Note.Status.RECEIVED, Note.Status.PROCESSING) for n in page)
    context = {"page": page, "status": status, "statuses": Note.Status.choices, "pending": pending}
    if request.htmx:
        return render(request, "cdi/note_list.html#note-table", context)
    return render(request, "cdi/note_list.html", context)


@role_required(CDI_SPECIALIST, ADMIN)
@require_http_methods(["GET", "POST"])
def note_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = NoteIntakeForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            note = create_note(form.note_input(), actor=request.user)
            return redirect("note-detail", note_id=note.id)
        return render(request, "cdi/note_new.html", {"form": form}, status=400)
    return render(request, "cdi/note_new.html", {"form": form})


@login_required
@require_GET
def note_detail(request: AuthenticatedHttpRequest, note_id: int) -> HttpResponse:
    note = get_note_for_user(request, note_id)
    context = {"note": note, "gaps": note.gaps.order_by("-confidence")}
    if request.htmx:
        return render(request, "cdi/note_detail.html#note-status", context)
    return render(request, "cdi/note_detail.html", context)


@role_required(CDI_SPECIALIST, ADMIN)
@require_GET
def worklist(request: AuthenticatedHttpRequest) -> HttpResponse:
    filters = Filters.from_query(request.GET)
    querystring = request.GET.urlencode()
    pending, version = worklist_queries.table_version()
    table = worklist_table(request, filters, querystring, pending, version)
    if request.htmx:
        return HttpResponse(table)
    context = {
        "filters": filters,
        "table": table,
        **filter_choices(),
        "categories": GAP_CATEGORIES,
        "statuses": Gap.Status.choices,
    }
    return render(request, "cdi/worklist.html", context)


def filter_choices() -> dict:
    """Service lines, units and attendings for the filter menus; they change rarely, so reuse them briefly."""
    key = "worklist:filter-choices"
    choices = cache.get(key) if settings.WORKLIST_CACHE_SECONDS else None
    if choices is None:
        choices = {
            "service_lines": list(
                Encounter.objects.exclude(service_line="")
                .values_list("service_line", flat=True)
                .distinct()
                .order_by("service_line")
            ),
            "units": list(
                Encounter.objects.exclude(unit="").values_list("unit", flat=True).distinct().order_by("unit")
            ),
            "attendings": list(
                Provider.objects.filter(encounters__isnull=False)
                .distinct()
                .order_by("name")
                .values_list("id", "name")
            ),
        }
        if settings.WORKLIST_CACHE_SECONDS:
            cache.set(key, choices, settings.WORKLIST_CACHE_SECONDS)
    return choices


def worklist_table(
    request: HttpRequest, filters: Filters, querystring: str, pending: int, version: str
) -> str:
    """The ranked table, cached for a few seconds under a key that changes with any gap change
    (`version`), so twenty specialists refreshing the same view do not each re-rank ten thousand gaps."""
    ttl = settings.WORKLIST_CACHE_SECONDS
    key = ""
    if ttl:
        digest = hashlib.sha256(f"{version}:{querystring}".encode()).hexdigest()[:32]
        key = f"worklist:{pending}:{digest}"
        if (cached := cache.get(key)) is not None:
            return mark_safe(cached)  # our own rendered template output
    page = worklist_queries.encounters(filters).page(request.GET.get("page"))
    context = {
        "page": page,
        "filters": filters,
        "facets": worklist_queries.facet_counts(filters),
        "pending": pending,
        "querystring": querystring,
    }
    html = render_to_string("cdi/worklist.html#worklist-table", context, request)
    if ttl:
        cache.set(key, html, ttl)
    return html


def get_encounter_for_user(request: AuthenticatedHttpRequest, encounter_id: int) -> Encounter:
    if not has_role(request.user, CDI_SPECIALIST, CODER, ADMIN):
        raise PermissionDenied("Your role does not give access to charts.")
    return get_object_or_404(Encounter.objects.select_related("patient", "attending"), pk=encounter_id)


def get_gap_for_user(request: AuthenticatedHttpRequest, gap_id: int) -> Gap:
    if not has_role(request.user, CDI_SPECIALIST, ADMIN):
        raise PermissionDenied("Only CDI specialists act on gaps.")
    return get_object_or_404(Gap.objects.select_related("note", "encounter"), pk=gap_id)


def encounter_context(encounter: Encounter) -> dict:
    notes = list(encounter.notes.order_by("service_date", "received_at"))
    gaps = list(encounter.gaps.select_related("note").order_by("status", "-confidence"))
    spans: dict[int, list[tuple[int, int, int]]] = {}
    for gap in gaps:
        if gap.status in (Gap.Status.DISMISSED, Gap.Status.SUPERSEDED):
            continue
        for ev in gap.evidence:
            spans.setdefault(gap.note_id, []).append((ev["start"], ev["end"], gap.id))
    return {
        "encounter": encounter,
        "notes": [(note, highlight.segments(note.text, spans.get(note.id, []))) for note in notes],
        "gaps": gaps,
        "dismiss_reasons": DISMISS_REASONS,
    }


@role_required(CDI_SPECIALIST, CODER, ADMIN)
@require_GET
def encounter_detail(request: AuthenticatedHttpRequest, encounter_id: int) -> HttpResponse:
    encounter = get_encounter_for_user(request, encounter_id)
    return render(request, "cdi/encounter.html", encounter_context(encounter))


@role_required(CDI_SPECIALIST, ADMIN)
@require_POST
def gap_action(request: AuthenticatedHttpRequest, gap_id: int, action: str) -> HttpResponse:
    gap = get_gap_for_user(request, gap_id)
    try:
        if action == "dismiss":
            gap = gaps_service.dismiss(gap, request.POST.get("reason", ""), request.user)
        elif action == "reopen":
            gap = gaps_service.reopen(gap, request.user)
        elif action == "resolve":
            gap = gaps_service.resolve(gap, request.user)
        else:
            return HttpResponse("Unknown action.", status=404)
    except GapStateError as exc:
        if request.htmx:
            return HttpResponse(str(exc), status=409)
        messages.error(request, str(exc))
        return redirect("encounter-detail", encounter_id=gap.encounter_id)
    if request.htmx:
        return render(
            request,
            "cdi/encounter.html#gap-card",
            {"gap": gap, "dismiss_reasons": DISMISS_REASONS},
        )
    return redirect(f"{reverse('encounter-detail', args=[gap.encounter_id])}#gap-{gap.id}")
