"""What an official output counts, and the sentence that says so (issue 11).

An appraisal's level is provisional («tạm tính») until its unit has decided: while the
official self-assesses and while the unit reviews, the scores move and an unsubmitted
form shows "Không hoàn thành nhiệm vụ". It counts on official outputs (the unit summary
PDF, the report to the Standing Committee) once its own workflow definition tags its
state as waiting for the authority or published — asked of the tags through
:mod:`thanhhoa_kpi.appraisals.states`, never of state codes, since an HR admin may add
or rename steps.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Q
from django.utils import timezone

from thanhhoa_kpi.appraisals import states
from thanhhoa_kpi.appraisals.choices import DOCTYPE
from thanhhoa_kpi.workflow.engine import states_tagged
from thanhhoa_kpi.workflow.models import WorkflowDefinition

COUNTED_TAGS = (states.APPROVAL, states.PUBLISHED)
PROVISIONAL = "tạm tính"


def counted_q() -> Q:
    """Appraisals an official output counts (waiting for the authority, or published)."""
    return states.tagged_q(*COUNTED_TAGS)


def counts(appraisal: Any) -> bool:
    return states.awaits_approval(appraisal) or states.is_published(appraisal)


def counted_state_labels() -> list[str]:
    """The labels of the counted states over the appraisal definitions, each once, in step order."""
    labels: list[str] = []
    for definition in WorkflowDefinition.objects.filter(doctype=DOCTYPE).order_by("code", "version"):
        parsed = definition.parsed()
        codes = set().union(*(states_tagged(parsed, tag) for tag in COUNTED_TAGS))
        labels += [state.label for state in parsed.states if state.code in codes and state.label not in labels]
    return labels


def cutoff_note(*, at: datetime | None = None) -> str:
    """ "Số liệu tính đến 14:05 ngày 05/12/2026. Xếp loại chỉ tính ..." for the output's header."""
    when = timezone.localtime(at or timezone.now())
    steps = ", ".join(f"«{label}»" for label in counted_state_labels()) or "đã công khai"
    return (
        f"Số liệu tính đến {when:%H:%M} ngày {when:%d/%m/%Y}. Xếp loại, tỷ lệ và điểm bình quân chỉ tính "
        f"các phiếu ở bước {steps}; phiếu ở các bước trước (tự đánh giá, đơn vị xem xét) là {PROVISIONAL}, "
        "không tính vào tổng hợp xếp loại."
    )
