"""Vietnamese number and date formats for printed forms and report pages."""

from __future__ import annotations

from typing import Any

from django import template

from thanhhoa_kpi.core.templatetags.vn_numbers import vn_decimal
from thanhhoa_kpi.reports.exports import cell_text

register = template.Library()

# 81.5 → "81,5", 4.50 → "4,5" (at most the given places); blank stays blank.
register.filter("vn", vn_decimal)


@register.filter
def cell(value: Any) -> str:
    return cell_text(value)
