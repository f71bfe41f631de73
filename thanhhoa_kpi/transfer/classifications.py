"""Each year's classifications, in the keys of the national CBCCVC database, as Excel or CSV.

One row per classified official: Mã CBCCVC, the year, the level in the words of the
national code list (the four levels of ND 335/2025/NĐ-CP Điều 20, as
:data:`~thanhhoa_kpi.scoring.CLASSIFICATION_LABELS` spells them) and the unit.

A year is found as the «Danh sách xếp loại chất lượng cán bộ năm» report finds it: the
appraisal period of kind YEAR of each bloc, read through
:func:`thanhhoa_kpi.appraisals.selectors.classification_list`, which rolls up only the
PUBLISHED monitoring appraisals of the year (drafts and appraisals still under review
never count) and applies the quota and the head cap. An official the roll-up leaves
unclassified (fewer months worked than the rule set asks) has no row; the unit is the one
of their latest published appraisal. Scope: the caller's, as every report.
"""

from __future__ import annotations

from typing import Any

from thanhhoa_kpi.accounts import access
from thanhhoa_kpi.appraisals import selectors as appraisal_selectors
from thanhhoa_kpi.appraisals import states
from thanhhoa_kpi.appraisals.choices import PeriodKind, classification_label
from thanhhoa_kpi.core.errors import FieldError, PermissionRefused, ValidationFailed
from thanhhoa_kpi.transfer import workbook
from thanhhoa_kpi.transfer.specs import CLASSIFICATIONS

FORMATS = ("xlsx", "csv")
MIN_YEAR, MAX_YEAR = 2000, 2100


def classification_rows(*, user: Any, year: int) -> list[dict[str, Any]]:
    """The year's classified officials the user may see, by code."""
    if access.scope_for(user).user_id is None:
        raise PermissionRefused("Bạn cần đăng nhập để xuất dữ liệu.")
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationFailed("Năm không hợp lệ.", [FieldError("year", f"Năm phải từ {MIN_YEAR} đến {MAX_YEAR}.")])
    periods = appraisal_selectors.period_list(user=user).filter(kind=PeriodKind.YEAR, year=year).order_by("bloc")
    rows: dict[str, dict[str, Any]] = {}
    for period in periods:
        found = appraisal_selectors.classification_list(period=period, unit=None, user=user)
        for row in found.rows:
            appraisal = row.appraisal
            if not row.final or appraisal is None:
                continue
            if not found.rolled_up and not states.is_published(appraisal):
                continue  # a period with appraisals of its own: its published ones only
            rows[row.official.code] = {
                "code": row.official.code,
                "full_name": row.official.full_name,
                "year": year,
                "classification": classification_label(row.final),
                "unit": appraisal.unit.code,
                "unit_name": appraisal.unit.name,
            }
    return [rows[code] for code in sorted(rows)]


def classifications_export(*, user: Any, year: int, fmt: str) -> tuple[bytes, str, str]:
    """(content, MIME type, file name) of the year's classifications in ``fmt`` (xlsx or csv)."""
    if fmt not in FORMATS:
        raise ValidationFailed(
            "Định dạng không được hỗ trợ.", [FieldError("format", "Chọn xlsx hoặc csv.")], code="UNKNOWN_FORMAT"
        )
    rows = classification_rows(user=user, year=year)
    name = f"xep-loai-cbccvc-{year}.{fmt}"
    if fmt == "csv":
        return workbook.write_csv(CLASSIFICATIONS.main, rows), workbook.CSV_MIME, name
    return workbook.write(CLASSIFICATIONS, {CLASSIFICATIONS.main.title: rows}), workbook.XLSX_MIME, name
