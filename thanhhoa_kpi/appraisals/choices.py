"""Enumerations of appraisal periods, appraisals and unit appraisals (SPEC 3.8–3.10).

Classification codes are those of the pure engine (:class:`thanhhoa_kpi.scoring.Classification`),
so a value stored here is the value the engine returned, with its Vietnamese label.
"""

from django.db import models

from thanhhoa_kpi.scoring import CLASSIFICATION_LABELS, Classification, Disqualifier


class PeriodKind(models.TextChoices):
    MONTH = "MONTH", "Tháng"
    QUARTER = "QUARTER", "Quý"
    YEAR = "YEAR", "Năm"


class PeriodStatus(models.TextChoices):
    DRAFT = "DRAFT", "Đang chuẩn bị"
    OPEN = "OPEN", "Đang mở"
    CLOSED = "CLOSED", "Đã khóa"


class OpeningStatus(models.TextChoices):
    """Progress of the background job that creates a period's appraisals."""

    IDLE = "IDLE", "Chưa mở"
    QUEUED = "QUEUED", "Đang chờ tạo phiếu"
    RUNNING = "RUNNING", "Đang tạo phiếu"
    DONE = "DONE", "Đã tạo xong phiếu"
    FAILED = "FAILED", "Tạo phiếu thất bại"


_C = Classification


class ClassificationChoices(models.TextChoices):
    """The four levels of ND 335 Điều 20, stored with the engine's codes."""

    HOAN_THANH_XUAT_SAC = _C.HOAN_THANH_XUAT_SAC.value, CLASSIFICATION_LABELS[_C.HOAN_THANH_XUAT_SAC]
    HOAN_THANH_TOT = _C.HOAN_THANH_TOT.value, CLASSIFICATION_LABELS[_C.HOAN_THANH_TOT]
    HOAN_THANH = _C.HOAN_THANH.value, CLASSIFICATION_LABELS[_C.HOAN_THANH]
    KHONG_HOAN_THANH = _C.KHONG_HOAN_THANH.value, CLASSIFICATION_LABELS[_C.KHONG_HOAN_THANH]


class ScoreStatus(models.TextChoices):
    NOT_SCORED = "", "Chưa tính điểm"
    OK = "OK", "Đã tính điểm"
    NO_ASSIGNED_WORK = "NO_ASSIGNED_WORK", "Không có việc được giao"


class DisqualifierCode(models.TextChoices):
    """ND 335/2025/NĐ-CP Điều 20 khoản 4 (điểm b, c, d)."""

    DEGRADATION = Disqualifier.DEGRADATION.value, "Suy thoái tư tưởng chính trị, đạo đức, lối sống"
    DISCIPLINE = Disqualifier.DISCIPLINE.value, "Bị kỷ luật từ khiển trách trở lên trong năm"
    UNIT_CORRUPTION = Disqualifier.UNIT_CORRUPTION.value, "Đơn vị trực tiếp quản lý để xảy ra tham nhũng, lãng phí"
    UNIT_CORRUPTION_REPORTED = (
        Disqualifier.UNIT_CORRUPTION_REPORTED.value,
        "Đơn vị trực tiếp quản lý để xảy ra tham nhũng, lãng phí; người quản lý đã chủ động phát hiện, báo cáo, xử lý",
    )


# The quota group of an official without a similar-task group: by leadership role.
DEFAULT_GROUPS = {
    "HEAD": ("LANH_DAO_DON_VI", "Người đứng đầu"),
    "DEPUTY": ("LANH_DAO_PHONG", "Cấp phó"),
    "NONE": ("CHUYEN_VIEN", "Công chức không giữ chức vụ lãnh đạo"),
}

# The states of the default APPRAISAL workflow this app reacts to (fixtures/base/workflows.json).
DRAFT = "DRAFT"
UNIT_REVIEW = "UNIT_REVIEW"
HOME_AFFAIRS = "HOME_AFFAIRS"
PUBLISHED = "PUBLISHED"
WORKFLOW_CODE = "APPRAISAL"
DOCTYPE = "appraisal"


def classification_label(code: str | None) -> str:
    """The Vietnamese label of a stored classification code ("" → "")."""
    if not code:
        return ""
    try:
        return CLASSIFICATION_LABELS[Classification(code)]
    except ValueError:
        return code
