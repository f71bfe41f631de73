"""The shared cast of personas (STYLE 13), built with services and factories.

A small tree: UBND_TINH > PHUONG_A > PHONG_A (official, deputy, head), SO_NOI_VU (bloc
authority), and SO_KHAC > PHONG_B (outsider); an HR admin of PHUONG_A, an HR admin of the province, a
leadership viewer and a system admin. Every password is ``pw-2026!``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import partial

from thanhhoa_kpi.accounts.models import RoleGrant, User
from thanhhoa_kpi.core.actors import SYSTEM
from thanhhoa_kpi.core.seeding import FIXTURES_DIR, read_file
from thanhhoa_kpi.organization import services
from thanhhoa_kpi.organization.models import BlocAuthority, JobPosition, Official, OrgUnit, SimilarTaskGroup

PASSWORD = "pw-2026!"


@dataclass
class Cast:
    province: OrgUnit
    ward: OrgUnit
    team: OrgUnit
    home_affairs: OrgUnit
    other_dept: OrgUnit
    other_team: OrgUnit
    position: JobPosition
    lead_position: JobPosition
    official: User
    colleague: User
    deputy: User
    head: User
    authority: User
    hr: User
    viewer: User
    outsider: User
    sysadmin: User
    province_hr: User

    def official_of(self, user: User) -> Official:
        return Official.objects.get(user=user)


def _user(username: str, **extra: object) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, email=f"{username}@example.vn", **extra)
    return user


def _person(
    username: str, code: str, name: str, unit: OrgUnit, position: JobPosition, role: str, fields: list[str]
) -> User:
    user = _user(username)
    services.official_create(
        by=SYSTEM,  # set-up, as the fixture loaders do
        code=code,
        full_name=name,
        user=user,
        assignment={
            "unit": unit,
            "position": position,
            "start_date": date(2026, 1, 1),
            "leadership_role": role,
            "fields_in_charge": fields,
            "task_group": SimilarTaskGroup.objects.filter(unit=unit).first(),
        },
    )
    return user


def ensure_roles() -> None:
    """Role groups with the permissions of every ``roles*.yaml`` in the base set."""
    from thanhhoa_kpi.accounts.loaders import load_roles

    for path in sorted((FIXTURES_DIR / "base").glob("roles*.yaml")):
        load_roles(read_file(path))


def build_cast() -> Cast:
    ensure_roles()
    mk = partial(services.org_unit_create, by=SYSTEM)
    province = mk(
        parent=None, code="T_UBND", name="UBND tỉnh (thử)", bloc="CHINH_QUYEN", level="TINH", kind="UBND_TINH"
    )
    ward = mk(parent=province, code="T_PHUONG_A", name="Phường A", bloc="CHINH_QUYEN", level="XA", kind="UBND_XA")
    team = mk(
        parent=ward, code="T_PHONG_A", name="Phòng Văn hóa - Xã hội A", bloc="CHINH_QUYEN", level="XA", kind="PHONG"
    )
    home = mk(parent=province, code="T_SNV", name="Sở Nội vụ (thử)", bloc="CHINH_QUYEN", level="TINH", kind="SO")
    other = mk(parent=province, code="T_SO_KHAC", name="Sở Khoa học (thử)", bloc="CHINH_QUYEN", level="TINH", kind="SO")
    other_team = mk(parent=other, code="T_PHONG_B", name="Phòng B", bloc="CHINH_QUYEN", level="TINH", kind="PHONG")
    BlocAuthority.objects.update_or_create(bloc="CHINH_QUYEN", defaults={"unit": home})
    SimilarTaskGroup.objects.create(unit=team, code="CHUYEN_VIEN", name="Chuyên viên")
    pos = JobPosition.objects.create(code="T_CV", name="Chuyên viên", group="CHUYEN_MON_NGHIEP_VU", bloc="CHINH_QUYEN")
    lead = JobPosition.objects.create(code="T_TP", name="Trưởng phòng", group="LANH_DAO_QUAN_LY", bloc="CHINH_QUYEN")
    official = _person("official", "T0001", "Nguyễn Văn An", team, pos, "NONE", ["Văn hóa"])
    colleague = _person("colleague", "T0002", "Trần Thị Bình", team, pos, "NONE", ["Thể thao"])
    deputy = _person("deputy", "T0003", "Lê Văn Cường", team, lead, "DEPUTY", ["Văn hóa"])
    head = _person("head", "T0004", "Phạm Thị Dung", team, lead, "HEAD", [])
    authority = _person("authority", "T0005", "Hoàng Văn Em", home, pos, "NONE", [])
    RoleGrant.objects.create(user=authority, role="BLOC_AUTHORITY", bloc="CHINH_QUYEN")
    outsider = _person("outsider", "T0006", "Vũ Thị Giang", other_team, pos, "NONE", ["Văn hóa"])
    hr = _user("hr")
    RoleGrant.objects.create(user=hr, role="HR_ADMIN", unit=ward)
    viewer = _user("viewer")
    RoleGrant.objects.create(user=viewer, role="VIEWER")
    sysadmin = _user("sysadmin")
    RoleGrant.objects.create(user=sysadmin, role="SYSTEM_ADMIN")
    # Province-wide definitions (rule sets, workflows, custom fields, frameworks, positions)
    # are changed only by an HR admin of the province itself (access.is_province_admin).
    province_hr = _user("province_hr")
    RoleGrant.objects.create(user=province_hr, role="HR_ADMIN", unit=province)
    return Cast(
        province, ward, team, home, other, other_team, pos, lead,
        official, colleague, deputy, head, authority, hr, viewer, outsider, sysadmin, province_hr,
    )  # fmt: skip
