"""The month of a list: ``?month=YYYY-MM``, default the current month.

Lists whose rows pile up month after month (work-log lines, appraisals) show one month
unless asked otherwise, so their cost follows the people in scope, not every row ever
written (issue 12).
"""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter
from rest_framework.request import Request

from thanhhoa_kpi.core.errors import FieldError, ValidationFailed

MONTH_PARAM = OpenApiParameter(
    "month",
    str,
    description=(
        "Tháng, dạng YYYY-MM (ví dụ 2026-03). Không có `month` và `period` thì danh sách chỉ gồm tháng hiện tại."
    ),
)


def month_param(request: Request) -> tuple[int, int] | None:
    """``(year, month)`` of ``?month=``; None when absent; a 400 naming ``month`` when malformed."""
    text = (request.query_params.get("month") or "").strip()
    if not text:
        return None
    year, _, month = text.partition("-")
    if not (len(year) == 4 and year.isdigit() and month.isdigit() and len(month) <= 2 and 1 <= int(month) <= 12):
        message = "Tháng phải có dạng YYYY-MM, ví dụ 2026-03."
        raise ValidationFailed(message, [FieldError("month", message)])
    return int(year), int(month)


def current_month() -> tuple[int, int]:
    today = timezone.localdate()
    return today.year, today.month
