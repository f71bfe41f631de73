"""Which model holds the custom values of each document type (its ``custom`` JSON field).

The org app's hosts (official, position) are registered by this app; the catalogue,
work-log and appraisal apps register theirs in their own ``AppConfig.ready()``::

    from thanhhoa_kpi.customfields.registry import register_host
    register_host("catalogue_item", CatalogueItem)

A host model needs a ``custom = models.JSONField(default=dict, blank=True)`` field.
"""

from __future__ import annotations

from django.db import models

from thanhhoa_kpi.core.errors import FieldError, ValidationFailed

DOCTYPES: dict[str, str] = {
    "official": "Cán bộ, công chức, viên chức",
    "position": "Vị trí việc làm",
    "catalogue_item": "Đầu công việc trong danh mục",
    "worklog": "Dòng nhật ký công việc",
    "appraisal": "Phiếu đánh giá",
}

HOSTS: dict[str, type[models.Model]] = {}


def register_host(doctype: str, model: type[models.Model]) -> None:
    """Declare that ``model`` stores the custom values of ``doctype`` in ``model.custom``."""
    if doctype not in DOCTYPES:
        raise ValueError(f"Loại tài liệu không hỗ trợ trường tùy biến: {doctype}")
    model._meta.get_field("custom")  # fails loudly at start-up when the JSON field is missing
    HOSTS[doctype] = model


def host_model(doctype: str) -> type[models.Model]:
    try:
        return HOSTS[doctype]
    except KeyError:
        raise ValidationFailed(
            "Loại tài liệu chưa hỗ trợ trường tùy biến.",
            [FieldError("doctype", f"Loại tài liệu «{doctype}» chưa đăng ký trường tùy biến.")],
        ) from None


def doctype_of(model: type[models.Model]) -> str | None:
    for doctype, host in HOSTS.items():
        if host is model:
            return doctype
    return None
