"""Tags for the worklist page, where per-node template cost adds up: 25 rows of gap chips and
filter menus listing every attending, unit and service line, on every view and refresh."""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.simple_tag
def gap_chips(gaps: Iterable) -> SafeString:
    """One <li> per gap: category / condition and its confidence label, each value escaped."""
    return mark_safe(
        "".join(
            f'<li class="chip chip-{escape(g.severity_effect)}">{escape(g.category)} / {escape(g.condition)}'
            f" <small>{escape(g.confidence_label)}</small></li>"
            for g in gaps
        )
    )


@register.simple_tag
def options(choices: Iterable, selected: object = "") -> SafeString:
    """<option> elements for (value, label) pairs or plain strings, marking `selected`."""
    selected = str(selected)
    html = []
    for choice in choices:
        value, label = (choice, choice) if isinstance(choice, str) else (str(choice[0]), choice[1])
        mark = " selected" if value == selected else ""
        html.append(f'<option value="{escape(value)}"{mark}>{escape(label)}</option>')
    return mark_safe("".join(html))
