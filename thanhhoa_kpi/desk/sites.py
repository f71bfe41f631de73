"""The desk: one unfold admin site that every signed-in user may enter.

Unlike Django's default, entry does not depend on ``is_staff``: an official uses the
desk too, and what each person sees is scoped by :mod:`thanhhoa_kpi.accounts.access`.
"""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest
from unfold.sites import UnfoldAdminSite

from thanhhoa_kpi.accounts.access import scope_for
from thanhhoa_kpi.accounts.twofactor import check_second_factor, second_factor_failed


class DeskLoginForm(AuthenticationForm):
    """Admin's form demands ``is_staff``; the desk admits anyone holding a role instead,
    and asks admins and authorities for their second factor."""

    otp_token = forms.CharField(
        label="Mã xác thực hai lớp",
        required=False,
        max_length=6,
        help_text="Quản trị, cơ quan phê duyệt và mọi tài khoản đã đăng ký thiết bị: 6 chữ số trong ứng dụng.",
        widget=forms.TextInput(attrs={"form": "login-form", "inputmode": "numeric", "autocomplete": "one-time-code"}),
    )

    def confirm_login_allowed(self, user) -> None:  # type: ignore[no-untyped-def]
        super().confirm_login_allowed(user)
        if not (user.is_staff or scope_for(user).roles):
            raise forms.ValidationError(
                "Tài khoản chưa được gắn với cán bộ hoặc vai trò nào; liên hệ quản trị nhân sự.", code="no_role"
            )
        reason = check_second_factor(user, self.data.get("otp_token", ""))
        if reason:
            # Counted by axes like a wrong password, so codes cannot be guessed endlessly.
            second_factor_failed(request=self.request, username=user.get_username())
            raise forms.ValidationError(reason, code="second_factor")


class DeskSite(UnfoldAdminSite):
    site_header = "Hệ thống đánh giá KPI CBCCVC tỉnh Thanh Hóa"
    site_title = "KPI Thanh Hóa"
    index_title = "Bàn làm việc"
    login_form = DeskLoginForm
    login_template = "desk/login.html"

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and (user.is_staff or scope_for(user).roles))


desk_site = DeskSite(name="admin")
