"""Decimals on the desk, in the one Vietnamese notation: lists, read-only fields, inputs.

Django's admin and unfold print a ``DecimalField`` with all its places ("0,8000", "10,00")
through ``display_for_field``, and no setting changes that. The desk hands them a version
that writes decimals with :func:`thanhhoa_kpi.formats.numbers.decimal_text` (0,8 · 10 · 4,5)
and leaves every other field to the original; :func:`install` puts it in each module that
looks the function up (run once from ``DeskConfig.ready()``; tests/desk/test_numbers.py
fails when a new Django or unfold looks it up elsewhere).

Inputs: a ``type="number"`` box shows what the browser's language makes of "4.50", so a
decimal is typed in :class:`DecimalInput`, a text box showing "4,5" whose field reads
"4,5" and "4.5" alike (``localize=True``; thousands are never grouped in an input).
:data:`DECIMAL_INPUTS` puts it on a ModelAdmin's or an inline's decimal fields.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from importlib import import_module
from typing import Any

from django.db import models
from unfold.widgets import UnfoldAdminTextInputWidget

from thanhhoa_kpi.formats.numbers import decimal_text

# Where Django's admin and unfold import ``display_for_field`` from (lists, read-only
# fields, inline sections).
LOOKUPS = (
    "django.contrib.admin.utils",
    "django.contrib.admin.helpers",
    "django.contrib.admin.templatetags.admin_list",
    "unfold.utils",
    "unfold.fields",
    "unfold.sections",
    "unfold.templatetags.unfold_list",
)


def _vietnamese(original: Callable[..., Any]) -> Callable[..., Any]:
    def display_for_field(value: Any, field: Any, empty_value_display: str, *args: Any, **kwargs: Any) -> Any:
        decimal = isinstance(field, models.DecimalField | models.FloatField)
        if decimal and value not in (None, "") and not getattr(field, "flatchoices", None):
            return decimal_text(value, getattr(field, "decimal_places", None) or 2)
        return original(value, field, empty_value_display, *args, **kwargs)

    display_for_field.vietnamese = True  # type: ignore[attr-defined]
    return display_for_field


def install() -> None:
    for name in LOOKUPS:
        module = import_module(name)
        if not getattr(module.display_for_field, "vietnamese", False):
            module.display_for_field = _vietnamese(module.display_for_field)


class DecimalInput(UnfoldAdminTextInputWidget):
    """A decimal typed the Vietnamese way ("4,5"; "4.5" is read too)."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs={"inputmode": "decimal", "autocomplete": "off", **(attrs or {})})

    def format_value(self, value: Any) -> str | None:
        if value in (None, "") or isinstance(value, str):
            return value or None  # typed text comes back as it was typed
        try:
            number = Decimal(str(value))
        except (InvalidOperation, ValueError):
            return str(value)
        return f"{number.normalize():f}".replace(".", ",") if number.is_finite() else str(value)


# formfield_overrides entries: decimal model fields get the box above and read a comma.
DECIMAL_INPUTS: dict[type[models.Field], dict[str, Any]] = {
    models.DecimalField: {"widget": DecimalInput, "localize": True},
    models.FloatField: {"widget": DecimalInput, "localize": True},
}
