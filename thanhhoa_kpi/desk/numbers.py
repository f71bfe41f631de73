"""Decimals in desk lists and read-only fields, in the one Vietnamese notation.

Django's admin and unfold print a ``DecimalField`` with all its places ("0,8000", "10,00")
through ``display_for_field``, and no setting changes that. The desk hands them a version
that writes decimals with :func:`thanhhoa_kpi.formats.numbers.decimal_text` (0,8 · 10 · 4,5)
and leaves every other field to the original; :func:`install` puts it in each module that
looks the function up (run once from ``DeskConfig.ready()``; tests/desk/test_numbers.py
fails when a new Django or unfold looks it up elsewhere).
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any

from django.db import models

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
