"""The registry of effects and contracts: what a definition's names make a document do.

A definition says, per transition, which effects run (``"effects": ["score"]``) and, per
state, which tags it carries (``"tags": ["published"]``) and which deadline applies
(``"deadline": "unit_review"``). The app that owns a document type registers what each
name means, next to its guards::

    register_effect("score", "appraisal", score_effect)
    register_contract("appraisal", tags=..., deadlines=..., rules=...)

An effect takes the locked document, the :class:`~thanhhoa_kpi.workflow.engine.Decision`
and the acting user, and runs inside the transition's transaction after the new state is
saved; raising refuses the whole transition. The desk validates definitions against
:func:`contract_for`, so a definition can only name effects some code runs and cannot
drop the rules its document type lives by (see
:class:`~thanhhoa_kpi.workflow.engine.Contract`). Hosts thereby need no transition hook
in their models, and models no longer import the services that implement them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from thanhhoa_kpi.core.errors import Conflict
from thanhhoa_kpi.workflow.engine import Contract, ContractRule, Decision

EffectFunc = Callable[[Any, Decision, Any], None]

_EFFECTS: dict[tuple[str, str], EffectFunc] = {}
_CONTRACTS: dict[str, tuple[frozenset[str], frozenset[str], tuple[ContractRule, ...]]] = {}


def register_effect(name: str, doctype: str, func: EffectFunc) -> EffectFunc:
    """Give effect ``name`` a meaning for documents of ``doctype``; returns ``func``."""
    _EFFECTS[(doctype, name)] = func
    return func


def register_contract(
    doctype: str, *, tags: Iterable[str] = (), deadlines: Iterable[str] = (), rules: Iterable[ContractRule] = ()
) -> None:
    """The tags and deadlines definitions of ``doctype`` may name, and the rules they keep."""
    _CONTRACTS[doctype] = (frozenset(tags), frozenset(deadlines), tuple(rules))


def contract_for(doctype: str) -> Contract:
    tags, deadlines, rules = _CONTRACTS.get(doctype, (frozenset(), frozenset(), ()))
    effects = frozenset(name for (kind, name) in _EFFECTS if kind == doctype)
    return Contract(effects=effects, tags=tags, deadlines=deadlines, rules=rules)


def run_effects(document: Any, decision: Decision, user: Any) -> None:
    """Run the decision's effects on ``document``, in the order the definition lists them."""
    for name in decision.effects:
        func = _EFFECTS.get((document.workflow_doctype, name))
        if func is None:
            # Fail closed, like guards: a stored definition naming an effect whose code was
            # removed must not move documents without doing what it promised.
            raise Conflict(
                f"Tác động «{name}» của quy trình chưa được hệ thống hỗ trợ cho loại tài liệu này; "
                "hãy báo quản trị hệ thống.",
                code="UNKNOWN_EFFECT",
            )
        func(document, decision, user)
