"""The CDI specialist's worklist: open encounters ranked by expected impact x confidence."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from django.db.models import Case, Count, DecimalField, F, Max, Prefetch, Q, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import Encounter, Gap

OPEN = (Gap.Status.OPEN, Gap.Status.QUERIED)
# Without a dollar figure, rank by the severity effect's usual size (MCC > CC > none).
SEVERITY_FALLBACK = {Gap.Severity.MCC: 3000, Gap.Severity.CC: 1500, Gap.Severity.NONE: 500}


@dataclass(frozen=True)
class Filters:
    q: str = ""
    service_line: str = ""
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
        if self.attending.isdigit():
            q &= Q(attending_id=int(self.attending))
        return q


def gap_value():
    """Expected impact x confidence per gap, as a SQL expression."""
    fallback = Case(
        *[When(severity_effect=k, then=Value(v)) for k, v in SEVERITY_FALLBACK.items()],
        default=Value(500),
        output_field=DecimalField(max_digits=12, decimal_places=2),
    )
    return Coalesce(F("expected_impact"), fallback) * F("confidence")


class RankedEncounters:
    """A lazily sliced, ranked list of encounters for Paginator.

    Ranking aggregates the gap table grouped by encounter id alone (narrow and fast); only the
    page's encounters are then loaded with their patient, attending and shown gaps."""

    def __init__(self, filters: Filters):
        self.filters = filters
        encounter_ids = Encounter.objects.filter(filters.encounter_q()).values("id")
        self.gaps = Gap.objects.filter(filters.gap_q())
        if filters.encounter_q():
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

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        rows = list(self.ranked[index]) if isinstance(index, slice) else [self.ranked[index]]
        by_id = (
            Encounter.objects.filter(pk__in=[r["encounter_id"] for r in rows])
            .select_related("patient", "attending")
            .prefetch_related(
                Prefetch(
                    "gaps",
                    queryset=Gap.objects.filter(self.filters.gap_q()).order_by("-confidence"),
                    to_attr="shown_gaps",
                )
            )
            .in_bulk()
        )
        page = []
        for row in rows:
            encounter = by_id[row["encounter_id"]]
            encounter.score = row["score"]
            page.append(encounter)
        return page if isinstance(index, slice) else page[0]


def encounters(filters: Filters) -> RankedEncounters:
    return RankedEncounters(filters)


def facet_counts(filters: Filters) -> dict[str, list[tuple[str, int]]]:
    """Gap counts per category (under the status filter) and per status (under the category
    filter), from one GROUP BY over the gaps matching the other filters."""
    base = Gap.objects.filter(replace(filters, category="", status="all").gap_q())
    if filters.encounter_q():
        base = base.filter(encounter__in=Encounter.objects.filter(filters.encounter_q()).values("id"))
    by_category: dict[str, int] = {}
    by_status: dict[str, int] = {}
    wanted_status = (
        OPEN if filters.status == "open" else None if filters.status == "all" else (filters.status,)
    )
    for category, status, n in base.values_list("category", "status").annotate(n=Count("id")).order_by():
        if wanted_status is None or status in wanted_status:
            by_category[category] = by_category.get(category, 0) + n
        if not filters.category or category == filters.category:
            by_status[status] = by_status.get(status, 0) + n
    return {"category": sorted(by_category.items()), "status": sorted(by_status.items())}
