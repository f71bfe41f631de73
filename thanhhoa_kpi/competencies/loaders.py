"""Fixture loader of competency frameworks (see :mod:`thanhhoa_kpi.core.seeding`)."""

from __future__ import annotations

from typing import Any

from thanhhoa_kpi.competencies.models import Competency, CompetencyFramework, PositionRequirement, ProficiencyLevel
from thanhhoa_kpi.core.seeding import register_loader
from thanhhoa_kpi.organization.models import JobPosition


@register_loader("competency_frameworks.yaml", priority=30)
def load_frameworks(rows: list[dict[str, Any]]) -> int:
    for row in rows:
        framework, _ = CompetencyFramework.objects.update_or_create(
            code=row["code"],
            version=row.get("version", 1),
            defaults={
                "name": row["name"],
                "effective_from": row["effective_from"],
                "is_active": row.get("is_active", True),
            },
        )
        by_code: dict[str, Competency] = {}
        for comp in row.get("competencies", []):
            competency, _ = Competency.objects.update_or_create(
                framework=framework, code=comp["code"], defaults={"name": comp["name"], "kind": comp["kind"]}
            )
            by_code[comp["code"]] = competency
            for level, text in (comp.get("levels") or {}).items():
                ProficiencyLevel.objects.update_or_create(
                    competency=competency, level=int(level), defaults={"description": text}
                )
        for req in row.get("requirements", []):
            PositionRequirement.objects.update_or_create(
                position=JobPosition.objects.get(code=req["position"]),
                competency=by_code[req["competency"]],
                defaults={"framework": framework, "required_level": req["level"]},
            )
    return len(rows)
