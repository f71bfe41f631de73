"""Fixture loaders of roles (groups with permissions) and demo personas."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth.models import Group, Permission

from thanhhoa_kpi.accounts.models import RoleGrant, User
from thanhhoa_kpi.core.seeding import register_loader
from thanhhoa_kpi.organization.models import JobPosition, Official, OfficialAssignment, OrgUnit, SimilarTaskGroup


@register_loader("roles.yaml", priority=0)
def load_roles(rows: list[dict[str, Any]]) -> int:
    for row in rows:
        group, _ = Group.objects.get_or_create(name=row["code"])
        perms = []
        for spec in row.get("permissions", []):
            app_label, _, codename = spec.partition(".")
            perms.extend(_permissions(app_label, codename))
        # add, never set: several files (roles.yaml, roles.<app>.yaml) grant to one role
        group.permissions.add(*perms)
    return len(rows)


def _permissions(app_label: str, codename: str) -> list[Permission]:
    qs = Permission.objects.filter(content_type__app_label=app_label)
    if codename == "*":
        return list(qs)
    if codename.startswith("view_*"):
        return list(qs.filter(codename__startswith="view_"))
    found = list(qs.filter(codename=codename))
    if not found:
        raise ValueError(f"roles.yaml: không có quyền {app_label}.{codename}")
    return found


@register_loader("personas.yaml", priority=50)
def load_personas(rows: list[dict[str, Any]]) -> int:
    for row in rows:
        user, _ = User.objects.get_or_create(username=row["username"])
        user.first_name = row.get("first_name", "")
        user.last_name = row.get("last_name", "")
        user.email = row.get("email", "")
        user.is_superuser = user.is_staff = bool(row.get("superuser"))
        user.set_password(row["password"])
        user.save()
        if "official" in row:
            _persona_official(user, row["official"])
        for grant in row.get("grants", []):
            unit = OrgUnit.objects.get(code=grant["unit"]) if grant.get("unit") else None
            RoleGrant.objects.get_or_create(user=user, role=grant["role"], bloc=grant.get("bloc", ""), unit=unit)
    return len(rows)


def _persona_official(user: User, spec: dict[str, Any]) -> None:
    official, _ = Official.objects.update_or_create(
        code=spec["code"],
        defaults={
            "full_name": spec["full_name"],
            "gender": spec.get("gender", ""),
            "birth_date": spec.get("birth_date"),
            "category": spec.get("category", "CONG_CHUC"),
            "email": user.email,
            "user": user,
        },
    )
    unit = OrgUnit.objects.get(code=spec["unit"])
    group = SimilarTaskGroup.objects.filter(unit=unit, code=spec.get("task_group", "")).first()
    OfficialAssignment.objects.update_or_create(
        official=official,
        end_date=None,
        defaults={
            "unit": unit,
            "position": JobPosition.objects.get(code=spec["position"]),
            "leadership_role": spec.get("leadership_role", "NONE"),
            "fields_in_charge": spec.get("fields", []),
            "task_group": group,
            "start_date": date.fromisoformat(str(spec.get("start_date", "2026-01-01"))),
        },
    )
