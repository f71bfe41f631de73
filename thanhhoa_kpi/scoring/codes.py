"""Stable codes shared by every part of the scoring engine.

The codes travel through the database, the API and the CLI, so they never change;
the Vietnamese labels beside them are what people read (forms, explanations).
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """Whose formula applies (ND 335/2025/NĐ-CP Điều 14 for staff, Điều 15 for leaders)."""

    STAFF = "staff"
    LEADER = "leader"


class Status(StrEnum):
    """Whether a period could be scored at all (SPEC 5.2)."""

    OK = "OK"
    NO_ASSIGNED_WORK = "NO_ASSIGNED_WORK"


class Classification(StrEnum):
    """The four levels of ND 335/2025/NĐ-CP Điều 20, lowest first in :data:`RANK`."""

    HOAN_THANH_XUAT_SAC = "HOAN_THANH_XUAT_SAC"
    HOAN_THANH_TOT = "HOAN_THANH_TOT"
    HOAN_THANH = "HOAN_THANH"
    KHONG_HOAN_THANH = "KHONG_HOAN_THANH"


class Disqualifier(StrEnum):
    """Facts that force KHONG_HOAN_THANH whatever the score (ND 335 Điều 20 khoản 4).

    ``UNIT_CORRUPTION`` (điểm d) is defined only for leaders; the engine refuses it
    for staff instead of ignoring it, so a data-entry mistake is seen, not swallowed.
    ``UNIT_CORRUPTION_REPORTED`` is the same fact where the leader proactively detected,
    reported and handled the case: it disqualifies like ``UNIT_CORRUPTION`` unless the
    rule set mitigates it (``corruption_reported``; ND 233 does, :mod:`.legal`).
    """

    DEGRADATION = "DEGRADATION"
    DISCIPLINE = "DISCIPLINE"
    UNIT_CORRUPTION = "UNIT_CORRUPTION"
    UNIT_CORRUPTION_REPORTED = "UNIT_CORRUPTION_REPORTED"


class QuotaScope(StrEnum):
    """Where the quota of ND 335 Điều 20 khoản 5 counts (SPEC 5.6, decided 2026-12).

    AGENCY: per agency (cơ quan, tổ chức, đơn vị: a Sở, a Ban, a UBND xã/phường) and
    similar-task group in it; a phòng counts in its agency. UNIT: per unit as posted.
    """

    AGENCY = "AGENCY"
    UNIT = "UNIT"


class QuotaReading(StrEnum):
    """Two readings of the 20 % quota of ND 335 Điều 20 khoản 5 (SPEC 5.6).

    FINAL_GOOD: E ≤ floor(rate × (G + C − E)), the good count after demotions.
    GOOD_PLUS_CANDIDATES: E ≤ floor(rate × (G + C)), good-or-better before demotions.
    """

    FINAL_GOOD = "FINAL_GOOD"
    GOOD_PLUS_CANDIDATES = "GOOD_PLUS_CANDIDATES"


class RollupStatus(StrEnum):
    """Outcome of a quarter or year roll-up (ND 335 Điều 21; ND 233/2026 Điều 14)."""

    OK = "OK"
    NOT_CLASSIFIED = "NOT_CLASSIFIED"


class PeriodKind(StrEnum):
    """How a monitored period enters a roll-up."""

    WORKED = "WORKED"
    FULL_LEAVE = "FULL_LEAVE"
    NO_ASSIGNED_WORK = "NO_ASSIGNED_WORK"


# Higher number = better level; used to compare and cap classifications.
RANK: dict[Classification, int] = {
    Classification.KHONG_HOAN_THANH: 0,
    Classification.HOAN_THANH: 1,
    Classification.HOAN_THANH_TOT: 2,
    Classification.HOAN_THANH_XUAT_SAC: 3,
}

CLASSIFICATION_LABELS: dict[Classification, str] = {
    Classification.HOAN_THANH_XUAT_SAC: "Hoàn thành xuất sắc nhiệm vụ",
    Classification.HOAN_THANH_TOT: "Hoàn thành tốt nhiệm vụ",
    Classification.HOAN_THANH: "Hoàn thành nhiệm vụ",
    Classification.KHONG_HOAN_THANH: "Không hoàn thành nhiệm vụ",
}

# The article each one comes from depends on the rule set (its ``citations``).
DISQUALIFIER_LABELS: dict[Disqualifier, str] = {
    Disqualifier.DEGRADATION: ("có kết luận của cấp có thẩm quyền về suy thoái tư tưởng chính trị, đạo đức, lối sống"),
    Disqualifier.DISCIPLINE: "bị kỷ luật từ khiển trách trở lên do vi phạm trong thực hiện nhiệm vụ trong năm",
    Disqualifier.UNIT_CORRUPTION: (
        "đơn vị do mình trực tiếp quản lý để xảy ra tham nhũng, lãng phí bị xử lý theo pháp luật"
    ),
    Disqualifier.UNIT_CORRUPTION_REPORTED: (
        "đơn vị do mình trực tiếp quản lý để xảy ra tham nhũng, lãng phí bị xử lý theo pháp luật "
        "(người đứng đầu đã chủ động phát hiện, báo cáo, xử lý)"
    ),
}

LEADER_ONLY_DISQUALIFIERS: frozenset[Disqualifier] = frozenset(
    {Disqualifier.UNIT_CORRUPTION, Disqualifier.UNIT_CORRUPTION_REPORTED}
)
