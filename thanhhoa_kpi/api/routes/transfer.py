"""Excel import and export over the API (thin views over :mod:`thanhhoa_kpi.transfer.services`).

- ``POST /api/v1/imports/`` (multipart ``kind``, ``file``, optional ``dry_run``): 200 with
  the check report on a dry run; 400 with the SPEC 8.1 body listing every row error
  (``field`` = "Dòng 5, cột Mã đơn vị"); 201 with the finished job when run at once,
  202 with the queued job when the file is large (poll ``GET /api/v1/imports/{id}/``).
- ``GET /api/v1/exports/{kind}/``: the .xlsx of the caller's scope, in the import layout.
- ``GET /api/v1/exports/cbccvc-classifications/?year=2026&output=csv``: a year's published
  classifications in the national CBCCVC database's keys, .xlsx (default) or .csv
  (``output``, not ``format``: DRF keeps that one for choosing a renderer).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.urls import path, reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from thanhhoa_kpi.transfer import classifications, services, workbook
from thanhhoa_kpi.transfer.models import ImportStatus
from thanhhoa_kpi.transfer.report import ImportReport
from thanhhoa_kpi.transfer.specs import kind_choices


class ImportUploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=kind_choices(), label="Loại dữ liệu")
    file = serializers.FileField(label="Tệp Excel (.xlsx)", allow_empty_file=True)
    dry_run = serializers.BooleanField(label="Chỉ kiểm tra, không ghi", required=False, default=False)


class ImportRowErrorSerializer(serializers.Serializer):
    sheet = serializers.CharField(help_text="Trang (khi loại dữ liệu có nhiều trang)")
    row = serializers.IntegerField(allow_null=True, help_text="Dòng Excel; dòng tiêu đề là 1")
    column = serializers.CharField(help_text="Tiêu đề cột")
    field = serializers.CharField(help_text="«Dòng 5, cột Mã đơn vị»")
    message = serializers.CharField()


class ImportDifferenceSerializer(serializers.Serializer):
    kind = serializers.CharField(
        help_text="new_official / changed / new_posting / ended_posting / not_in_file / missing"
    )
    kind_label = serializers.CharField()
    row = serializers.IntegerField(allow_null=True, help_text="Dòng trong tệp; trống với cán bộ không có trong tệp")
    code = serializers.CharField(help_text="Mã CBCCVC")
    name = serializers.CharField()
    subject = serializers.CharField(help_text="Trường hoặc quá trình công tác thay đổi")
    old = serializers.CharField(help_text="Giá trị hiện có")
    new = serializers.CharField(help_text="Giá trị trong tệp")


def _errors() -> Any:
    return ImportRowErrorSerializer(many=True)


def _differences() -> Any:
    return ImportDifferenceSerializer(many=True)


_REPORT = inline_serializer(
    "ImportReport",
    {
        "kind": serializers.CharField(),
        "valid": serializers.BooleanField(),
        "rows": serializers.IntegerField(),
        "created": serializers.IntegerField(),
        "updated": serializers.IntegerField(),
        "unchanged": serializers.IntegerField(),
        "error_count": serializers.IntegerField(),
        "errors": _errors(),
        "differences": _differences(),
    },
)
_JOB = inline_serializer(
    "ImportJobStatus",
    {
        "id": serializers.IntegerField(),
        "kind": serializers.CharField(),
        # Plain text, not an enum: "status" enums of other resources would collide by name.
        "status": serializers.CharField(help_text=" / ".join(ImportStatus.values)),
        "status_label": serializers.CharField(),
        "finished": serializers.BooleanField(),
        "total_rows": serializers.IntegerField(),
        "processed_rows": serializers.IntegerField(),
        "percent": serializers.IntegerField(),
        "created_rows": serializers.IntegerField(),
        "updated_rows": serializers.IntegerField(),
        "unchanged_rows": serializers.IntegerField(),
        "error_count": serializers.IntegerField(),
        "errors": _errors(),
        "differences": _differences(),
        "url": serializers.CharField(),
    },
)


def _upload_bytes(upload: Any) -> bytes:
    # One byte past the limit is enough for the service to refuse the file by its size.
    return upload.read(workbook.max_bytes() + 1)


def _job_body(job: Any) -> dict[str, Any]:
    body = services.import_job_progress(job)
    body["url"] = reverse("api-import-detail", args=[job.pk])
    return body


class ImportsView(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": ImportUploadSerializer},
        responses={200: _REPORT, 201: _JOB, 202: _JOB, 400: OpenApiResponse(description="SPEC 8.1 error body")},
        summary="Nhập dữ liệu từ Excel (kiểm tra hết rồi mới ghi)",
    )
    def post(self, request: Request) -> Response:
        form = ImportUploadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        kind, upload = form.validated_data["kind"], form.validated_data["file"]
        content = _upload_bytes(upload)
        if form.validated_data["dry_run"]:
            report = services.import_validate(kind=kind, content=content, user=request.user)
            return Response(report.as_dict())
        job = services.import_job_create(kind=kind, content=content, filename=upload.name, user=request.user)
        if job.status == ImportStatus.PENDING:
            job = services.import_job_confirm(job=job, user=request.user)
        if job.status == ImportStatus.FAILED:
            raise _restored(job).failure()
        done = job.status == ImportStatus.DONE
        return Response(_job_body(job), status=status.HTTP_201_CREATED if done else status.HTTP_202_ACCEPTED)


def _restored(job: Any) -> ImportReport:
    report = ImportReport(kind=job.kind, rows=job.total_rows)
    for error in job.errors:
        report.add(error.get("row"), error.get("column", ""), error["message"], error.get("sheet", ""))
    return report


class ImportDetailView(APIView):
    @extend_schema(responses={200: _JOB}, summary="Trạng thái, tiến độ và lỗi của một lượt nhập")
    def get(self, request: Request, pk: int) -> Response:
        return Response(_job_body(services.import_job_get(user=request.user, pk=pk)))


class ExportView(APIView):
    @extend_schema(
        responses={(200, workbook.XLSX_MIME): OpenApiTypes.BINARY},
        summary="Xuất Excel dữ liệu trong phạm vi của người gọi",
    )
    def get(self, request: Request, kind: str) -> HttpResponse:
        content = services.export_rows(kind=kind, user=request.user)
        response = HttpResponse(content, content_type=workbook.XLSX_MIME)
        response["Content-Disposition"] = f'attachment; filename="{services.export_filename(kind)}"'
        return response


class ClassificationExportQuery(serializers.Serializer):
    year = serializers.IntegerField(
        label="Năm", min_value=classifications.MIN_YEAR, max_value=classifications.MAX_YEAR, required=False
    )
    output = serializers.ChoiceField(label="Định dạng", choices=classifications.FORMATS, default="xlsx")


class ClassificationExportView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("year", int, description="Năm (mặc định: năm nay)"),
            OpenApiParameter("output", str, enum=list(classifications.FORMATS), description="xlsx (mặc định) hoặc csv"),
        ],
        responses={
            (200, workbook.XLSX_MIME): OpenApiTypes.BINARY,
            (200, "text/csv"): OpenApiTypes.BINARY,
            400: OpenApiResponse(description="SPEC 8.1 error body"),
        },
        summary="Xuất kết quả xếp loại năm đã công khai theo khóa của CSDL CBCCVC quốc gia",
    )
    def get(self, request: Request) -> HttpResponse:
        query = ClassificationExportQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        year = query.validated_data.get("year") or timezone.localdate().year
        content, mime, filename = classifications.classifications_export(
            user=request.user, year=year, fmt=query.validated_data["output"]
        )
        response = HttpResponse(content, content_type=mime)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


def register(router: Any) -> None:
    """No viewsets: the endpoints are plain views (see ``urlpatterns``)."""


urlpatterns = [
    path("imports/", ImportsView.as_view(), name="api-imports"),
    path("imports/<int:pk>/", ImportDetailView.as_view(), name="api-import-detail"),
    path("exports/cbccvc-classifications/", ClassificationExportView.as_view(), name="api-export-classifications"),
    path("exports/<str:kind>/", ExportView.as_view(), name="api-export"),
]
