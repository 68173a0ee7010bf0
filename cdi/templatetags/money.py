"""Money formatting for tables with many figures: the floatformat filter's rounding (half up,
no grouping) without its localisation machinery, which dominates a dashboard's render time."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template

from cdi.worklist import round_half_up

register = template.Library()


def _places(value, places: int) -> str:
    if value is None or value == "":
        return ""
    try:
        return str(
            round_half_up(value if isinstance(value, (Decimal, float)) else Decimal(str(value)), places)
        )
    except (InvalidOperation, ValueError):
        return ""


@register.filter
def cents(value) -> str:
    """1234.5 -> "1234.50"."""
    return _places(value, 2)


@register.filter
def dollars(value) -> str:
    """1234.5 -> "1235"."""
    return _places(value, 0)
