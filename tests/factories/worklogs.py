"""Catalogues, assignments and work-log lines on top of the shared cast.

``work_cast(cast)`` adds an approved catalogue owned by the cast's ward (so usable by the
team below it), one owned by the other department (the outsider's), and a draft one.

:func:`make_catalogue` puts a catalogue straight into a workflow state (PUBLISHED for an
APPROVED one, DRAFT otherwise, or the ``state`` given) without walking the chain: a test
shortcut for the features that only need a catalogue in force. :func:`publish_catalogue`
takes the real last step (the bloc authority publishes) so the catalogue takes effect
through the engine.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from thanhhoa_kpi.appraisals.loaders import load_rule_sets
from thanhhoa_kpi.catalogue.models import Catalogue, CatalogueItem, CatalogueStatus
from thanhhoa_kpi.core.seeding import FIXTURES_DIR, read_file
from thanhhoa_kpi.organization.models import OrgUnit
from thanhhoa_kpi.workflow.loaders import load_workflows
from thanhhoa_kpi.workflow.models import TransitionLog
from thanhhoa_kpi.workflow.services import workflow_start_fields, workflow_transition
from thanhhoa_kpi.worklogs import assignments, services
from thanhhoa_kpi.worklogs.models import Assignment, WorkLogLine, WorkPeriod

START = date(2025, 1, 1)


def ensure_worklog_roles() -> None:
    from thanhhoa_kpi.accounts.loaders import load_roles

    load_roles(read_file(FIXTURES_DIR / "base" / "roles.worklogs.yaml"))


def ensure_workflows() -> None:
    """The base workflow definitions (CATALOGUE among them); idempotent."""
    load_workflows(read_file(FIXTURES_DIR / "base" / "workflows.json"))


def make_catalogue(
    owner: OrgUnit | None,
    code: str,
    items: list[tuple[str, str, str]],
    *,
    status: str = CatalogueStatus.APPROVED,
    state: str | None = None,
    bloc: str = "",
    version: int = 1,
    effective_from: date = START,
    created_by: Any = None,
) -> Catalogue:
    """A catalogue with items given as (code, field, coefficient), put straight into ``state``.

    ``state`` defaults to PUBLISHED for an APPROVED catalogue and DRAFT otherwise.
    """
    ensure_workflows()
    fields = workflow_start_fields(definition_code=Catalogue.workflow_code, doctype=Catalogue.workflow_doctype)
    fields["state"] = state or ("PUBLISHED" if status == CatalogueStatus.APPROVED else fields["state"])
    catalogue = Catalogue.objects.create(
        code=code, version=version, name=f"Danh mục {code}", owner_unit=owner, owner_bloc=bloc,
        effective_from=effective_from, status=status, standard_product="Văn bản hành chính", standard_minutes=60,
        created_by=created_by, **fields,
    )  # fmt: skip
    for item_code, field, coefficient in items:
        CatalogueItem.objects.create(
            catalogue=catalogue, code=item_code, field=field, task=f"Nhiệm vụ {item_code}",
            detailed_work=f"Công việc chi tiết {item_code}", output_product="Văn bản", unit_of_measure="Văn bản",
            complexity_group=2, coefficient=Decimal(coefficient), standard_minutes=60,
        )  # fmt: skip
    return catalogue


def put_in_state(catalogue: Catalogue, state: str) -> Catalogue:
    """Move a catalogue to ``state`` without the engine (a test shortcut)."""
    Catalogue.objects.filter(pk=catalogue.pk).update(state=state)
    catalogue.refresh_from_db()
    return catalogue


def publish_catalogue(catalogue: Catalogue, authority: Any) -> TransitionLog:
    """Skip to HOME_AFFAIRS, then the bloc authority publishes through the engine."""
    return workflow_transition(document=put_in_state(catalogue, "HOME_AFFAIRS"), action="publish", user=authority)


@dataclass
class WorkCast:
    catalogue: Catalogue
    other_catalogue: Catalogue
    draft: Catalogue
    culture: CatalogueItem  # field "Văn hóa", coefficient 2
    culture_small: CatalogueItem  # field "Văn hóa", coefficient 0.5
    sport: CatalogueItem  # field "Thể thao", coefficient 1.5
    office: CatalogueItem  # field "Hành chính", coefficient 1
    foreign: CatalogueItem  # another department's item
    draft_item: CatalogueItem
    period: WorkPeriod

    @property
    def today(self) -> date:
        return timezone.localdate()


def work_cast(cast: Any) -> WorkCast:
    ensure_worklog_roles()
    # The live score reads the current rule sets, as every installation has them (the seed).
    load_rule_sets(read_file(FIXTURES_DIR / "base" / "rule_sets.json"))
    items = [("VH01", "Văn hóa", "2"), ("VH02", "Văn hóa", "0.5"), ("TT01", "Thể thao", "1.5")]
    catalogue = make_catalogue(cast.ward, "DM_PHUONG_A", [*items, ("HC01", "Hành chính", "1")])
    other = make_catalogue(cast.other_dept, "DM_SO_KHAC", [("KH01", "Văn hóa", "3")])
    draft = make_catalogue(cast.ward, "DM_NHAP", [("NH01", "Văn hóa", "1")], status=CatalogueStatus.DRAFT)
    items = {item.code: item for item in CatalogueItem.objects.all()}
    period = services.work_period_current()
    return WorkCast(
        catalogue, other, draft, items["VH01"], items["VH02"], items["TT01"], items["HC01"], items["KH01"],
        items["NH01"], period,
    )  # fmt: skip


def previous_period() -> WorkPeriod:
    """Open last month (work-log dates never create their month: see ``work_period_for``)."""
    today = timezone.localdate()
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return services.work_period_ensure(year, month)


def assign(user: Any, assignee: Any, item: CatalogueItem, quantity: str = "10", **kwargs: Any) -> Assignment:
    kwargs.setdefault(
        "period", WorkPeriod.objects.get(year=timezone.localdate().year, month=timezone.localdate().month)
    )
    return assignments.assignment_create(
        user=user, catalogue_item=item, assignee=assignee, quantity=Decimal(quantity), **kwargs
    )


def log(user: Any, item: CatalogueItem | None = None, quantity: str = "1", **kwargs: Any) -> WorkLogLine:
    kwargs.setdefault("date", timezone.localdate())
    kwargs.setdefault("minutes", 60)
    return services.worklog_create(user=user, catalogue_item=item, quantity=Decimal(quantity), **kwargs)


# ------------------------------------------------------------------ evidence files


def pdf_file(name: str = "minh-chung.pdf", size: int = 0) -> SimpleUploadedFile:
    body = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    return SimpleUploadedFile(name, body + b"0" * max(0, size - len(body)), content_type="application/pdf")


def docx_file(name: str = "bao-cao.docx") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/octet-stream")


def exe_file(name: str = "virus.exe") -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 100, content_type="application/octet-stream"
    )


# ------------------------------------------------------------------ catalogue workbooks


def catalogue_workbook(header: dict[str, Any], rows: list[list[Any]]) -> bytes:
    """An import workbook: ``header`` keyed like ``excel.HEADER_ROWS``, item rows in column order."""
    from openpyxl import Workbook

    from thanhhoa_kpi.catalogue.excel import HEADER_ROWS, HEADER_SHEET, ITEM_COLUMNS, ITEM_SHEET

    book = Workbook()
    sheet = book.active
    sheet.title = HEADER_SHEET
    sheet.append(["Thông tin", "Giá trị"])
    for key, label in HEADER_ROWS:
        sheet.append([label, header.get(key, "")])
    items = book.create_sheet(ITEM_SHEET)
    items.append([label for _key, label, _limit in ITEM_COLUMNS])
    for row in rows:
        items.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def item_row(code: str, coefficient: Any = "1", field: str = "Văn hóa", **extra: Any) -> list[Any]:
    return [
        code, field, extra.get("task", f"Nhiệm vụ {code}"), f"Chi tiết {code}", "Văn bản",
        extra.get("unit", "Văn bản"), extra.get("group", 2), coefficient, extra.get("minutes", 60),
        extra.get("positions", ""),
    ]  # fmt: skip
