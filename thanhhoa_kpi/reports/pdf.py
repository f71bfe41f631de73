"""Official forms as PDF (SPEC 6): WeasyPrint, A4, Times-like font, Quốc hiệu and Tiêu ngữ.

Every form shares ``reports/pdf/base.html``: the managing agency and the unit on the left,
"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" / "Độc lập - Tự do - Hạnh phúc" (underlined) on the
right, the place and date, the title, signature blocks and "Trang n/m" at the foot of
each page. Fonts: "Times New Roman", else Liberation Serif (metric-compatible, Debian's
``fonts-liberation2``), else any serif.

The forms take PLAIN DICTS, so the appraisal app feeds them without this app knowing its
models. :func:`appraisal_form_pdf` context::

    {"agency": "UBND PHƯỜNG HẠC THÀNH", "unit": "PHÒNG VĂN HÓA - XÃ HỘI",
     "place": "Thanh Hóa", "date": date(2026, 4, 5) or None (dotted blanks),
     "period": "Tháng 3 năm 2026",
     "official": {"full_name": ..., "position": ..., "unit": ...},
     "custom": [("Nhóm chuyên môn", "Văn hóa")],          # custom_display("appraisal", ...)
     "is_leader": False,                                   # True prints d, đ, e
     "general_criteria": [{"code": "1", "title": ..., "max": 10, "self": 9, "reviewer": 8.5,
                           "children": [{"code": "1.1", "title": ..., "max": 5, ...}]}],
     "general_total": {"max": 30, "self": 27, "reviewer": 26.5},
     "task": {"a": 100, "b": 90, "c": 95, "d": None, "dd": None, "e": None,
              "percent": 78.57, "score": 55},
     "total": Decimal("81.50"), "classification": "Hoàn thành tốt nhiệm vụ",
     "self_comment": ..., "reviewer_comment": ...,
     "signers": {"self": "Nguyễn Thị Hồng Ngọc", "reviewer": ..., "head": ...}}

:func:`unit_summary_pdf` context: ``agency, unit, place, date, period``, ``rows`` (dicts
with ``full_name, position, self_score, score, classification`` and ``provisional`` —
printed in italics), optional ``summary`` (dicts ``label, count, percent``), the
``provisional_count`` left out of it, ``cutoff`` (the sentence stating the data's date and
the states counted) and ``signers`` ``{"maker": ..., "head": ...}``.
Numbers may be Decimal, float, int or None; they print as "81,50".
"""

from __future__ import annotations

import logging
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

DEFAULT_PLACE = "Thanh Hóa"
log = logging.getLogger(__name__)


def place_date(place: str | None, day: date | None) -> str:
    """ "Thanh Hóa, ngày 5 tháng 4 năm 2026", or dotted blanks to be filled by hand."""
    where = place or DEFAULT_PLACE
    if day is None:
        return f"{where}, ngày ..... tháng ..... năm .........."
    return f"{where}, ngày {day.day} tháng {day.month} năm {day.year}"


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    """Renders a template of this app's PDF layout to PDF bytes."""
    context = {**context}
    context.setdefault("place_date", place_date(context.get("place"), context.get("date")))
    return html_to_pdf(render_to_string(template, context))


def html_to_pdf(html: str) -> bytes:
    """PDF bytes of ``html``; resources come only through :func:`url_fetcher`."""
    from weasyprint import HTML

    return HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=url_fetcher()).write_pdf()


@lru_cache(maxsize=1)
def static_roots() -> tuple[Path, ...]:
    """The folders of the project's static files (collected, project-wide and per app)."""
    from django.contrib.staticfiles import finders

    roots = {Path(settings.STATIC_ROOT)}
    for finder in finders.get_finders():
        for storage in getattr(finder, "storages", {}).values():
            location = getattr(storage, "location", None)
            if location:
                roots.add(Path(location))
    return tuple(root.resolve() for root in roots)


def fetch_allowed(url: str) -> bool:
    """True for ``data:`` URLs and files inside the project's static folders; nothing else.

    The forms print text people typed (names, comments, custom fields); should any of it
    ever reach the HTML as markup, an ``<img src="http://10.0.0.1/...">`` would make the
    server call an internal address (SSRF) and ``file:///etc/passwd`` would read a local
    file. WeasyPrint's default fetcher does both; this one refuses them.
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "data":
        return True
    if scheme != "file" or parts.netloc not in ("", "localhost"):
        return False
    path = Path(url2pathname(parts.path)).resolve()
    return any(path.is_relative_to(root) for root in static_roots())


def url_fetcher() -> Any:
    """A WeasyPrint URL fetcher that fetches only what :func:`fetch_allowed` accepts."""
    from weasyprint.urls import URLFetcher

    class ProjectOnlyFetcher(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            if not fetch_allowed(url):
                log.warning("PDF: refused to fetch %s", url[:200])
                raise ValueError(f"Không tải tài nguyên ngoài hệ thống: {url[:200]}")
            return super().fetch(url, headers)

    return ProjectOnlyFetcher(allowed_protocols={"file", "data"}, allow_redirects=False, timeout=5)


def _signers(roles: list[tuple[str, str]], names: dict[str, Any] | None) -> list[dict[str, str]]:
    names = names or {}
    return [{"role": role, "name": names.get(key) or ""} for key, role in roles]


def appraisal_form_pdf(context: dict[str, Any]) -> bytes:
    """The appraisal form of one official for one period (see the module docstring)."""
    roles = [("self", "NGƯỜI TỰ ĐÁNH GIÁ"), ("reviewer", "NGƯỜI ĐÁNH GIÁ"), ("head", "THỦ TRƯỞNG ĐƠN VỊ")]
    full = {
        "title": "Phiếu theo dõi, đánh giá kết quả thực hiện nhiệm vụ",
        "general_total": {"max": 30},
        "task": {},
        "custom": [],
        **context,
        "signers": _signers(roles, context.get("signers")),
    }
    return render_pdf("reports/pdf/appraisal_form.html", full)


def unit_summary_pdf(context: dict[str, Any]) -> bytes:
    """The unit's summary of appraisal results for one period (see the module docstring)."""
    roles = [("maker", "NGƯỜI LẬP BIỂU"), ("head", "THỦ TRƯỞNG ĐƠN VỊ")]
    full = {
        "title": "Bảng tổng hợp kết quả đánh giá",
        "rows": [],
        **context,
        "signers": _signers(roles, context.get("signers")),
        "landscape": False,
    }
    return render_pdf("reports/pdf/unit_summary.html", full)


def report_context(result: Any, rows: list[list[tuple[str, bool]]]) -> dict[str, Any]:
    """Context of a report builder result printed with the official header."""
    user = result.extra.get("user")
    header = result.extra.get("header") or (header_for(user) if user is not None else {})
    return {
        "title": result.title,
        "result": result,
        "rows": rows,
        "agency": header.get("agency", ""),
        "unit": header.get("unit") or "HỆ THỐNG ĐÁNH GIÁ KPI CBCCVC",
        "date": timezone.localdate(),
        "landscape": len(result.columns) > 6,
        "signers": _signers([("maker", "NGƯỜI LẬP BIỂU"), ("head", "THỦ TRƯỞNG ĐƠN VỊ")], {}),
    }


def header_for(user: Any) -> dict[str, str]:
    """The agency and unit printed on a user's exports: their current posting's unit and its parent."""
    from thanhhoa_kpi.accounts import access
    from thanhhoa_kpi.organization.models import OrgUnit

    scope = access.scope_for(user)
    unit = OrgUnit.objects.filter(pk__in=scope.member_unit_ids).order_by("-depth").first()
    if unit is None:
        return {}
    parent = OrgUnit.objects.get_parent(unit) if unit.depth > 1 else None
    return {"agency": parent.name if parent else "", "unit": unit.name}
