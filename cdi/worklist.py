"""The CDI specialist's worklist: open encounters ranked by expected impact x confidence."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from django.db.models import Case, Count, DecimalField, F, Max, Prefetch, Q, QuerySet, Sum, Value, When
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
        *[When(gaps__severity_effect=k, then=Value(v)) for k, v in SEVERITY_FALLBACK.items()],
        default=Value(500),
        output_field=DecimalField(max_digits=12, decimal_places=2),
    )
    return Coalesce(F("gaps__expected_impact"), fallback) * F("gaps__confidence")


def encounters(filters: Filters) -> QuerySet[Encounter]:
    gap_filter = filters.gap_q("gaps__")
    return (
        Encounter.objects.filter(filters.encounter_q())
        .filter(gap_filter)
        .annotate(
            score=Sum(gap_value(), filter=gap_filter, output_field=DecimalField(max_digits=14, decimal_places=2)),
            gap_count=Count("gaps", filter=gap_filter, distinct=True),
            latest_gap=Max("gaps__created_at", filter=gap_filter),
        )
        .select_related("patient", "attending")
        .prefetch_related(
            Prefetch("gaps", queryset=Gap.objects.filter(filters.gap_q()).order_by("-confidence"), to_attr="shown_gaps")
        )
        .order_by(F("score").desc(nulls_last=True), "-latest_gap", "id")
    )


def facet_counts(filters: Filters) -> dict[str, list[tuple[str, int]]]:
    """Gap counts per category and per status under the other filters (two queries)."""
    base = Gap.objects.filter(encounter__in=Encounter.objects.filter(filters.encounter_q()).values("id"))
    by_category = base.filter(replace(filters, category="").gap_q())
    by_status = base.filter(replace(filters, status="all").gap_q())
    return {
        "category": list(by_category.values_list("category").annotate(n=Count("id")).order_by("category")),
        "status": list(by_status.values_list("status").annotate(n=Count("id")).order_by("status")),
    }
