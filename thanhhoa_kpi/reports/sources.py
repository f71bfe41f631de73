"""Report sources of the org model: officials, job positions, units (SPEC 6).

Registered from ``ReportsConfig.ready()``. An official's unit, position and leadership
role come from the current assignment (a subquery, so one official stays one row).
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import OuterRef, Subquery
from django.db.models.expressions import Combinable

from thanhhoa_kpi.accounts import access
from thanhhoa_kpi.organization.choices import LeadershipRole
from thanhhoa_kpi.organization.models import JobPosition, Official, OrgUnit
from thanhhoa_kpi.reports.registry import register_report_source


def _current(path: str) -> Callable[[], Combinable]:
    def build() -> Combinable:
        rows = access.current_assignments().filter(official=OuterRef("pk")).order_by("-start_date", "-pk")
        return Subquery(rows.values(path)[:1])

    return build


def register_org_sources() -> None:
    register_report_source(
        "official",
        Official,
        "Cán bộ, công chức, viên chức",
        {
            "code": ("Mã CBCCVC", "text", "code"),
            "full_name": ("Họ và tên", "text", "full_name"),
            "birth_date": ("Ngày sinh", "date", "birth_date"),
            "gender": ("Giới tính", "choice", "gender"),
            "category": ("Đối tượng", "choice", "category"),
            "email": ("Thư điện tử", "text", "email"),
            "phone": ("Điện thoại", "text", "phone"),
            "unit": ("Đơn vị hiện tại", "fk", _current("unit__name")),
            "position": ("Vị trí việc làm", "fk", _current("position__name")),
            "leadership_role": ("Chức vụ lãnh đạo", "choice", _current("leadership_role"), LeadershipRole.choices),
        },
        custom_doctype="official",
    )
    register_report_source(
        "position",
        JobPosition,
        "Vị trí việc làm",
        {
            "code": ("Mã vị trí", "text", "code"),
            "name": ("Tên vị trí việc làm", "text", "name"),
            "group": ("Nhóm vị trí", "choice", "group"),
            "bloc": ("Khối", "choice", "bloc"),
            "professional_level": ("Hạng chức danh nghề nghiệp", "number", "professional_level"),
            "duties": ("Nhiệm vụ", "text", "duties"),
        },
        custom_doctype="position",
    )
    register_report_source(
        "org_unit",
        OrgUnit,
        "Đơn vị",
        {
            "code": ("Mã đơn vị", "text", "code"),
            "name": ("Tên đơn vị", "text", "name"),
            "short_name": ("Tên viết tắt", "text", "short_name"),
            "bloc": ("Khối", "choice", "bloc"),
            "level": ("Cấp", "choice", "level"),
            "kind": ("Loại hình", "choice", "kind"),
            "depth": ("Cấp trong cây tổ chức", "number", "depth"),
            "active_from": ("Hoạt động từ", "date", "active_from"),
            "active_to": ("Hoạt động đến", "date", "active_to"),
        },
    )
