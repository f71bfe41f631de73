"""Official forms as PDF in the desk (SPEC 6): the appraisal form of one official and the
unit summary of a period. Both read through the scoped access door: a row outside the
user's scope is a 404, never a file.

- «Tải phiếu đánh giá (PDF)»: a detail action of the appraisal admin
  (``<id>/pdf/``, URL name ``admin:appraisals_appraisal_download_pdf``);
- «Tải bảng tổng hợp (PDF)»: ``admin:appraisals_unit_summary_pdf?period=<id>&unit=<id>``,
  linked from the authority's «Xét tỷ lệ và công khai» page.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from unfold.decorators import action

from thanhhoa_kpi.accounts import access
from thanhhoa_kpi.appraisals import selectors
from thanhhoa_kpi.organization.models import OrgUnit
from thanhhoa_kpi.reports.exports import filename
from thanhhoa_kpi.reports.pdf import appraisal_form_pdf, unit_summary_pdf


def pdf_response(content: bytes, title: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename(title, "pdf")}"'
    return response


def _chosen(request: HttpRequest, rows: Any, name: str) -> Any:
    value = str(request.GET.get(name) or "")
    found = rows.filter(pk=int(value)).first() if value.isdigit() else None
    if found is None:
        raise Http404("Không tìm thấy hoặc bạn không được xem.")
    return found


class AppraisalPdfMixin:
    """Adds the «Tải phiếu đánh giá (PDF)» button to the appraisal change page."""

    actions_detail = ["download_pdf"]

    @action(description="Tải phiếu đánh giá (PDF)", icon="picture_as_pdf", url_path="pdf")
    def download_pdf(self, request: HttpRequest, object_id: Any) -> HttpResponse:
        appraisal = self.get_object(request, object_id)  # type: ignore[attr-defined]  # the scoped queryset
        if appraisal is None:
            raise Http404("Không tìm thấy phiếu đánh giá hoặc bạn không được xem.")
        content = appraisal_form_pdf(selectors.appraisal_form_context(appraisal=appraisal))
        return pdf_response(content, f"Phiếu đánh giá {appraisal.official.full_name} {appraisal.period.label}")


def unit_summary_pdf_view(request: HttpRequest, model_admin: Any = None) -> HttpResponse:
    """The unit summary («bảng tổng hợp») of ``?period=`` and ``?unit=``, within the user's scope."""
    period = _chosen(request, selectors.period_list(user=request.user), "period")
    unit = _chosen(request, access.scoped(OrgUnit.objects.all(), request.user), "unit")
    context = selectors.unit_summary_form_context(period=period, unit=unit, user=request.user)
    return pdf_response(unit_summary_pdf(context), f"Bảng tổng hợp {unit.name} {period.label}")
