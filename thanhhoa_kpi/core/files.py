"""Checks on uploaded files before anything parses or stores them: the one place.

Two families, both answering with a Vietnamese message and never a 500:

- **Excel workbooks** (master-data and catalogue imports). An .xlsx is a zip of XML parts;
  a 400 KB upload can unpack to gigabytes (a "zip bomb": one took the web process to
  ~945 MB) and an XML part can carry a DTD with entity definitions (entity expansion,
  external entities). :func:`check_xlsx_archive` opens the zip *before* openpyxl does and
  refuses a total uncompressed size over ``IMPORT_MAX_UNCOMPRESSED_BYTES``, an absurd
  compression ratio, a part that is not plain UTF-8 XML and any ``<!DOCTYPE``/``<!ENTITY``;
  :func:`check_sheet_dimensions` then refuses sheets that declare more rows or columns than
  ``IMPORT_MAX_ROWS``/``IMPORT_MAX_COLUMNS``. (openpyxl hardens its XML parsing only when
  defusedxml is installed, and it is not a dependency here; the zip-level checks are needed
  in any case, so they are hand-written.)
- **Attachments** (work-log evidence, exemption files, custom-field attachments):
  :func:`check_attachment` accepts only PDF, PNG, JPEG, DOCX and XLSX, by extension *and*
  content (a renamed SVG or HTML page is refused), up to ``ATTACHMENT_MAX_BYTES``.
"""

from __future__ import annotations

import re
import zipfile
from io import BytesIO
from typing import IO, Any

from django.conf import settings

from thanhhoa_kpi.core.errors import FieldError, ValidationFailed

# Real workbooks compress 5–20 times (a 100,000-row export: 17×); zeros or repeated
# padding compress ~1000 times. Parts smaller than RATIO_FLOOR are never judged by ratio.
MAX_COMPRESSION_RATIO = 100
RATIO_FLOOR = 1024 * 1024
MAX_PARTS = 10_000
_CHUNK = 64 * 1024
_UTF8_BOM = b"\xef\xbb\xbf"
# UTF-16/32 byte-order marks and "<" in a two- or four-byte encoding.
_WIDE_STARTS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff", b"<\x00", b"\x00<")
# Searched case-insensitively; the overlap carries a marker split across two chunks.
_MARKUP = re.compile(rb"<!\s*(doctype|entity)", re.IGNORECASE)
_OVERLAP = 32


class UnsafeFile(ValueError):
    """A file refused before parsing; ``message`` is Vietnamese and names the problem.

    ``not_xlsx`` marks "not a workbook at all", which callers may word their own way.
    """

    def __init__(self, message: str, *, not_xlsx: bool = False):
        super().__init__(message)
        self.message = message
        self.not_xlsx = not_xlsx


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB"


def _is_xml(name: str) -> bool:
    return name.lower().endswith((".xml", ".rels", ".vml"))


def check_xlsx_archive(source: bytes | IO[bytes] | str) -> None:
    """Raise :class:`UnsafeFile` unless ``source`` is an .xlsx safe to hand to openpyxl.

    A file-like ``source`` is rewound afterwards. Reading is streamed in chunks: checking
    costs at most the uncompressed limit in CPU and a few kilobytes of memory.
    """
    stream: Any = BytesIO(source) if isinstance(source, bytes | bytearray) else source
    start = stream.tell() if hasattr(stream, "tell") else None
    try:
        with zipfile.ZipFile(stream) as archive:
            members = archive.infolist()
            _check_sizes(members)
            for info in members:
                if not info.is_dir():
                    _check_part(archive, info)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, NotImplementedError, RuntimeError):
        raise UnsafeFile("Tệp không phải là tệp Excel (.xlsx) hợp lệ hoặc đã bị hỏng.", not_xlsx=True) from None
    finally:
        if start is not None:
            stream.seek(start)


def _check_sizes(members: list[zipfile.ZipInfo]) -> None:
    limit = int(settings.IMPORT_MAX_UNCOMPRESSED_BYTES)
    if len(members) > MAX_PARTS:
        raise UnsafeFile("Tệp Excel có quá nhiều thành phần; không phải tệp bảng tính thông thường.")
    total = sum(info.file_size for info in members)
    if total > limit:
        raise UnsafeFile(
            f"Tệp Excel khi giải nén lớn hơn mức cho phép ({_mb(total)} > {_mb(limit)}); hãy chia nhỏ tệp."
        )
    for info in members:
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1):
            raise UnsafeFile(
                "Tệp Excel có tỷ lệ nén bất thường (có thể là tệp độc hại «zip bomb»); "
                "hãy mở tệp bằng Excel và lưu lại, rồi nhập lại."
            )


def _check_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Refuses a DTD or entity anywhere in any part, and XML that is not UTF-8.

    Every part is searched, not only ``*.xml``: the workbook's relationships may point a
    worksheet at any part name. Excel writes every part in UTF-8; another encoding (UTF-16)
    could hide the markers from a byte search, so it is refused outright.
    """
    refused = UnsafeFile(
        f"Tệp Excel chứa khai báo DTD/ENTITY hoặc XML không mã hóa UTF-8 (thành phần {info.filename}); "
        "vì an toàn, hệ thống không đọc tệp này. "
        "Hãy mở tệp bằng Excel và lưu lại dưới dạng .xlsx."
    )
    tail = b""
    first = True
    read = 0
    with archive.open(info) as part:
        while chunk := part.read(_CHUNK):
            read += len(chunk)
            if read > info.file_size:  # a header that lies about the size
                raise UnsafeFile("Tệp Excel bị hỏng (kích thước thành phần không khớp).")
            if first:
                head = chunk.removeprefix(_UTF8_BOM).lstrip()
                wide = head.startswith(_WIDE_STARTS)
                if wide or (_is_xml(info.filename) and head and not head.startswith(b"<")):
                    raise refused
                first = False
            window = tail + chunk
            if _MARKUP.search(window):
                raise refused
            tail = window[-_OVERLAP:]


def check_sheet_dimensions(book: Any) -> None:
    """Refuses a read-only workbook whose sheets declare more rows or columns than allowed."""
    max_rows, max_columns = int(settings.IMPORT_MAX_ROWS), int(settings.IMPORT_MAX_COLUMNS)
    for ws in book.worksheets:
        rows, columns = getattr(ws, "max_row", None) or 0, getattr(ws, "max_column", None) or 0
        if rows > max_rows + 1:  # + the header row
            raise UnsafeFile(too_many_rows(max_rows))
        if columns > max_columns:
            raise UnsafeFile(
                f"Trang «{ws.title}» có {columns} cột, quá mức cho phép ({max_columns} cột); hãy xóa các cột thừa."
            )


def too_many_rows(limit: int) -> str:
    return f"Tệp có quá nhiều dòng (tối đa {limit:,} dòng mỗi lần nhập); hãy chia nhỏ tệp.".replace(",", ".")


def row_limits() -> dict[str, int]:
    """``iter_rows`` bounds that stop a sheet lying about its size (header + data rows)."""
    return {"max_row": int(settings.IMPORT_MAX_ROWS) + 2, "max_col": int(settings.IMPORT_MAX_COLUMNS)}


# --- attachments ---------------------------------------------------------------------------
ALLOWED_EXTENSIONS = ("pdf", "docx", "xlsx", "jpg", "jpeg", "png")
_SIGNATURES = {
    "pdf": (b"%PDF-",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
}
# An Office file is a zip holding its main part and the content-types list.
_ZIP_PARTS = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _content_matches(upload: Any, extension: str) -> bool:
    upload.seek(0)
    try:
        if extension in _SIGNATURES:
            head = upload.read(16)
            return any(head.startswith(sig) for sig in _SIGNATURES[extension])
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
            return _ZIP_PARTS[extension] in names and "[Content_Types].xml" in names
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return False
    finally:
        upload.seek(0)


def max_attachment_bytes() -> int:
    return int(settings.ATTACHMENT_MAX_BYTES)


def attachment_hint() -> str:
    """The help text of upload fields: the allowed types and the size limit."""
    return f"PDF, DOCX, XLSX, JPG, PNG; tối đa {_mb(max_attachment_bytes())}."


def attachment_problem(upload: Any) -> tuple[str, str] | None:
    """``(code, message)`` when ``upload`` is refused, else ``None`` (message without the field)."""
    name = getattr(upload, "name", "") or ""
    size = getattr(upload, "size", None)
    limit = max_attachment_bytes()
    allowed = ", ".join(ALLOWED_EXTENSIONS)
    if size is not None and size > limit:
        return "FILE_TOO_LARGE", f"tệp lớn hơn {_mb(limit)}."
    extension = _extension(name)
    if extension not in ALLOWED_EXTENSIONS:
        return "FILE_TYPE_REFUSED", f"loại tệp không được phép; chỉ nhận: {allowed}."
    if not _content_matches(upload, extension):
        return "FILE_TYPE_REFUSED", f"nội dung tệp không khớp với đuôi .{extension}; chỉ nhận: {allowed}."
    return None


def check_attachment(upload: Any, *, field: str, label: str) -> None:
    """Raise ``ValidationFailed`` on ``field`` (message naming ``label``) unless ``upload`` is allowed."""
    if not upload:
        return
    problem = attachment_problem(upload)
    if problem is not None:
        code, message = problem
        text = f"«{label}»: {message}"
        raise ValidationFailed(text, [FieldError(field, text)], code=code)
