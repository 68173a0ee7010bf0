"""Tags for the worklist table, where per-node template cost adds up over 25 rows of chips."""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag
def gap_chips(gaps: Iterable) -> SafeString:
    """One <li> per gap: category / condition and its confidence (each value escaped).

    A single tag instead of a {% for %} of five variables per chip: the first page's 125 chips
    cost about a tenth of the template loop."""
    return format_html_join(
        "",
        '<li class="chip chip-{}">{} / {} <small>{}</small></li>',
        ((g.severity_effect, g.category, g.condition, g.confidence_label) for g in gaps),
    )
