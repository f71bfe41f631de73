"""Built-in reports of work logs and appraisals (SPEC 6), registered from ``ReportsConfig.ready()``.

Every report reads through the scoped querysets (``access.scoped`` and the selectors that
use it) and aggregates in the database; parameters arrive as strings (query string or
desk filter bar, :mod:`thanhhoa_kpi.reports.builtin_params`) and a missing or foreign one
falls back to a sensible default. ``unit`` (an id in the user's scope) and ``bloc`` narrow
every report that has them; the figures of the province reports count levels only for the
appraisals :mod:`thanhhoa_kpi.appraisals.cutoff` counts, and say so in ``result.note``:

- ``nhat_ky_ca_nhan`` — personal work log (official: default me; period ``YYYY-MM``);
- ``tong_hop_gio_lam_viec`` — hours per person (or per unit with ``by=unit``);
- ``tong_hop_danh_gia_ca_nhan`` — per-person appraisal summary of a period;
- ``tong_hop_don_vi_thang`` — unit monthly summary (``appraisals.selectors.unit_summary``);
- ``bao_cao_thang_tinh`` — the province monthly report to the Standing Committee;
- ``so_ket_quy`` — the quarterly sơ kết, per month and for the quarter;
- ``danh_sach_xep_loai_nam`` — the annual classification list with the quota check;
- ``don_vi_cham_cong_khai`` — units late to publish (:mod:`thanhhoa_kpi.reports.builtin_deadlines`);
- ``kiem_tra_nhat_ky`` — plausibility flags per official of a unit's month
  (:mod:`thanhhoa_kpi.reports.builtin_plausibility`).
"""

from __future__ import annotations

import re
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from thanhhoa_kpi.accounts import access
from thanhhoa_kpi.appraisals import cutoff
from thanhhoa_kpi.appraisals import selectors as appraisal_selectors
from thanhhoa_kpi.appraisals.choices import (
    DRAFT,
    HOME_AFFAIRS,
    PUBLISHED,
    UNIT_REVIEW,
    ClassificationChoices,
    PeriodKind,
    classification_label,
)
from thanhhoa_kpi.appraisals.models import Appraisal, AppraisalPeriod
from thanhhoa_kpi.organization.choices import Bloc
from thanhhoa_kpi.organization.models import Official, OrgUnit
from thanhhoa_kpi.reports import work_figures
from thanhhoa_kpi.reports.builtin import register_builtin_report
from thanhhoa_kpi.reports.builtin_deadlines import late_units
from thanhhoa_kpi.reports.builtin_plausibility import integrity_report
from thanhhoa_kpi.reports.engine import MAX_ROWS, Column, ReportResult
from thanhhoa_kpi.worklogs import selectors as worklog_selectors
from thanhhoa_kpi.worklogs.models import LineStatus, WorkPeriod

TRUNCATED = "Chỉ hiển thị 5.000 dòng đầu; hãy chọn một đơn vị hoặc một cán bộ."


# ------------------------------------------------------------------------ parameters


def _int(params: dict[str, Any], name: str) -> int | None:
    value = str(params.get(name) or "").strip()
    # isdecimal, not isdigit ("²" is a digit int() refuses); at most 12 digits (ids, years)
    return int(value) if value.isdecimal() and len(value) <= 12 else None


def _unit(user: Any, params: dict[str, Any]) -> OrgUnit | None:
    pk = _int(params, "unit")
    return access.scoped(OrgUnit.objects.filter(pk=pk), user).first() if pk else None


def _work_period(params: dict[str, Any]) -> WorkPeriod:
    found = re.fullmatch(r"(\d{4})-(\d{1,2})", str(params.get("period") or "").strip())
    if found and 2000 <= int(found[1]) <= 2100 and 1 <= int(found[2]) <= 12:
        year, month = int(found[1]), int(found[2])
        # A report only reads: a month never opened is shown empty, not created (opening a
        # month is the work-log service's decision). pk 0 matches no line.
        return WorkPeriod.objects.filter(year=year, month=month).first() or WorkPeriod(pk=0, year=year, month=month)
    return worklog_selectors.current_period()


def _scoped_appraisals(user: Any) -> QuerySet[Appraisal]:
    return access.scoped(Appraisal.objects.all(), user)


def _bloc(params: dict[str, Any]) -> str:
    value = str(params.get("bloc") or "")
    return value if value in Bloc.values else ""


def _appraisal_period(user: Any, params: dict[str, Any], kinds: tuple[str, ...]) -> AppraisalPeriod | None:
    """The period asked for, else the latest one of ``kinds`` holding appraisals the user
    sees (of the bloc asked for, when one is)."""
    periods = appraisal_selectors.period_list(user=user, bloc=_bloc(params) or None)
    pk = _int(params, "period")
    chosen = periods.filter(pk=pk).first() if pk else None
    if chosen is not None:
        return chosen
    with_rows = periods.filter(kind__in=kinds, pk__in=_scoped_appraisals(user).values("period_id"))
    return with_rows.order_by("-end_date", "-pk").first()


def _result(title: str, columns: list[Column], rows: list[list[Any]], subtitle: str = "") -> ReportResult:
    truncated = len(rows) > MAX_ROWS
    return ReportResult(title=title, columns=columns, rows=rows[:MAX_ROWS], truncated=truncated,
                        warning=TRUNCATED if truncated else "", subtitle=subtitle)  # fmt: skip


def _year_month(params: dict[str, Any]) -> tuple[int, int]:
    today = timezone.localdate()
    year = _year(params, today.year)
    month = _int(params, "month")
    return year, month if month and 1 <= month <= 12 else today.month


def _year(params: dict[str, Any], default: int) -> int:
    year = _int(params, "year")
    return year if year and 2000 <= year <= 2100 else default


# -------------------------------------------------------------- personal work log


def _log_official(user: Any, params: dict[str, Any]) -> Official | None:
    # Picking a unit without an official lists the unit's lines, not only mine.
    mine = None if _int(params, "unit") else access.scope_for(user).official_id
    pk = _int(params, "official") or mine
    return access.scoped(Official.objects.filter(pk=pk), user).first() if pk else None


def personal_log(user: Any, params: dict[str, Any]) -> ReportResult:
    period = _work_period(params)
    lines = worklog_selectors.worklog_list(user=user).filter(period=period)
    official = _log_official(user, params)
    if official is not None:
        lines = lines.filter(official=official)
    elif _int(params, "official") or (access.scope_for(user).official_id and not _int(params, "unit")):
        lines = lines.none()  # asked for someone outside the scope
    unit = _unit(user, params)
    if unit is not None:
        lines = lines.filter(unit__path__startswith=unit.path)
    elif _int(params, "unit"):
        lines = lines.none()  # a unit outside the scope
    rows = lines.order_by("official__full_name", "date", "pk").values_list(
        "official__full_name", "date", "catalogue_item__code", "catalogue_item__task", "quantity",
        "accepted_quantity", "minutes", "status", "description",
    )[: MAX_ROWS + 1]  # fmt: skip
    labels = dict(LineStatus.choices)
    data = [[*row[:7], labels.get(row[7], row[7]), row[8]] for row in rows]
    columns = [
        Column("official", "Cán bộ", "fk"), Column("date", "Ngày", "date"), Column("item_code", "Mã công việc", "text"),
        Column("item", "Đầu công việc", "fk"), Column("quantity", "Số lượng", "number"),
        Column("accepted", "Số lượng được chấp nhận", "number"), Column("minutes", "Thời gian (phút)", "number"),
        Column("status", "Trạng thái", "choice"), Column("description", "Nội dung", "text"),
    ]  # fmt: skip
    who = official.full_name if official else "các cán bộ trong phạm vi"
    return _result("Nhật ký công việc cá nhân", columns, data, f"{period} — {who}")


# ------------------------------------------------------------------------ hours


def hours_summary(user: Any, params: dict[str, Any]) -> ReportResult:
    period, unit = _work_period(params), _unit(user, params)
    if str(params.get("by") or "") == "unit":
        found = worklog_selectors.hours_by_unit(user=user, period=period, unit=unit)
        data = [[r["unit__name"], r["officials"], r["lines"], r["hours"], r["reviewed_hours"]] for r in found]
        first = [Column("unit", "Đơn vị", "fk"), Column("officials", "Số người", "number")]
    else:
        found = worklog_selectors.hours_by_official(user=user, period=period, unit=unit)
        data = [[r["unit__name"], r["official__code"], r["official__full_name"], r["days"], r["lines"], r["hours"],
                 r["reviewed_hours"]] for r in found]  # fmt: skip
        first = [Column("unit", "Đơn vị", "fk"), Column("code", "Mã CBCCVC", "text"),
                 Column("full_name", "Họ và tên", "text"), Column("days", "Số ngày có ghi", "number")]  # fmt: skip
    columns = [*first, Column("lines", "Số dòng", "number"), Column("hours", "Số giờ đã ghi", "number"),
               Column("reviewed_hours", "Số giờ đã duyệt", "number")]  # fmt: skip
    return _result("Bảng tổng hợp giờ làm việc", columns, data, str(period))


# ------------------------------------------------------------- per-person summary


def _state_labels(rows: QuerySet[Appraisal]) -> dict[tuple[int, str], str]:
    from thanhhoa_kpi.workflow.models import WorkflowDefinition

    ids = set(rows.order_by().values_list("workflow_id", flat=True).distinct())
    return {
        (definition.pk, state.code): state.label
        for definition in WorkflowDefinition.objects.filter(pk__in=ids)
        for state in definition.parsed().states
    }


def person_summary(user: Any, params: dict[str, Any]) -> ReportResult:
    period = _appraisal_period(user, params, (PeriodKind.MONTH, PeriodKind.QUARTER, PeriodKind.YEAR))
    if period is None:
        return _result("Bảng tổng hợp đánh giá từng cá nhân", [], [], "Chưa có kỳ đánh giá.")
    rows = appraisal_selectors.appraisal_list(user=user, period=period, unit=_unit(user, params))
    states = _state_labels(rows)
    values = rows.order_by("unit__path", "official__full_name").values_list(
        "unit__name", "official__code", "official__full_name", "a", "b", "c", "task_score", "general_score", "total",
        "final_classification", "proposed_classification", "workflow_id", "state",
    )[: MAX_ROWS + 1]  # fmt: skip
    data = [[*row[:9], classification_label(row[9] or row[10]), states.get((row[11], row[12]), row[12])]
            for row in values]  # fmt: skip
    columns = [
        Column("unit", "Đơn vị", "fk"), Column("code", "Mã CBCCVC", "text"), Column("full_name", "Họ và tên", "text"),
        Column("a", "Số lượng, a (%)", "number"), Column("b", "Chất lượng, b (%)", "number"),
        Column("c", "Tiến độ, c (%)", "number"), Column("task_score", "Điểm nhiệm vụ", "number"),
        Column("general_score", "Điểm tiêu chí chung", "number"), Column("total", "Tổng điểm", "number"),
        Column("classification", "Xếp loại", "choice"), Column("state", "Trạng thái", "choice"),
    ]  # fmt: skip
    return _result("Bảng tổng hợp đánh giá từng cá nhân", columns, data, str(period))


# -------------------------------------------------------------- unit monthly summary

STATES = [
    (DRAFT, "Nháp"), (UNIT_REVIEW, "Đơn vị xem xét"), (HOME_AFFAIRS, "Chờ phê duyệt"), (PUBLISHED, "Đã công khai"),
]  # fmt: skip


def unit_month(user: Any, params: dict[str, Any]) -> ReportResult:
    title = "Tổng hợp kết quả đánh giá của đơn vị theo tháng"
    period = _appraisal_period(user, params, (PeriodKind.MONTH,))
    if period is None:
        return _result(title, [], [], "Chưa có kỳ đánh giá.")
    chosen = _unit(user, params)
    units = [chosen] if chosen else work_figures.top_units(user, bloc=period.bloc).units
    data = []
    for unit in units:
        summary = appraisal_selectors.unit_summary(period=period, unit=unit, user=user)
        if not summary["count"] and not chosen:
            continue
        average = summary["average_total"]
        data.append([
            unit.name, summary["count"], *summary["by_classification"].values(),
            *[summary["by_state"].get(code, 0) for code, _label in STATES], summary["not_evaluable"],
            round(average, 2) if average is not None else None,
        ])  # fmt: skip
    columns = [
        Column("unit", "Đơn vị", "fk"), Column("count", "Số phiếu", "number"),
        *[Column(f"n_{code.lower()}", label, "number") for code, label in ClassificationChoices.choices],
        *[Column(f"state_{code.lower()}", label, "number") for code, label in STATES],
        Column("not_evaluable", "Không có việc được giao", "number"), Column("average", "Điểm bình quân", "number"),
    ]  # fmt: skip
    return _result(title, columns, data, f"{period.label} — {period.get_bloc_display()}")


# ------------------------------------------------------- province month and quarter

BLOC_LABELS = dict(Bloc.choices)


def _scope_of_figures(user: Any, params: dict[str, Any]) -> tuple[work_figures.TopUnits, str, OrgUnit | None, str]:
    """The rows (top units), bloc and unit of the province figures, and their words for the subtitle."""
    bloc, unit = _bloc(params), _unit(user, params)
    tops = work_figures.top_units(user, bloc=bloc or None, within=unit)
    words = [text for text in (BLOC_LABELS.get(bloc, ""), unit.name if unit else "") if text]
    return tops, bloc, unit, "".join(f" — {text}" for text in words)


def province_month(user: Any, params: dict[str, Any]) -> ReportResult:
    year, month = _year_month(params)
    tops, chosen_bloc, within, words = _scope_of_figures(user, params)
    found = work_figures.figures(user, year=year, months=[month], tops=tops, bloc=chosen_bloc, within=within)
    by_unit, by_bloc = found.group("unit"), found.group("bloc")
    data = []
    for bloc, label in Bloc.choices:
        units = [unit for unit in tops.units if unit.bloc == bloc]
        if not units and (bloc,) not in by_bloc:
            continue
        data.append([label, "Cộng khối", *by_bloc.get((bloc,), work_figures.empty_cells())])
        data += [[label, unit.name, *by_unit.get((unit.pk,), work_figures.empty_cells())] for unit in units]
    data.append(["Toàn tỉnh", "Tổng cộng", *found.group()[()]])
    columns = [Column("bloc", "Khối", "choice"), Column("unit", "Đơn vị", "fk"), *work_figures.FIGURE_COLUMNS]
    subtitle = f"Tháng {month:02d}/{year}{words} — kính gửi Thường trực Tỉnh ủy"
    result = _result("Báo cáo tháng kết quả đánh giá cán bộ toàn tỉnh", columns, data, subtitle)
    result.note = cutoff.cutoff_note()
    return result


def quarter_review(user: Any, params: dict[str, Any]) -> ReportResult:
    today = timezone.localdate()
    year = _year(params, today.year)
    quarter = _int(params, "quarter") or (today.month - 1) // 3 + 1
    quarter = quarter if 1 <= quarter <= 4 else 1
    months = [3 * (quarter - 1) + n for n in (1, 2, 3)]
    tops, bloc, within, words = _scope_of_figures(user, params)
    found = work_figures.figures(user, year=year, months=months, tops=tops, bloc=bloc, within=within)
    by_month_unit, by_month, by_unit = found.group("month", "unit"), found.group("month"), found.group("unit")
    empty = work_figures.empty_cells()
    data = []
    for month in months:
        label = f"Tháng {month:02d}/{year}"
        data += [[label, unit.name, *by_month_unit.get((month, unit.pk), empty)] for unit in tops.units]
        data.append([label, "Cộng tháng", *by_month.get((month,), empty)])
    whole = f"Quý {quarter}/{year}"
    data += [[whole, unit.name, *by_unit.get((unit.pk,), empty)] for unit in tops.units]
    data.append([whole, "Tổng cộng cả quý", *found.group()[()]])
    columns = [Column("month", "Thời gian", "text"), Column("unit", "Đơn vị", "fk"), *work_figures.FIGURE_COLUMNS]
    result = _result("Sơ kết quý kết quả đánh giá cán bộ", columns, data, f"Quý {quarter}/{year}{words}")
    result.note = cutoff.cutoff_note()
    return result


# ------------------------------------------------------- annual classification list


def _quota_text(found: appraisal_selectors.ClassificationList) -> str:
    counts = found.counts()
    excellent = counts[ClassificationChoices.HOAN_THANH_XUAT_SAC]
    good = counts[ClassificationChoices.HOAN_THANH_TOT]
    parts = [f"{found.period.label}: Hoàn thành xuất sắc {excellent}, Hoàn thành tốt {good}"]
    for group in found.groups:
        if group.figures is not None:
            quota = group.figures
            parts.append(f"{group.label} ({group.quota_unit.name}): {quota.candidates} đề nghị xuất sắc, "
                         f"{quota.good} hoàn thành tốt, tối đa {quota.limit} xuất sắc")  # fmt: skip
    return "; ".join(parts) + "."


def annual_list(user: Any, params: dict[str, Any]) -> ReportResult:
    title = "Danh sách xếp loại chất lượng cán bộ năm"
    period = _appraisal_period(user, params, (PeriodKind.YEAR,)) or _appraisal_period(
        user, {"bloc": params.get("bloc")}, (PeriodKind.QUARTER, PeriodKind.MONTH)
    )
    if period is None:
        return _result(title, [], [], "Chưa có kỳ đánh giá.")
    found = appraisal_selectors.classification_list(period=period, unit=_unit(user, params), user=user)
    data = [
        [row.official.full_name, row.official.code, row.appraisal.unit.name if row.appraisal else "", row.mean,
         row.task_mean, classification_label(row.by_score), classification_label(row.after_quota),
         classification_label(row.final), " ".join(filter(None, [row.quota_reason, row.head_cap_reason]))]
        for row in found.rows[: MAX_ROWS + 1]
    ]  # fmt: skip
    columns = [
        Column("full_name", "Họ và tên", "text"), Column("code", "Mã CBCCVC", "text"), Column("unit", "Đơn vị", "fk"),
        Column("mean", "Điểm bình quân", "number"), Column("task_mean", "Điểm nhiệm vụ bình quân", "number"),
        Column("by_score", "Xếp loại theo điểm", "choice"), Column("after_quota", "Sau xét tỷ lệ", "choice"),
        Column("final", "Xếp loại chính thức", "choice"), Column("reason", "Lý do hạ mức", "text"),
    ]  # fmt: skip
    return _result(title, columns, data, _quota_text(found))


# ------------------------------------------------------------------------ registry

PERIOD_MONTH = "Tháng"
APPRAISAL_PERIOD = "Kỳ đánh giá"
UNIT = "Đơn vị"
BLOC = "Khối"
# The desk's picker of each parameter whose name is not its kind (builtin_params.KINDS).
WORK_MONTH = {"period": "work_month"}
APPRAISAL = {"period": "appraisal_period"}


def register_work_builtins() -> None:
    reports = [
        ("nhat_ky_ca_nhan", "Nhật ký công việc cá nhân", personal_log,
         "Các dòng nhật ký của một cán bộ trong tháng: đầu công việc, số lượng, số được chấp nhận, thời gian.",
         {"period": PERIOD_MONTH, "unit": UNIT, "official": "Cán bộ (mặc định: tôi)"}, WORK_MONTH),
        ("tong_hop_gio_lam_viec", "Bảng tổng hợp giờ làm việc", hours_summary,
         "Giờ làm việc đã ghi và đã duyệt theo từng người (hoặc theo đơn vị) trong tháng.",
         {"period": PERIOD_MONTH, "unit": UNIT, "by": "Tổng hợp theo"}, WORK_MONTH),
        ("tong_hop_danh_gia_ca_nhan", "Bảng tổng hợp đánh giá từng cá nhân", person_summary,
         "a, b, c, điểm nhiệm vụ, điểm tiêu chí chung, tổng điểm, xếp loại và trạng thái của từng người.",
         {"period": APPRAISAL_PERIOD, "bloc": BLOC, "unit": UNIT}, APPRAISAL),
        ("tong_hop_don_vi_thang", "Tổng hợp kết quả đánh giá của đơn vị theo tháng", unit_month,
         "Số phiếu theo xếp loại và theo trạng thái, điểm bình quân của từng đơn vị.",
         {"period": APPRAISAL_PERIOD, "bloc": BLOC, "unit": UNIT}, APPRAISAL),
        ("bao_cao_thang_tinh", "Báo cáo tháng kết quả đánh giá cán bộ toàn tỉnh", province_month,
         "Báo cáo Thường trực Tỉnh ủy: theo khối và đơn vị cấp trên cùng; số được đánh giá, công khai, "
         "xếp loại, tỷ lệ xuất sắc, điểm bình quân (chỉ các phiếu đã qua đơn vị xem xét), nhật ký và giờ làm việc.",
         {"year": "Năm", "month": "Tháng", "bloc": BLOC, "unit": UNIT}, {}),
        ("so_ket_quy", "Sơ kết quý kết quả đánh giá cán bộ", quarter_review,
         "Các số liệu của báo cáo tháng cho từng tháng trong quý và cả quý.",
         {"year": "Năm", "quarter": "Quý", "bloc": BLOC, "unit": UNIT}, {}),
        ("danh_sach_xep_loai_nam", "Danh sách xếp loại chất lượng cán bộ năm", annual_list,
         "Xếp loại theo điểm, sau xét tỷ lệ xuất sắc và xếp loại đơn vị, kèm số liệu kiểm tra tỷ lệ.",
         {"period": APPRAISAL_PERIOD, "bloc": BLOC, "unit": UNIT}, APPRAISAL),
        ("don_vi_cham_cong_khai", "Đơn vị chậm công khai kết quả", late_units,
         "Các đơn vị còn phiếu chưa công khai sau hạn phê duyệt của kỳ (hoặc công khai sau hạn): "
         "số phiếu theo trạng thái và số ngày chậm.",
         {"period": APPRAISAL_PERIOD, "bloc": BLOC, "unit": UNIT}, APPRAISAL),
        ("kiem_tra_nhat_ky", "Kiểm tra tính hợp lý của nhật ký công việc", integrity_report,
         "Các cán bộ có dòng nhật ký cần lưu ý trong tháng: vượt giờ một ngày, ghi vào ngày nghỉ hoặc thời gian "
         "nghỉ, trùng số văn bản hoặc tệp minh chứng, dồn việc cuối tháng hoặc sau hạn, năng suất cao bất thường "
         "so với nhóm, chủ yếu việc tự đăng ký. Để lãnh đạo xem xét, không tự động trừ điểm.",
         {"period": PERIOD_MONTH, "unit": UNIT}, WORK_MONTH),
    ]  # fmt: skip
    for code, title, func, description, params, kinds in reports:
        register_builtin_report(code, title, func, description=description, params=params, kinds=kinds)
