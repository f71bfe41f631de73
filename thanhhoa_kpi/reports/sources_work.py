"""Report sources of the work apps: catalogue items, work-log lines, appraisals (SPEC 6, 7).

Registered from ``ReportsConfig.ready()``; each carries the custom fields of its document
type (``custom.<key>``). Rows come from ``access.scoped`` like every source: catalogue
items are public reference data, lines and appraisals follow their official.
"""

from __future__ import annotations

from thanhhoa_kpi.appraisals.models import Appraisal
from thanhhoa_kpi.catalogue.models import CatalogueItem
from thanhhoa_kpi.reports.registry import register_report_source
from thanhhoa_kpi.worklogs.models import WorkLogLine


def _register_catalogue_items() -> None:
    register_report_source(
        "catalogue_item",
        CatalogueItem,
        "Đầu công việc trong danh mục",
        {
            "catalogue": ("Mã danh mục", "fk", "catalogue__code"),
            "catalogue_name": ("Tên danh mục", "fk", "catalogue__name"),
            "catalogue_status": ("Trạng thái danh mục", "choice", "catalogue__status"),
            "code": ("Mã công việc", "text", "code"),
            "field": ("Lĩnh vực", "text", "field"),
            "task": ("Nhiệm vụ", "text", "task"),
            "output_product": ("Sản phẩm đầu ra", "text", "output_product"),
            "unit_of_measure": ("Đơn vị tính", "text", "unit_of_measure"),
            "complexity_group": ("Nhóm độ phức tạp", "number", "complexity_group"),
            "coefficient": ("Hệ số quy đổi", "number", "coefficient"),
            "standard_minutes": ("Thời gian chuẩn (phút)", "number", "standard_minutes"),
        },
        custom_doctype="catalogue_item",
    )


def _register_worklogs() -> None:
    register_report_source(
        "worklog",
        WorkLogLine,
        "Nhật ký công việc",
        {
            "date": ("Ngày", "date", "date"),
            "year": ("Năm", "number", "period__year"),
            "month": ("Tháng", "number", "period__month"),
            "official_code": ("Mã CBCCVC", "text", "official__code"),
            "official": ("Cán bộ", "fk", "official__full_name"),
            "unit": ("Đơn vị (lúc ghi)", "fk", "unit__name"),
            "item_code": ("Mã công việc", "text", "catalogue_item__code"),
            "item": ("Đầu công việc", "fk", "catalogue_item__task"),
            "field": ("Lĩnh vực", "text", "catalogue_item__field"),
            "quantity": ("Số lượng thực hiện", "number", "quantity"),
            "accepted_quantity": ("Số lượng được chấp nhận", "number", "accepted_quantity"),
            "coefficient": ("Hệ số quy đổi", "number", "coefficient"),
            "minutes": ("Thời gian (phút)", "number", "minutes"),
            "status": ("Trạng thái", "choice", "status"),
            "quality_failures": ("Số lỗi chất lượng", "number", "quality_failures"),
            "delays": ("Số lần chậm tiến độ", "number", "delays"),
            "document_number": ("Số văn bản / hồ sơ", "text", "document_number"),
            "description": ("Nội dung", "text", "description"),
        },
        custom_doctype="worklog",
    )


def _appraisal_states() -> dict[str, str]:
    """The states of the appraisal workflow definitions: stored code → label (the first
    definition naming a code gives its label), read on every use since HR admins edit them."""
    from thanhhoa_kpi.appraisals.choices import DOCTYPE
    from thanhhoa_kpi.workflow.models import WorkflowDefinition

    out: dict[str, str] = {}
    for definition in WorkflowDefinition.objects.filter(doctype=DOCTYPE).order_by("code", "-version"):
        for state in definition.parsed().states:
            out.setdefault(state.code, state.label)
    return out


def _register_appraisals() -> None:
    register_report_source(
        "appraisal",
        Appraisal,
        "Phiếu đánh giá",
        {
            "official_code": ("Mã CBCCVC", "text", "official__code"),
            "official": ("Họ và tên", "fk", "official__full_name"),
            "unit": ("Đơn vị", "fk", "unit__name"),
            "position": ("Vị trí việc làm", "fk", "position__name"),
            "leadership_role": ("Chức vụ lãnh đạo", "choice", "leadership_role"),
            "bloc": ("Khối", "choice", "period__bloc"),
            "period_kind": ("Loại kỳ", "choice", "period__kind"),
            "year": ("Năm", "number", "period__year"),
            "period_number": ("Kỳ số (tháng, quý)", "number", "period__number"),
            "state": ("Trạng thái", "choice", "state", _appraisal_states),
            "a": ("Tỷ lệ số lượng, a (%)", "number", "a"),
            "b": ("Tỷ lệ chất lượng, b (%)", "number", "b"),
            "c": ("Tỷ lệ tiến độ, c (%)", "number", "c"),
            "task_score": ("Điểm nhiệm vụ", "number", "task_score"),
            "general_score": ("Điểm tiêu chí chung", "number", "general_score"),
            "total": ("Tổng điểm", "number", "total"),
            "proposed_classification": ("Xếp loại theo điểm", "choice", "proposed_classification"),
            "final_classification": ("Xếp loại chính thức", "choice", "final_classification"),
            "score_status": ("Tình trạng tính điểm", "choice", "score_status"),
        },
        custom_doctype="appraisal",
    )


def register_work_sources() -> None:
    _register_catalogue_items()
    _register_worklogs()
    _register_appraisals()
