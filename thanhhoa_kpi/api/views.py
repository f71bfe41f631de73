"""Thin API views: querysets come from the access module, writes from services."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.db import transaction
from drf_spectacular.utils import OpenApiTypes, extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.decorators import api_view, permission_classes, throttle_classes
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from thanhhoa_kpi.accounts import access
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


class LoginThrottle(ScopedRateThrottle):
    """Throttles token requests per client (settings ``DEFAULT_THROTTLE_RATES['login']``)."""

    scope_attr = "throttle_scope"

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        self.scope = "login"
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def allow_request(self, request: Any, view: Any) -> bool:
        self.scope = "login"
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super(ScopedRateThrottle, self).allow_request(request, view)


@extend_schema(
    request=TokenRequest,
    responses=inline_serializer("TokenResponse", {"token": serializers.CharField()}),
    auth=[],
)
@api_view(["POST"])
@permission_classes([AllowAny])
@throttle_classes([LoginThrottle])
def auth_token(request: Request) -> Response:
    form = TokenRequest(data=request.data)
    form.is_valid(raise_exception=True)
    user = authenticate(
        request._request, username=form.validated_data["username"], password=form.validated_data["password"]
    )
    if user is None or not user.is_active:
        raise ValidationFailed(
            "Tên đăng nhập hoặc mật khẩu không đúng.",
            [FieldError("password", "Tên đăng nhập hoặc mật khẩu không đúng.")],
            code="INVALID_CREDENTIALS",
        )
    token, _ = Token.objects.get_or_create(user=user)
    return Response({"token": token.key})


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
