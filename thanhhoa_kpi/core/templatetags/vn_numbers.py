"""Template filters for :mod:`thanhhoa_kpi.formats.numbers`: ``{% load vn_numbers %}``.

``{{ line.quantity|vn_decimal }}`` → 2,5 · ``{{ coefficient|vn_decimal:4 }}`` → 0,8 ·
``{{ count|vn_count }}`` → 2.009. Blank stays blank.
"""

from __future__ import annotations

from typing import Any

from django import template

from thanhhoa_kpi.formats.numbers import count_text, decimal_text

register = template.Library()


@register.filter
def vn_decimal(value: Any, places: int = 2) -> str:
    if value in (None, ""):
        return ""
    return decimal_text(value, int(places))


@register.filter
def vn_count(value: Any) -> str:
    if value in (None, ""):
        return ""
    try:
        return count_text(value)
    except (TypeError, ValueError):
        return str(value)
