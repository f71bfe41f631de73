"""Vietnamese number and date formats for printed forms and report pages."""

from __future__ import annotations

from typing import Any

from django import template

from thanhhoa_kpi.reports.exports import cell_text, vn_number

register = template.Library()


@register.filter
def vn(value: Any, places: int = 2) -> str:
    """81.5 → "81,50"; blank stays blank."""
    if value in (None, ""):
        return ""
    try:
        return vn_number(value, int(places))
    except (ArithmeticError, ValueError, TypeError):
        return str(value)


@register.filter
def cell(value: Any) -> str:
    return cell_text(value)
