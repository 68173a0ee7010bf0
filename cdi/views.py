from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from .forms import NoteIntakeForm
from .intake import create_note
from .models import Note
from .permissions import (
    ADMIN,
    CDI_SPECIALIST,
    CODER,
    FINANCE,
    PHYSICIAN,
    AuthenticatedHttpRequest,
    get_note_for_user,
    role_required,
    user_roles,
)

CHART_ROLES = (CDI_SPECIALIST, CODER, ADMIN)


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
    if roles & {CDI_SPECIALIST, CODER, ADMIN}:
        return redirect("note-list")
    return render(
        request, "cdi/home.html", {"is_physician": PHYSICIAN in roles, "is_finance": FINANCE in roles}
    )


@role_required(*CHART_ROLES)
@require_GET
def note_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    notes = Note.objects.select_related("encounter__patient").order_by("-received_at", "-id")
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
