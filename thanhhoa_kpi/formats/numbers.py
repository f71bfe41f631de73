"""Numbers as people read them on the desk, in reports and on printed forms.

One notation everywhere, the one the score explanations already use
(:func:`thanhhoa_kpi.scoring.explain.num`):

- a decimal (a score, a rate, a quantity, a coefficient): a comma before the decimals, at
  most ``places`` of them with trailing zeros dropped, a dot between thousands:
  0,2 · 0,8 · 4,5 · 81 · 1.234,5 (:func:`decimal_text`);
- a count in a sentence ("Hiển thị 1–50 / 2.009"): a dot between thousands
  (:func:`count_text`);
- every other whole number (years, months, ids, codes, levels, the cells of a table):
  plain digits, 2026 — Django's own grouping is off (``USE_THOUSAND_SEPARATOR = False``).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from thanhhoa_kpi.scoring.explain import num


def decimal_text(value: Any, places: int = 2) -> str:
    """0.2 → "0,2"; Decimal("0.8000") → "0,8"; "4.50" → "4,5"; 1234.5 → "1.234,5"."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    if not number.is_finite():
        return str(value)
    return num(number, places)


def count_text(value: int) -> str:
    """2009 → "2.009" (counts in prose; years and ids are written plainly)."""
    return f"{int(value):,}".replace(",", ".")
