"""Signing in to the desk, in one step or two.

Step 1 (``/admin/login/``): username and password. An account with a confirmed two-factor
device is *not* signed in there: the session only remembers it as waiting
(:func:`thanhhoa_kpi.accounts.twofactor.pending_begin`) and the browser goes to step 2.
Every other account — officials without a device, the usual case — is signed in at once.

Step 2 (``/admin/login/code/``): the 6-digit code, and nothing else; the account is the one
the session waits for, never one named in the request. The session is signed in only when
the code matches that account's device; wrong codes count in the session and for axes.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth import login as auth_login
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login
from unfold.widgets import BASE_INPUT_CLASSES

from thanhhoa_kpi.accounts import twofactor
from thanhhoa_kpi.accounts.access import scope_for
from thanhhoa_kpi.accounts.lockout import lockout_response

# unfold's input, with a border a shade darker than its light grey (issue 11: "no visible
# border" on the login page, where the boxes are all there is).
_DARKER = {"border-base-200": "border-base-300", "dark:border-base-700": "dark:border-base-600"}
INPUT_CLASSES = " ".join(_DARKER.get(name, name) for name in BASE_INPUT_CLASSES)
CODE_CLASSES = INPUT_CLASSES.replace("text-sm", "text-lg")


class DeskLoginForm(AuthenticationForm):
    """Admin's form demands ``is_staff``; the desk admits anyone holding a role instead.
    Bordered inputs (unfold's), the username focused, the browser's password manager helped."""

    def __init__(self, request: HttpRequest | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        self.fields["username"].widget.attrs.update(
            {"class": INPUT_CLASSES, "autofocus": True, "autocomplete": "username", "autocapitalize": "none"}
        )
        self.fields["password"].widget.attrs.update({"class": INPUT_CLASSES, "autocomplete": "current-password"})

    def confirm_login_allowed(self, user) -> None:  # type: ignore[no-untyped-def]
        super().confirm_login_allowed(user)
        if not (user.is_staff or scope_for(user).roles):
            raise forms.ValidationError(
                "Tài khoản chưa được gắn với cán bộ hoặc vai trò nào; liên hệ quản trị nhân sự.", code="no_role"
            )
        reason = twofactor.missing_device(user)
        if reason:
            raise forms.ValidationError(reason, code="second_factor")


class SecondFactorForm(forms.Form):
    otp_token = forms.CharField(
        label="Mã xác thực (6 chữ số)",
        max_length=7,  # "123 456" as some apps show it
        widget=forms.TextInput(
            attrs={
                "class": CODE_CLASSES,
                "autofocus": True,
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "pattern": "[0-9 ]{6,7}",
            }
        ),
        error_messages={"required": twofactor.CODE_MISSING},
    )

    def clean_otp_token(self) -> str:
        code = self.cleaned_data["otp_token"].replace(" ", "")
        if not (len(code) == 6 and code.isdigit()):
            raise forms.ValidationError("Mã xác thực gồm đúng 6 chữ số.", code="format")
        return code


class DeskLoginView(LoginView):
    """Django's login view, except that an account with a device goes on to step 2 unsigned."""

    def form_valid(self, form: DeskLoginForm) -> HttpResponse:
        user = form.get_user()
        twofactor.pending_clear(self.request)
        if twofactor.has_device(user):
            twofactor.pending_begin(self.request, user, next_url=self.get_success_url())
            return HttpResponseRedirect(reverse("admin:login_code"))
        return super().form_valid(form)


def _safe_next(request: HttpRequest, url: str) -> str:
    allowed = url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return url if url and allowed else reverse("admin:index")


@method_decorator(sensitive_post_parameters("otp_token"), name="dispatch")
@method_decorator(csrf_protect, name="dispatch")
@method_decorator(never_cache, name="dispatch")
class SecondFactorView(View):
    """Step 2: only for a session waiting for its code; anything else goes back to step 1."""

    template_name = "desk/login_code.html"
    site: Any = None

    def _back_to_login(self, reason: str | None = None) -> HttpResponse:
        if reason:
            messages.error(self.request, reason)
        return HttpResponseRedirect(reverse("admin:login"))

    def _render(self, form: SecondFactorForm, pending: twofactor.Pending) -> HttpResponse:
        context = {
            **self.site.each_context(self.request),
            "title": "Xác thực hai lớp",
            "form": form,
            "account": pending.user.get_username(),
            "attempts_left": pending.attempts_left,
            "minutes": twofactor.PENDING_TTL // 60,
        }
        return render(self.request, self.template_name, context)

    def get(self, request: HttpRequest) -> HttpResponse:
        pending = twofactor.pending_read(request)
        if not isinstance(pending, twofactor.Pending):
            return self._back_to_login(pending)
        return self._render(SecondFactorForm(), pending)

    def post(self, request: HttpRequest) -> HttpResponse:
        pending = twofactor.pending_read(request)
        if not isinstance(pending, twofactor.Pending):
            return self._back_to_login(pending)
        username = pending.user.get_username()
        if twofactor.is_locked_out(request, username):
            twofactor.pending_clear(request)
            return lockout_response(request)
        form = SecondFactorForm(request.POST)
        if not form.is_valid():
            return self._render(form, pending)
        device = twofactor.pending_verify(request, pending, form.cleaned_data["otp_token"])
        if device is None:
            if getattr(request, "axes_locked_out", False):
                twofactor.pending_clear(request)
                return lockout_response(request)
            pending = twofactor.pending_read(request)
            if not isinstance(pending, twofactor.Pending):
                return self._back_to_login(pending)
            form.add_error("otp_token", twofactor.CODE_WRONG)
            return self._render(form, pending)
        twofactor.pending_clear(request)
        auth_login(request, pending.user, backend=pending.backend or None)
        otp_login(request, device)
        return HttpResponseRedirect(_safe_next(request, pending.next_url))


def desk_login(site: Any, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
    """Step 1, with the context admin's own login page gives its template."""
    if request.method == "GET" and site.has_permission(request):
        return HttpResponseRedirect(reverse("admin:index", current_app=site.name))
    context = {
        **site.each_context(request),
        "title": "Đăng nhập",
        "subtitle": None,
        "app_path": request.get_full_path(),
        "username": request.user.get_username(),
    }
    if REDIRECT_FIELD_NAME not in request.GET and REDIRECT_FIELD_NAME not in request.POST:
        context[REDIRECT_FIELD_NAME] = reverse("admin:index", current_app=site.name)
    context.update(extra_context or {})
    request.current_app = site.name
    view = DeskLoginView.as_view(
        extra_context=context, authentication_form=site.login_form, template_name=site.login_template
    )
    return view(request)
