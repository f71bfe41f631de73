"""Thin API views: querysets come from the access module, writes from services."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY, authenticate, logout
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import api_view, permission_classes, throttle_classes
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from thanhhoa_kpi.accounts import access
from thanhhoa_kpi.accounts.client import client_address
from thanhhoa_kpi.accounts.tokens import token_issue, token_revoke
from thanhhoa_kpi.accounts.twofactor import check_second_factor, second_factor_failed
from thanhhoa_kpi.api import serializers as s
from thanhhoa_kpi.api.permissions import ScopedMasterData
from thanhhoa_kpi.competencies.models import CompetencyFramework
from thanhhoa_kpi.core.errors import FieldError, ValidationFailed
from thanhhoa_kpi.organization.models import JobPosition, Official, OrgUnit


class ScopedViewSet(viewsets.ModelViewSet):
    permission_classes = [IsAuthenticated, ScopedMasterData]
    base_queryset: Any = None

    def get_queryset(self) -> Any:
        return access.scoped(self.base_queryset.all(), self.request.user)

    @transaction.atomic
    def perform_create(self, serializer: Any) -> None:
        serializer.save()

    @transaction.atomic
    def perform_update(self, serializer: Any) -> None:
        serializer.save()


class OrgUnitViewSet(ScopedViewSet):
    base_queryset = OrgUnit.objects.order_by("path")
    serializer_class = s.OrgUnitSerializer
    filterset_fields = ["bloc", "level", "kind", "code"]
    search_fields = ["code", "name", "short_name"]
    ordering_fields = ["path", "code", "name"]


class OfficialViewSet(ScopedViewSet):
    base_queryset = Official.objects.prefetch_related("assignments")
    serializer_class = s.OfficialSerializer
    filterset_fields = ["category", "gender", "code"]
    search_fields = ["code", "full_name", "email"]
    ordering_fields = ["full_name", "code"]


class JobPositionViewSet(ScopedViewSet):
    base_queryset = JobPosition.objects.all()
    serializer_class = s.JobPositionSerializer
    filterset_fields = ["group", "bloc", "code"]
    search_fields = ["code", "name"]


class CompetencyFrameworkViewSet(ScopedViewSet):
    base_queryset = CompetencyFramework.objects.prefetch_related(
        "competencies__levels", "requirements__position", "requirements__competency"
    )
    serializer_class = s.CompetencyFrameworkSerializer
    filterset_fields = ["code", "is_active"]
    search_fields = ["code", "name"]


class TokenRequest(serializers.Serializer):
    username = serializers.CharField(label="Tên đăng nhập")
    password = serializers.CharField(label="Mật khẩu", trim_whitespace=False)
    otp_token = serializers.CharField(
        label="Mã xác thực hai lớp",
        required=False,
        allow_blank=True,
        max_length=12,
        help_text="Bắt buộc với tài khoản có thiết bị xác thực hai lớp (quản trị, cơ quan phê duyệt): "
        "6 chữ số trong ứng dụng xác thực.",
    )


class TokenResponse(serializers.Serializer):
    token = serializers.CharField()
    expires_in = serializers.IntegerField(help_text="Số giây token còn hiệu lực.")


class LoginThrottle(ScopedRateThrottle):
    """Throttles token requests per client (settings ``DEFAULT_THROTTLE_RATES['login']``).

    The client is the address the trusted proxies saw (the one axes locks out), never
    what a client writes into ``X-Forwarded-For``."""

    scope_attr = "throttle_scope"

    def get_ident(self, request: Any) -> str:
        return client_address(request)

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        self.scope = "login"
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def allow_request(self, request: Any, view: Any) -> bool:
        self.scope = "login"
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super(ScopedRateThrottle, self).allow_request(request, view)


def _bad_credentials() -> ValidationFailed:
    return ValidationFailed(
        "Tên đăng nhập hoặc mật khẩu không đúng.",
        [FieldError("password", "Tên đăng nhập hoặc mật khẩu không đúng.")],
        code="INVALID_CREDENTIALS",
    )


@extend_schema(request=TokenRequest, responses=TokenResponse, auth=[])
@api_view(["POST"])
@permission_classes([AllowAny])
@throttle_classes([LoginThrottle])
def auth_token(request: Request) -> Response:
    """A fresh token (the previous one stops working); admins and authorities, and anyone
    with a two-factor device, also send ``otp_token``."""
    form = TokenRequest(data=request.data)
    form.is_valid(raise_exception=True)
    username = form.validated_data["username"]
    user = authenticate(request._request, username=username, password=form.validated_data["password"])
    if user is None or not user.is_active:
        raise _bad_credentials()
    reason = check_second_factor(user, form.validated_data.get("otp_token", ""))
    if reason:
        second_factor_failed(request=request._request, username=username)
        raise ValidationFailed(reason, [FieldError("otp_token", reason)], code="SECOND_FACTOR_REQUIRED")
    token = token_issue(user=user)
    # As a desk login does: last_login is stamped and axes clears this client's failures.
    user_logged_in.send(sender=type(user), request=request._request, user=user)
    return Response({"token": token.key, "expires_in": settings.API_TOKEN_TTL})


@extend_schema(request=None, responses={204: None})
@api_view(["POST"])
def auth_logout(request: Request) -> Response:
    """Revoke the caller's token (and end the session, when signed in through the desk)."""
    token_revoke(user=request.user)
    if request.session.get(SESSION_KEY) is not None:
        logout(request._request)
    return Response(status=204)


@extend_schema(responses=OpenApiTypes.OBJECT)
@api_view(["GET"])
def me(request: Request) -> Response:
    user = request.user
    scope = access.scope_for(user)
    official = Official.objects.filter(user=user).prefetch_related("assignments").first()
    return Response(
        {
            "username": user.username,
            "full_name": user.get_full_name(),
            "official": s.OfficialSerializer(official, context={"request": request}).data if official else None,
            "roles": sorted(scope.roles),
            "scope": {
                "everything": scope.everything,
                "read_only": scope.read_only,
                "units": sorted(access.scoped(OrgUnit.objects.all(), user).values_list("code", flat=True)[:500]),
                "blocs": sorted(scope.authority_blocs | scope.hr_blocs),
            },
        }
    )
