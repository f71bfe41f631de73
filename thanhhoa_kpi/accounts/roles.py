"""The roles of SPEC 2 as one enumeration.

OFFICIAL, DEPUTY and HEAD come from a person's current assignments (the org chart);
BLOC_AUTHORITY, HR_ADMIN, VIEWER and SYSTEM_ADMIN are granted explicitly with a scope.
"""

from django.db import models


class Role(models.TextChoices):
    OFFICIAL = "OFFICIAL", "Cán bộ, công chức, viên chức"
    DEPUTY = "DEPUTY", "Cấp phó"
    HEAD = "HEAD", "Người đứng đầu"
    BLOC_AUTHORITY = "BLOC_AUTHORITY", "Cơ quan tổ chức cán bộ của khối"
    HR_ADMIN = "HR_ADMIN", "Quản trị nhân sự"
    VIEWER = "VIEWER", "Lãnh đạo (xem)"
    SYSTEM_ADMIN = "SYSTEM_ADMIN", "Quản trị hệ thống"


GRANTED_ROLES = (Role.BLOC_AUTHORITY, Role.HR_ADMIN, Role.VIEWER, Role.SYSTEM_ADMIN)
