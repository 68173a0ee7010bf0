"""Finance: the revenue-impact dashboard, its CSV exports and the ROI calculator."""

from __future__ import annotations

import csv
from dataclasses import fields as dc_fields
from decimal import Decimal, InvalidOperation

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import finance
from .models import Encounter
from .permissions import ADMIN, FINANCE, AuthenticatedHttpRequest, role_required

TABLE_TITLES = {
    "over_time": "Over time",
    "category": "By category",
    "condition": "By condition",
    "physician": "By physician",
    "service_line": "By service line",
}


def _table(dashboard: finance.Dashboard, name: str) -> list[finance.Row]:
    if name == "over_time":
        return dashboard.over_time
    if name in dashboard.tables:
        return dashboard.tables[name]
    raise Http404("No such table.")


@role_required(FINANCE, ADMIN)
@require_GET
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    scope = finance.Scope.from_query(request.GET)
    dash = finance.build(scope)
    chart = {
        "labels": [row.key for row in dash.over_time],
        "realised": [float(row.realised) for row in dash.over_time],
        "pending": [float(row.pending) for row in dash.over_time],
        "lost": [float(row.lost) for row in dash.over_time],
        "categories": [row.key for row in dash.tables["category"]],
        "category_realised": [float(row.realised) for row in dash.tables["category"]],
    }
    context = {
        "dash": dash,
        "chart": chart,
        "tables": [(name, title, _table(dash, name)) for name, title in TABLE_TITLES.items()],
        "querystring": request.GET.urlencode(),
        "service_lines": Encounter.objects.exclude(service_line="")
        .values_list("service_line", flat=True)
        .distinct()
        .order_by("service_line"),
    }
    return render(request, "cdi/finance_dashboard.html", context)


@role_required(FINANCE, ADMIN)
@require_GET
def export_csv(request: AuthenticatedHttpRequest, table: str) -> HttpResponse:
    dash = finance.build(finance.Scope.from_query(request.GET))
    rows = _table(dash, table)
    response = HttpResponse(content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="cdi-impact-{table}.csv"'
    writer = csv.writer(response)
    writer.writerow(finance.Row.CSV_HEADER)
    for row in rows:
        writer.writerow(row.csv())
    return response


@role_required(FINANCE, ADMIN)
@require_GET
def roi(request: AuthenticatedHttpRequest) -> HttpResponse:
    measured = finance.measured_roi_defaults()
    defaults = {**finance.RoiInputs().__dict__, **measured}
    values, errors = {}, []
    for f in dc_fields(finance.RoiInputs):
        raw = request.GET.get(f.name, "")
        if raw == "":
            values[f.name] = defaults[f.name]
            continue
        try:
            number = Decimal(raw)
            if number < 0 or number > Decimal("1e12"):
                raise InvalidOperation
            values[f.name] = int(number) if f.type in ("int", int) else number
        except (InvalidOperation, ValueError):
            errors.append(f"{f.name.replace('_', ' ')} must be a non-negative number")
            values[f.name] = defaults[f.name]
    inputs = finance.RoiInputs(**values)
    status = 400 if errors else 200
    context = {
        "inputs": inputs,
        "result": finance.roi(inputs),
        "errors": errors,
        "measured": measured,
    }
    return render(request, "cdi/roi.html", context, status=status)
