"""Checks on uploaded evidence: size limit and an allow-list of types.

Both the extension and the content are checked (a renamed executable is refused): PDF,
JPEG and PNG by their signature; DOCX and XLSX by being a ZIP that holds the main part
of a Word document or an Excel workbook.
"""

from __future__ import annotations

import zipfile
from typing import Any

from thanhhoa_kpi.core.errors import FieldError, ValidationFailed

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
ALLOWED_EXTENSIONS = ("pdf", "docx", "xlsx", "jpg", "jpeg", "png")
_SIGNATURES = {
    "pdf": (b"%PDF-",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
}
_ZIP_PARTS = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _content_matches(upload: Any, extension: str) -> bool:
    upload.seek(0)
    if extension in _SIGNATURES:
        head = upload.read(16)
        upload.seek(0)
        return any(head.startswith(sig) for sig in _SIGNATURES[extension])
    try:
        with zipfile.ZipFile(upload) as archive:
            return _ZIP_PARTS[extension] in archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    finally:
        upload.seek(0)


def check_evidence(upload: Any, field: str = "evidence") -> None:
    """Raise ``ValidationFailed`` naming ``field`` unless ``upload`` is an allowed file."""
    if not upload:
        return
    name = getattr(upload, "name", "") or ""
    size = getattr(upload, "size", None)
    allowed = ", ".join(ALLOWED_EXTENSIONS)
    if size is not None and size > MAX_EVIDENCE_BYTES:
        message = f"Tệp lớn hơn {MAX_EVIDENCE_BYTES // (1024 * 1024)} MB."
        raise ValidationFailed(message, [FieldError(field, message)], code="FILE_TOO_LARGE")
    extension = _extension(name)
    if extension not in ALLOWED_EXTENSIONS:
        message = f"Loại tệp không được phép; chỉ nhận: {allowed}."
        raise ValidationFailed(message, [FieldError(field, message)], code="FILE_TYPE_REFUSED")
    if not _content_matches(upload, extension):
        message = f"Nội dung tệp không khớp với đuôi .{extension}; chỉ nhận: {allowed}."
        raise ValidationFailed(message, [FieldError(field, message)], code="FILE_TYPE_REFUSED")
