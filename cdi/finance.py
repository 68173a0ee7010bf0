"""Finance figures: realised, pending and lost impact, rates and case-mix index.

One query fetches the queries in scope; every table is built from those rows in Python, so the
charts, the tables and the CSV exports can never disagree."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Avg, Q

from .models import Encounter, Query, Response

ZERO = Decimal("0.00")
GROUPINGS = {
    "category": "gap__category",
    "condition": "gap__condition",
    "physician": "addressed_to__name",
    "service_line": "encounter__service_line",
}


@dataclass(frozen=True)
class Scope:
    start: dt.date | None = None
    end: dt.date | None = None
    service_line: str = ""
    period: str = "week"

    @classmethod
    def from_query(cls, params) -> Scope:
        def day(name: str) -> dt.date | None:
            try:
                return dt.date.fromisoformat(params.get(name, ""))
            except ValueError:
                return None

        period = params.get("period", "week")
        return cls(
            day("start"),
            day("end"),
            params.get("service_line", "")[:100],
            period if period in ("week", "month") else "week",
        )


@dataclass
class Row:
    key: str
    sent: int = 0
    answered: int = 0
    agreed: int = 0
    realised: Decimal = ZERO
    pending: Decimal = ZERO
    lost: Decimal = ZERO
    estimated: bool = False

    CSV_HEADER = ("key", "sent", "answered", "agreed", "realised", "pending", "lost", "includes_estimates")

    def csv(self) -> tuple:
        return (
            self.key,
            self.sent,
            self.answered,
            self.agreed,
            self.realised,
            self.pending,
            self.lost,
            self.estimated,
        )


@dataclass
class Summary:
    sent: int
    answered: int
    agreed: int
    realised: Decimal
    pending: Decimal
    lost: Decimal
    response_rate: float | None
    agreement_rate: float | None
    median_response_hours: float | None
    cmi_before: Decimal | None
    cmi_after: Decimal | None
    cmi_encounters: int
    includes_estimates: bool


@dataclass
class Dashboard:
    scope: Scope
    summary: Summary
    over_time: list[Row] = field(default_factory=list)
    tables: dict[str, list[Row]] = field(default_factory=dict)


def _rows(scope: Scope) -> list[dict]:
    qs = Query.objects.exclude(status__in=(Query.Status.DRAFT, Query.Status.WITHDRAWN)).filter(
        sent_at__isnull=False
    )
    if scope.start:
        qs = qs.filter(sent_at__date__gte=scope.start)
    if scope.end:
        qs = qs.filter(sent_at__date__lte=scope.end)
    if scope.service_line:
        qs = qs.filter(encounter__service_line=scope.service_line)
    return list(
        qs.values(
            "id",
            "status",
            "sent_at",
            "encounter_id",
            "gap__expected_impact",
            "response__outcome",
            "response__responded_at",
            "response__realised_amount",
            "response__impact_is_estimate",
            "gap__impact_is_estimate",
            *GROUPINGS.values(),
        )
    )


def _period_start(moment: dt.datetime, period: str) -> dt.date:
    day = moment.date()
    return day.replace(day=1) if period == "month" else day - dt.timedelta(days=day.weekday())


def _add(row: Row, r: dict, *, count: bool = True, money: bool = True) -> None:
    outcome = r["response__outcome"]
    expected = r["gap__expected_impact"] or ZERO
    if count:
        row.sent += 1
        row.answered += outcome is not None
        row.agreed += outcome == Response.Outcome.AGREED
    if not money:
        return
    if r["status"] == Query.Status.SENT:
        row.pending += expected
        row.estimated |= bool(r["gap__impact_is_estimate"])
    elif outcome == Response.Outcome.AGREED:
        row.realised += r["response__realised_amount"] or ZERO
        row.estimated |= bool(r["response__impact_is_estimate"])
    elif outcome is not None:
        row.lost += expected
        row.estimated |= bool(r["gap__impact_is_estimate"])


def build(scope: Scope) -> Dashboard:
    rows = _rows(scope)
    total = Row("total")
    for r in rows:
        _add(total, r)

    # Over time: money lands in the period it was decided (answered), pending in the period sent.
    periods: dict[dt.date, Row] = {}
    for r in rows:
        sent_period = _period_start(r["sent_at"], scope.period)
        periods.setdefault(sent_period, Row(sent_period.isoformat()))
        _add(periods[sent_period], r, money=False)
        decided = r["response__responded_at"] or r["sent_at"]
        money_period = _period_start(decided, scope.period)
        periods.setdefault(money_period, Row(money_period.isoformat()))
        _add(periods[money_period], r, count=False)

    tables: dict[str, list[Row]] = {}
    for name, column in GROUPINGS.items():
        grouped: dict[str, Row] = defaultdict(lambda: Row(""))
        for r in rows:
            key = r[column] or "(none)"
            grouped[key].key = key
            _add(grouped[key], r)
        tables[name] = sorted(grouped.values(), key=lambda row: (-row.realised, row.key))

    hours = [
        (r["response__responded_at"] - r["sent_at"]).total_seconds() / 3600
        for r in rows
        if r["response__responded_at"] is not None
    ]
    encounter_ids = {r["encounter_id"] for r in rows if r["response__outcome"] == Response.Outcome.AGREED}
    cmi = Encounter.objects.filter(
        Q(pk__in=encounter_ids), baseline_weight__isnull=False, cdi_weight__isnull=False
    )
    cmi_values = cmi.aggregate(before=Avg("baseline_weight"), after=Avg("cdi_weight"))
    summary = Summary(
        sent=total.sent,
        answered=total.answered,
        agreed=total.agreed,
        realised=total.realised,
        pending=total.pending,
        lost=total.lost,
        response_rate=total.answered / total.sent if total.sent else None,
        agreement_rate=total.agreed / total.answered if total.answered else None,
        median_response_hours=statistics.median(hours) if hours else None,
        cmi_before=_round(cmi_values["before"]),
        cmi_after=_round(cmi_values["after"]),
        cmi_encounters=cmi.count(),
        includes_estimates=total.estimated,
    )
    return Dashboard(scope, summary, [periods[k] for k in sorted(periods)], tables)


def _round(value) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(Decimal("0.0001"))


@dataclass(frozen=True)
class RoiInputs:
    cdi_staff: int = 4
    salary: Decimal = Decimal("95000")
    hours_per_week: Decimal = Decimal("40")
    queries_per_year: int = 3000
    agreement_rate: Decimal = Decimal("0.75")
    average_realised: Decimal = Decimal("1200")
    minutes_saved_per_query: Decimal = Decimal("10")
    deployment_cost: Decimal = Decimal("150000")
    annual_running_cost: Decimal = Decimal("30000")


@dataclass(frozen=True)
class RoiResult:
    revenue: Decimal
    staff_time_value: Decimal
    annual_value: Decimal
    net_annual_value: Decimal
    payback_months: Decimal | None


def roi(inputs: RoiInputs) -> RoiResult:
    """annual value = queries x agreement rate x average realised per agreed query
                      + queries x minutes saved / 60 x hourly staff cost;
    payback (months) = deployment cost / (annual value - running cost) x 12."""
    revenue = Decimal(inputs.queries_per_year) * inputs.agreement_rate * inputs.average_realised
    hourly = inputs.salary / (inputs.hours_per_week * 52) if inputs.hours_per_week else Decimal(0)
    staff = Decimal(inputs.queries_per_year) * inputs.minutes_saved_per_query / 60 * hourly
    annual = (revenue + staff).quantize(Decimal("0.01"))
    net = (annual - inputs.annual_running_cost).quantize(Decimal("0.01"))
    payback = (inputs.deployment_cost / net * 12).quantize(Decimal("0.1")) if net > 0 else None
    return RoiResult(revenue.quantize(Decimal("0.01")), staff.quantize(Decimal("0.01")), annual, net, payback)


def measured_roi_defaults() -> dict:
    """Defaults from the product's own data where it has them (last 365 days)."""
    since = dt.date.today() - dt.timedelta(days=365)
    dash = build(Scope(start=since))
    out = {}
    if dash.summary.sent:
        out["queries_per_year"] = dash.summary.sent
    if dash.summary.agreement_rate is not None:
        out["agreement_rate"] = Decimal(str(round(dash.summary.agreement_rate, 3)))
    if dash.summary.agreed:
        out["average_realised"] = (dash.summary.realised / dash.summary.agreed).quantize(Decimal("0.01"))
    return out
