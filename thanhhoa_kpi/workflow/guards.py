"""The registry of guard conditions: what a guard name in a definition means.

A definition names its guards (``"QUOTA_HOLDS"``); the app that owns the document type
registers what each name checks, per document type::

    register_guard("QUOTA_HOLDS", "appraisal", quota_holds)

A guard takes the locked document and answers None when it holds, or a Vietnamese
reason when it does not. The desk validates definitions against :func:`known_guards`,
so a definition can only name guards that some code evaluates.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

GuardFunc = Callable[[Any], str | None]

_GUARDS: dict[tuple[str, str], GuardFunc] = {}


def register_guard(name: str, doctype: str, func: GuardFunc) -> GuardFunc:
    """Give ``name`` a meaning for documents of ``doctype``; returns ``func`` unchanged."""
    _GUARDS[(doctype, name)] = func
    return func


def known_guards(doctype: str) -> frozenset[str]:
    return frozenset(name for (kind, name) in _GUARDS if kind == doctype)


def guard_reason(document: Any, name: str) -> str | None:
    """None when guard ``name`` holds for ``document``, else the Vietnamese reason."""
    func = _GUARDS.get((document.workflow_doctype, name))
    if func is None:
        # Fail closed: a definition saved before its guard's code was removed must not
        # let documents through unchecked.
        return f"điều kiện «{name}» chưa được hệ thống hỗ trợ cho loại tài liệu này"
    return func(document)
