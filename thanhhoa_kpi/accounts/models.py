"""Users and explicitly granted roles.

A user may be linked to one official (``Official.user``); the org-chart roles follow
from that official's assignments. Other roles are ``RoleGrant`` rows with a scope.
"""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from thanhhoa_kpi.accounts.roles import GRANTED_ROLES, Role
from thanhhoa_kpi.organization.choices import Bloc


class User(AbstractUser):
    """Desk and API user. Every user may sign in to the desk; what they see is scoped."""

    class Meta:
        verbose_name = "người dùng"
        verbose_name_plural = "người dùng"
        ordering = ["username"]


class RoleGrant(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants", verbose_name="Người dùng")
    role = models.CharField("Vai trò", max_length=20, choices=[(r.value, r.label) for r in GRANTED_ROLES])
    bloc = models.CharField("Khối", max_length=20, choices=Bloc.choices, blank=True)
    unit = models.ForeignKey(
        "organization.OrgUnit", on_delete=models.CASCADE, null=True, blank=True, verbose_name="Đơn vị (phạm vi)"
    )
    note = models.CharField("Ghi chú", max_length=255, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "phân quyền vai trò"
        verbose_name_plural = "phân quyền vai trò"
        ordering = ["user__username", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "bloc", "unit"], name="uniq_role_grant"),
        ]

    def __str__(self) -> str:
        scope = self.unit.name if self.unit_id else (self.get_bloc_display() or "toàn tỉnh")
        return f"{self.user} — {self.get_role_display()} ({scope})"

    def clean(self) -> None:
        if self.role == Role.BLOC_AUTHORITY and not self.bloc:
            raise ValidationError({"bloc": "Cơ quan tổ chức cán bộ của khối phải chọn khối."})
        if self.role == Role.HR_ADMIN and not (self.bloc or self.unit_id):
            raise ValidationError({"unit": "Quản trị nhân sự phải có phạm vi: một đơn vị hoặc một khối."})
