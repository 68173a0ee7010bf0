"""The CDI specialist's worklist: open encounters ranked by expected impact x confidence."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Case, Count, DecimalField, F, Max, Prefetch, Q, Sum, Value, When, Window
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import Encounter, Gap, Note

OPEN = (Gap.Status.OPEN, Gap.Status.QUERIED)
# Without a dollar figure, rank by the severity effect's usual size (MCC > CC > none).
SEVERITY_FALLBACK = {Gap.Severity.MCC: 3000, Gap.Severity.CC: 1500, Gap.Severity.NONE: 500}


@dataclass(frozen=True)
class Filters:
    q: str = ""
    service_line: str = ""
    unit: str = ""
    attending: str = ""
    category: str = ""
    condition: str = ""
    status: str = "open"
    since: dt.date | None = None
    new_since_yesterday: bool = False

    @classmethod
    def from_query(cls, params) -> Filters:
        since = None
        if raw := params.get("since", ""):
            try:
                since = dt.date.fromisoformat(raw)
            except ValueError:
                since = None
        status = params.get("status", "open")
        if status not in {"open", "all", *Gap.Status.values}:
            status = "open"
        return cls(
            q=params.get("q", "").strip()[:64],
            service_line=params.get("service_line", "")[:100],
            unit=params.get("unit", "")[:100],
            attending=params.get("attending", "")[:20],
            category=params.get("category", "")[:32],
            condition=params.get("condition", "")[:64],
            status=status,
            since=since,
            new_since_yesterday=params.get("new") == "1",
        )

    def gap_q(self, prefix: str = "") -> Q:
        """Conditions on gaps (optionally through a relation prefix such as 'gaps__')."""
        q = Q()
        if self.status == "open":
            q &= Q(**{f"{prefix}status__in": OPEN})
        elif self.status != "all":
            q &= Q(**{f"{prefix}status": self.status})
        if self.category:
            q &= Q(**{f"{prefix}category": self.category})
        if self.condition:
            q &= Q(**{f"{prefix}condition": self.condition})
        if self.since:
            q &= Q(**{f"{prefix}created_at__date__gte": self.since})
        if self.new_since_yesterday:
            q &= Q(**{f"{prefix}created_at__gte": timezone.now() - dt.timedelta(days=1)})
        return q

    def encounter_q(self) -> Q:
        q = Q()
        if self.q:
            q &= Q(account_number__iexact=self.q) | Q(patient__mrn__iexact=self.q)
        if self.service_line:
            q &= Q(service_line=self.service_line)
        if self.unit:
            q &= Q(unit=self.unit)
        if self.attending.isdigit():
            q &= Q(attending_id=int(self.attending))
        return q


def table_version() -> tuple[int, str]:
    """The number of notes being analysed, and a version of the gap table that any gap change
    moves: the latest change and the highest id (gaps are added and changed, never deleted; the
    admin refuses). Three index lookups in one round trip, whatever the tables' sizes."""
    gap, note = (connection.ops.quote_name(m._meta.db_table) for m in (Gap, Note))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT COUNT(*) FROM {note} WHERE status IN (%s, %s)),"
            f" (SELECT MAX(updated_at) FROM {gap}), (SELECT MAX(id) FROM {gap})",
            [Note.Status.RECEIVED, Note.Status.PROCESSING],
        )
        pending, changed, last = cursor.fetchone()
    return pending, f"{changed}/{last}"


def gap_value():
    """Expected impact x confidence per gap, as a SQL expression."""
    fallback = Case(
        *[When(severity_effect=k, then=Value(v)) for k, v in SEVERITY_FALLBACK.items()],
        default=Value(500),
        output_field=DecimalField(max_digits=12, decimal_places=2),
    )
    return Coalesce(F("expected_impact"), fallback) * F("confidence")


class RankedEncounters:
    """Encounters ranked by the summed value of their gaps under the filters.

    Ranking aggregates the gap table grouped by encounter id alone (narrow and fast), and the
    same query counts the ranked encounters (a window over the groups); only the page's
    encounters are then loaded, with just the columns the table shows."""

    def __init__(self, filters: Filters):
        self.filters = filters
        self.gaps = Gap.objects.filter(filters.gap_q())
        if filters.encounter_q():
            encounter_ids = Encounter.objects.filter(filters.encounter_q()).values("id")
            self.gaps = self.gaps.filter(encounter_id__in=encounter_ids)
        self.ranked = (
            self.gaps.values("encounter_id")
            .annotate(
                score=Sum(gap_value(), output_field=DecimalField(max_digits=14, decimal_places=2)),
                latest=Max("created_at"),
            )
            .order_by(F("score").desc(nulls_last=True), "-latest", "encounter_id")
        )

    def count(self) -> int:
        return self.gaps.values("encounter_id").distinct().count()

    def page(self, number, per_page: int = 25) -> Page:
        """The page `number` (1 for a bad number, the last one past the end), like
        Paginator.get_page, with the total taken from the page's own query."""
        try:
            number = max(1, int(number))
        except (TypeError, ValueError):
            number = 1
        rows = self.rows(number, per_page)
        if rows:
            total = rows[0]["total"]
        else:
            total = self.count()
            last = max(1, math.ceil(total / per_page))
            if number > last:
                number = last
                rows = self.rows(number, per_page)
        return Page(self.load(rows), number, Paginator(range(total), per_page))

    def rows(self, number: int, per_page: int) -> list[dict]:
        start = (number - 1) * per_page
        return list(self.ranked.annotate(total=Window(Count("*")))[start : start + per_page])

    def load(self, rows: list[dict]) -> list[Encounter]:
        shown_gaps = (
            Gap.objects.filter(self.filters.gap_q())
            .only("id", "encounter_id", "category", "condition", "confidence", "severity_effect")
            .order_by("-confidence")
        )
        by_id = (
            Encounter.objects.filter(pk__in=[r["encounter_id"] for r in rows])
            .select_related("patient", "attending")
            .only("id", "account_number", "service_line", "unit", "patient__mrn", "attending__name")
            .prefetch_related(Prefetch("gaps", queryset=shown_gaps, to_attr="shown_gaps"))
            .in_bulk()
        )
        page = []
        for row in rows:
            encounter = by_id[row["encounter_id"]]
            encounter.score_label = "" if row["score"] is None else f"{round_half_up(row['score'], 0)}"
            for gap in encounter.shown_gaps:
                gap.confidence_label = f"{round_half_up(gap.confidence, 2)}"
            page.append(encounter)
        return page


def round_half_up(value: Decimal | float, places: int) -> Decimal:
    """As the floatformat filter rounds, without its per-call cost in a 25-row loop."""
    return Decimal(repr(value) if isinstance(value, float) else value).quantize(
        Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP
    )


def encounters(filters: Filters) -> RankedEncounters:
    return RankedEncounters(filters)


def facet_counts(filters: Filters) -> dict[str, list[tuple[str, int]]]:
    """Gap counts per category (under the status filter), per status (under the category
    filter) and per unit (under both), from one GROUP BY over the gaps matching the other
    filters; each facet ignores its own filter, so its counts show what choosing another gives."""
    others = replace(filters, category="", status="all", unit="")
    base = Gap.objects.filter(others.gap_q())
    if others.encounter_q():
        base = base.filter(encounter__in=Encounter.objects.filter(others.encounter_q()).values("id"))
    by_category: dict[str, int] = {}
    by_status: dict[str, int] = {}
    by_unit: dict[str, int] = {}
    wanted_status = (
        OPEN if filters.status == "open" else None if filters.status == "all" else (filters.status,)
    )
    rows = base.values_list("encounter__unit", "category", "status").annotate(n=Count("id")).order_by()
    for unit, category, status, n in rows:
        in_unit = not filters.unit or unit == filters.unit
        in_status = wanted_status is None or status in wanted_status
        in_category = not filters.category or category == filters.category
        if in_unit and in_status:
            by_category[category] = by_category.get(category, 0) + n
        if in_unit and in_category:
            by_status[status] = by_status.get(status, 0) + n
        if unit and in_status and in_category:
            by_unit[unit] = by_unit.get(unit, 0) + n
    return {
        "category": sorted(by_category.items()),
        "status": sorted(by_status.items()),
        "unit": sorted(by_unit.items()),
    }
