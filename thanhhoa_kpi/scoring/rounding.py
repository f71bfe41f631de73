"""Rounding of reported figures (SPEC 5: half-up, places from the rule set).

Arithmetic stays exact (unrounded Decimal) until a figure is reported; only then is it
rounded, and the classification reads the rounded total, as a person checking the
form by hand would.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext


def round_half_up(value: Decimal, places: int) -> Decimal:
    """``value`` rounded half away from zero to ``places`` decimals (2.345 → 2.35)."""
    exponent = Decimal(1).scaleb(-places)
    with localcontext() as context:
        # quantize() refuses results longer than the context precision; widen it so a
        # very large converted sum is still rounded instead of raising.
        context.prec = max(context.prec, value.adjusted() + places + 2)
        return value.quantize(exponent, rounding=ROUND_HALF_UP)
