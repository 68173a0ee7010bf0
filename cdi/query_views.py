"""Views for physician queries: the specialist's drafting and sending, the physician's answer."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from . import querying
from .forms import QueryAnswerForm, QueryWordingForm
from .models import Gap, Provider, Query
from .permissions import ADMIN, CDI_SPECIALIST, PHYSICIAN, AuthenticatedHttpRequest, has_role, role_required


def get_query_for_user(request: AuthenticatedHttpRequest, query_id: int) -> Query:
    """Specialists and admins see every query; a physician only the queries addressed to them."""
    query = get_object_or_404(
        Query.objects.select_related("gap__note", "encounter__patient", "addressed_to", "created_by"),
        pk=query_id,
    )
    if has_role(request.user, CDI_SPECIALIST, ADMIN):
        return query
    provider = getattr(request.user, "provider", None)
    if has_role(request.user, PHYSICIAN) and provider is not None and query.addressed_to_id == provider.pk:
        return query
    raise Http404("No such query.")


def _providers():
    return Provider.objects.order_by("name")


@role_required(CDI_SPECIALIST, ADMIN)
@require_http_methods(["GET", "POST"])
def query_draft(request: AuthenticatedHttpRequest, gap_id: int) -> HttpResponse:
    gap = get_object_or_404(
        Gap.objects.select_related("note", "encounter__patient", "encounter__attending"), pk=gap_id
    )
    if gap.status != Gap.Status.OPEN:
        messages.error(request, "Queries can be drafted only for open gaps.")
        return redirect("encounter-detail", encounter_id=gap.encounter_id)
    template = querying.active_template(gap.category, gap.condition)
    if request.method == "POST":
        form = QueryWordingForm(request.POST, providers=_providers())
        if form.is_valid():
            try:
                query = querying.create_query(
                    gap, form.cleaned_data["addressed_to"], form.wording(), request.user, template
                )
            except querying.QueryError as exc:
                form.add_error(None, str(exc))
            else:
                return redirect("query-detail", query_id=query.id)
        return render(request, "cdi/query_draft.html", {"gap": gap, "form": form}, status=400)
    addressed_to = gap.encounter.attending
    try:
        draft = querying.draft_for_gap(gap, addressed_to, request.user)
    except querying.QueryError as exc:
        messages.error(request, str(exc))
        return redirect("encounter-detail", encounter_id=gap.encounter_id)
    form = QueryWordingForm.from_draft(draft, addressed_to, providers=_providers())
    return render(request, "cdi/query_draft.html", {"gap": gap, "form": form, "draft": draft})


@role_required(CDI_SPECIALIST, ADMIN)
@require_http_methods(["GET", "POST"])
def query_detail(request: AuthenticatedHttpRequest, query_id: int) -> HttpResponse:
    query = get_query_for_user(request, query_id)
    version = query.current_version
    if request.method == "POST":
        form = QueryWordingForm(request.POST, providers=_providers(), edit=True)
        if form.is_valid():
            try:
                querying.edit_query(query, form.wording(), request.user)
            except querying.QueryError as exc:
                messages.error(request, str(exc))
            return redirect("query-detail", query_id=query.id)
    else:
        form = QueryWordingForm.from_version(version, providers=_providers())
    context = {
        "query": query,
        "version": version,
        "versions": query.versions.order_by("-number"),
        "form": form,
        "link": querying.link_url(query) if query.status == Query.Status.SENT else "",
        "response": getattr(query, "response", None),
    }
    return render(request, "cdi/query_detail.html", context, status=400 if request.method == "POST" else 200)


@role_required(CDI_SPECIALIST, ADMIN)
@require_POST
def query_send(request: AuthenticatedHttpRequest, query_id: int) -> HttpResponse:
    query = get_query_for_user(request, query_id)
    try:
        querying.send_query(query, request.user)
        messages.success(request, "Query sent; the physician was e-mailed a single-use link.")
    except querying.QueryError as exc:
        messages.error(request, str(exc))
    return redirect("query-detail", query_id=query.id)


@role_required(CDI_SPECIALIST, ADMIN)
@require_POST
def query_withdraw(request: AuthenticatedHttpRequest, query_id: int) -> HttpResponse:
    query = get_query_for_user(request, query_id)
    try:
        querying.withdraw_query(query, request.user)
        messages.success(request, "Query withdrawn.")
    except querying.QueryError as exc:
        messages.error(request, str(exc))
    return redirect("query-detail", query_id=query.id)


@role_required(PHYSICIAN)
def physician_inbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    provider = getattr(request.user, "provider", None)
    queries = (
        Query.objects.filter(addressed_to=provider).exclude(status=Query.Status.DRAFT).order_by("-sent_at")
        if provider
        else Query.objects.none()
    )
    return render(request, "cdi/physician_inbox.html", {"queries": queries[:200], "provider": provider})


def _answer_page(
    request: HttpRequest, query: Query, responder: Provider, via_link: bool, action: str
) -> HttpResponse:
    version = query.current_version
    form = QueryAnswerForm(request.POST or None, version=version)
    if request.method == "POST" and form.is_valid():
        try:
            querying.answer_query(
                query,
                form.cleaned_data["choice"],
                form.cleaned_data["other_text"],
                form.cleaned_data["comment"],
                responder,
                via_link=via_link,
                actor=request.user if request.user.is_authenticated else None,
            )
        except querying.QueryError as exc:
            form.add_error(None, str(exc))
        else:
            return render(request, "cdi/query_thanks.html", {"query": query})
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "cdi/query_answer.html",
        {"query": query, "version": version, "form": form, "action": action},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def query_answer(request: HttpRequest, token: str) -> HttpResponse:
    """The signed, single-use link: the query alone, no other chart data, no login needed."""
    try:
        query = querying.query_from_link(token)
    except querying.LinkError as exc:
        status = 400 if exc.title == "Invalid link" else 410
        return render(
            request, "cdi/query_link_error.html", {"title": exc.title, "message": str(exc)}, status=status
        )
    return _answer_page(request, query, query.addressed_to, via_link=True, action=request.path)


@role_required(PHYSICIAN)
@require_http_methods(["GET", "POST"])
def physician_query(request: AuthenticatedHttpRequest, query_id: int) -> HttpResponse:
    query = get_query_for_user(request, query_id)
    if query.status != Query.Status.SENT:
        return render(
            request,
            "cdi/query_link_error.html",
            {"title": "Nothing to answer", "message": f"This query is {query.get_status_display().lower()}."},
            status=410,
        )
    if query.addressed_to.user_id != request.user.pk:
        raise PermissionDenied
    return _answer_page(request, query, query.addressed_to, via_link=False, action=request.path)
