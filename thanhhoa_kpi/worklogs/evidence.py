"""Checks on uploaded evidence: the shared attachment check of :mod:`thanhhoa_kpi.core.files`.

Both the extension and the content are checked (a renamed executable, SVG or HTML page is
refused): PDF, JPEG and PNG by their signature; DOCX and XLSX by being a ZIP that holds
the main part of a Word document or an Excel workbook; size up to ATTACHMENT_MAX_BYTES.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.db.models.fields.files import FieldFile

from thanhhoa_kpi.core import files

MAX_EVIDENCE_BYTES = int(settings.ATTACHMENT_MAX_BYTES)
ALLOWED_EXTENSIONS = files.ALLOWED_EXTENSIONS
LABELS = {"evidence": "Tệp minh chứng", "exemption_attachment": "Tệp minh chứng miễn trừ"}


def check_evidence(upload: Any, field: str = "evidence") -> None:
    """Raise ``ValidationFailed`` naming ``field`` unless ``upload`` is an allowed file."""
    files.check_attachment(upload, field=field, label=LABELS.get(field, "Tệp đính kèm"))


def evidence_sha256(upload: Any, stored: str = "") -> str:
    """The SHA-256 (hex) of a new upload, read in chunks; ``stored`` for the file already on
    the line; "" for no file. The plausibility checks find a file reused across lines by it."""
    if not upload:
        return ""
    if isinstance(upload, FieldFile):
        return stored
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()
