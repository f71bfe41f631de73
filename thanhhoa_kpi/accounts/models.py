"""Users and explicitly granted roles.

A user may be linked to one official (``Official.user``); the org-chart roles follow
from that official's assignments. Other roles are ``RoleGrant`` rows with a scope.
"""

from typing import Any

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from thanhhoa_kpi.accounts.roles import GRANTED_ROLES, Role
from thanhhoa_kpi.organization.choices import Bloc


class User(AbstractUser):
    """Desk and API user. Every user may sign in to the desk; what they see is scoped."""

    # API tokens issued before this moment are refused (accounts/tokens.py). Desk sessions
    # need no such mark: Django already ends them when the password hash changes.
    password_changed_at = models.DateTimeField("Đổi mật khẩu lúc", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "người dùng"
        verbose_name_plural = "người dùng"
        ordering = ["username"]

    def get_full_name(self) -> str:
        """The name in Vietnamese order (họ, đệm, tên), as the sidebar, history, notices and
        e-mails show it: the linked official's full name as recorded; for an account without
        an official, the family name (``last_name``) before the given name (``first_name``).
        Django's default puts the given name first ("An Nguyễn Văn")."""
        official = getattr(self, "official", None)  # a missing official is cached as None
        if official is not None and official.full_name:
            return official.full_name
        return f"{self.last_name} {self.first_name}".strip()

    def __str__(self) -> str:
        """How an account reads wherever it is shown (lists, forms, reports): «Lê Văn Cường
        (demo_head)», the names as recorded on the account (no query), the login alone when
        the account has no names. Django's default is the bare login."""
        name = f"{self.last_name} {self.first_name}".strip()
        return f"{name} ({self.username})" if name else self.username

    def set_unusable_password(self) -> None:
        super().set_unusable_password()
        self._password_removed = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        # set_password() leaves the raw password in ``_password`` until the next save; a
        # hash upgrade at login clears it first, so only a real change marks the row.
        if self._password is not None or getattr(self, "_password_removed", False):
            self.password_changed_at = timezone.now()
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "password_changed_at"}
            self._password_removed = False
        super().save(*args, **kwargs)


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
