"""Exact arithmetic and the rounding of reported figures (SPEC 5: half-up, places from the rule set).

Every intermediate figure is an exact :class:`~fractions.Fraction`: ``Decimal`` division
stops at the context precision (28 digits), and a total that is exactly on a half-cent
(89.995) then comes out as 89.99499… and rounds the wrong way, across a band. Inputs
(quantities, coefficients, rule-set rates) are decimals and convert to fractions without
loss; only a reported figure is rounded, once, and the classification reads the rounded
total, as a person checking the form by hand would.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from functools import lru_cache


def exact(value: Decimal | Fraction | int) -> Fraction:
    """``value`` as an exact fraction (a finite ``Decimal`` converts without loss)."""
    return Fraction(value)


@lru_cache(maxsize=256)
def constant(value: Decimal) -> Fraction:
    """:func:`exact` for a rule set's numbers (100, the ratio cap, 70...), converted once."""
    return Fraction(value)


def round_half_up(value: Decimal | Fraction, places: int) -> Decimal:
    """``value`` rounded half away from zero to ``places`` decimals (2.345 → 2.35).

    Works on the exact value, so 89.995 gives 90.00 however it was computed, and a very
    large converted sum is rounded instead of overflowing a decimal context.
    """
    return round_ratio(*value.as_integer_ratio(), places)


def round_ratio(numerator: int, denominator: int, places: int) -> Decimal:
    """``numerator / denominator`` (denominator > 0) rounded half away from zero, in integers.

    The rounding of :func:`round_half_up`, for a figure kept as a pair of integers (a
    month scored in bulk rounds a million figures).
    """
    whole, rest = divmod(abs(numerator) * 10**places, denominator)
    if 2 * rest >= denominator:
        whole += 1
    # Built from its digits, not by arithmetic, so no decimal context can cut it.
    sign = "-" if numerator < 0 and whole else ""
    return Decimal(f"{sign}{whole}E-{places}")
