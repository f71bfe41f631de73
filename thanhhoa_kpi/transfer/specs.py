"""What each importable kind looks like in Excel: sheets, Vietnamese headers, cell types.

One :class:`Spec` per kind, declared as data: the reader, the validator, the exporter,
the desk's guide and the API all read these. A header is matched whatever its case and
spacing; a choice cell accepts the code (``CHINH_QUYEN``) or the Vietnamese label
("Khối chính quyền"); exports write the label, so an exported file re-imports unchanged.

Layouts (row 1 = headers; a column marked * must be present; blank optional cells clear
the field, an absent optional column leaves the field as it is):

- ``org_units`` (sheet "Đơn vị"): one row per unit; "Mã đơn vị cấp trên" may name a unit
  of the same file, in any order; blank = root unit (system admins only).
- ``officials`` (sheet "Cán bộ"): one row per official with the current (open)
  assignment. Another unit or position than the open assignment's is a transfer on
  "Ngày bắt đầu" (the old posting is closed the day before, history kept); the same unit
  and position update the posting in place. "Lĩnh vực phụ trách" is separated by ";".
  Unit, position and start date are required for a new official; blank for an existing
  one means "keep the current assignment".
- ``positions`` (sheet "Vị trí việc làm"): one row per job position.
- ``competency_frameworks``: two sheets. "Năng lực": one row per competency, repeating
  its framework (code, version, name, effective date, active) and carrying the five
  proficiency descriptions in "Cấp độ 1".."Cấp độ 5" (blank = keep that level as it is).
  "Yêu cầu theo vị trí" (optional sheet): one row per required level of a position.
- ``cbccvc`` (sheet "CSDL CBCCVC", or a CSV file): the national CBCCVC database's export,
  one row per posting (quá trình công tác) repeating the official's own fields, keyed by
  "Mã CBCCVC"; "Đến ngày" blank = the current posting. docs/cbccvc.md describes it and
  :mod:`thanhhoa_kpi.transfer.kinds.cbccvc` how it is compared and applied.

:data:`CLASSIFICATIONS` is not an import: the layout of the yearly classification export
sent back to the national database (:mod:`thanhhoa_kpi.transfer.classifications`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models

from thanhhoa_kpi.competencies.models import CompetencyKind
from thanhhoa_kpi.organization.choices import Bloc, Category, Gender, LeadershipRole, Level, PositionGroup, UnitKind

TEXT, INT, DATE, CHOICE, BOOL, LIST, EMAIL = "text", "int", "date", "choice", "bool", "list", "email"
RAW = "raw"  # passed on unconverted (custom fields convert their own cells)
LIST_SEPARATOR = ";"


@dataclass(frozen=True)
class Column:
    header: str
    key: str
    datatype: str = TEXT
    required: bool = False  # the cell may not be blank
    mandatory: bool | None = None  # the column must be in the header (default: ``required``)
    choices: type[models.TextChoices] | None = None
    max_length: int | None = None
    min_value: int | None = None
    max_value: int | None = None
    default: Any = None  # used for a blank cell
    help: str = ""

    @property
    def must_be_present(self) -> bool:
        return self.required if self.mandatory is None else self.mandatory


@dataclass(frozen=True)
class Sheet:
    title: str
    columns: tuple[Column, ...]
    optional: bool = False  # a workbook may leave this sheet out

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def header(self, key: str) -> str:
        return self.column(key).header


@dataclass(frozen=True)
class Spec:
    kind: str
    label: str
    sheets: tuple[Sheet, ...]
    note: str = ""
    custom_doctype: str = ""  # custom fields of this doctype become extra columns (transfer.custom)
    csv: bool = False  # a one-sheet kind that also reads a UTF-8 CSV file of its main sheet

    @property
    def main(self) -> Sheet:
        return self.sheets[0]


def _code(header: str, key: str = "code", **extra: Any) -> Column:
    return Column(header, key, required=True, max_length=40, help="Mã ổn định, dùng làm khóa khi nhập lại.", **extra)


def _choice(header: str, key: str, choices: type[models.TextChoices], **extra: Any) -> Column:
    return Column(header, key, CHOICE, choices=choices, **extra)


# An official's own fields, after "Mã CBCCVC" (the officials kind and the national export).
_PERSON = (
    Column("Họ và tên", "full_name", required=True, max_length=150),
    Column("Ngày sinh", "birth_date", DATE),
    _choice("Giới tính", "gender", Gender, default=""),
    Column("Thư điện tử", "email", EMAIL, max_length=254),
    Column("Điện thoại", "phone", max_length=30, help="Định dạng ô là chữ để giữ số 0 ở đầu."),
    _choice("Đối tượng", "category", Category, default=Category.CONG_CHUC.value),
)

ORG_UNITS = Spec(
    kind="org_units",
    label="Đơn vị",
    sheets=(
        Sheet(
            "Đơn vị",
            (
                _code("Mã đơn vị"),
                Column("Tên đơn vị", "name", required=True, max_length=255),
                Column("Tên viết tắt", "short_name", max_length=120),
                _choice("Khối", "bloc", Bloc, required=True),
                _choice("Cấp", "level", Level, required=True),
                _choice("Loại hình", "kind", UnitKind, required=True),
                Column("Mã đơn vị cấp trên", "parent", max_length=40, help="Để trống nếu là đơn vị gốc."),
                Column("Hoạt động từ", "active_from", DATE),
                Column("Hoạt động đến", "active_to", DATE),
            ),
        ),
    ),
    note="Mỗi dòng một đơn vị; đơn vị cấp trên có thể nằm ở dòng bất kỳ trong tệp.",
)

OFFICIALS = Spec(
    kind="officials",
    label="Cán bộ, công chức, viên chức",
    custom_doctype="official",
    sheets=(
        Sheet(
            "Cán bộ",
            (
                _code("Mã CBCCVC"),
                *_PERSON,
                Column("Mã đơn vị", "unit", mandatory=True, max_length=40, help="Bắt buộc với cán bộ mới."),
                Column(
                    "Mã vị trí việc làm", "position", mandatory=True, max_length=40, help="Bắt buộc với cán bộ mới."
                ),
                _choice("Chức vụ lãnh đạo", "leadership_role", LeadershipRole, default=LeadershipRole.NONE.value),
                Column("Lĩnh vực phụ trách", "fields_in_charge", LIST, help="Các lĩnh vực cách nhau bởi dấu ;"),
                Column(
                    "Ngày bắt đầu",
                    "start_date",
                    DATE,
                    mandatory=True,
                    help="Ngày bắt đầu công tác ở đơn vị, vị trí này.",
                ),
            ),
        ),
    ),
    note="Mỗi dòng một cán bộ cùng quá trình công tác hiện tại; đổi đơn vị hoặc vị trí là điều động từ ngày bắt đầu.",
)

POSITIONS = Spec(
    kind="positions",
    label="Vị trí việc làm",
    custom_doctype="position",
    sheets=(
        Sheet(
            "Vị trí việc làm",
            (
                _code("Mã vị trí"),
                Column("Tên vị trí việc làm", "name", required=True, max_length=255),
                _choice("Nhóm vị trí", "group", PositionGroup, required=True),
                _choice("Khối", "bloc", Bloc, required=True),
                Column("Hạng chức danh nghề nghiệp", "professional_level", INT, min_value=1, max_value=5),
                Column("Nhiệm vụ", "duties", default=""),
                Column("Sản phẩm đầu ra", "output_products", default=""),
                Column("Điều kiện làm việc", "working_conditions", default=""),
            ),
        ),
    ),
)

_FRAMEWORK_KEY = (
    Column("Mã khung", "framework", required=True, max_length=40),
    Column("Phiên bản", "version", INT, required=True, min_value=1, max_value=10_000),
)

COMPETENCY_FRAMEWORKS = Spec(
    kind="competency_frameworks",
    label="Khung năng lực",
    sheets=(
        Sheet(
            "Năng lực",
            (
                *_FRAMEWORK_KEY,
                Column("Tên khung năng lực", "framework_name", required=True, max_length=255),
                Column("Hiệu lực từ", "effective_from", DATE, required=True),
                Column("Đang áp dụng", "is_active", BOOL, default=True, help="Có / Không"),
                _code("Mã năng lực"),
                Column("Tên năng lực", "name", required=True, max_length=255),
                _choice("Nhóm năng lực", "kind", CompetencyKind, required=True),
                *(Column(f"Cấp độ {n}", f"level_{n}", help=f"Mô tả cấp độ {n}") for n in range(1, 6)),
            ),
        ),
        Sheet(
            "Yêu cầu theo vị trí",
            (
                *_FRAMEWORK_KEY,
                Column("Mã vị trí", "position", required=True, max_length=40),
                Column("Mã năng lực", "competency", required=True, max_length=40),
                Column("Cấp độ yêu cầu", "required_level", INT, required=True, min_value=1, max_value=5),
            ),
            optional=True,
        ),
    ),
    note="Trang «Năng lực»: mỗi dòng một năng lực kèm khung; trang «Yêu cầu theo vị trí»: cấp độ yêu cầu của vị trí.",
)

CBCCVC = Spec(
    kind="cbccvc",
    label="CSDL CBCCVC quốc gia (cán bộ và quá trình công tác)",
    csv=True,
    sheets=(
        Sheet(
            "CSDL CBCCVC",
            (
                _code("Mã CBCCVC"),
                *_PERSON,
                Column("Mã đơn vị", "unit", required=True, max_length=40, help="Mã đơn vị trong cây tổ chức của tỉnh."),
                Column("Mã vị trí việc làm", "position", required=True, max_length=40),
                _choice("Chức vụ lãnh đạo", "leadership_role", LeadershipRole, default=LeadershipRole.NONE.value),
                Column("Từ ngày", "start_date", DATE, required=True, help="Ngày bắt đầu quá trình công tác."),
                Column("Đến ngày", "end_date", DATE, help="Để trống nếu đang công tác ở đơn vị, vị trí này."),
            ),
        ),
    ),
    note=(
        "Mỗi dòng một quá trình công tác của một cán bộ (các cột thông tin cá nhân lặp lại ở mỗi dòng); "
        "khóa là Mã CBCCVC; nhận cả tệp .xlsx và .csv (UTF-8). Hệ thống liệt kê mọi khác biệt trước khi ghi."
    ),
)

SPECS: dict[str, Spec] = {s.kind: s for s in (ORG_UNITS, OFFICIALS, POSITIONS, COMPETENCY_FRAMEWORKS, CBCCVC)}

CLASSIFICATIONS = Spec(
    kind="cbccvc_classifications",
    label="Kết quả xếp loại chất lượng năm (gửi CSDL CBCCVC)",
    sheets=(
        Sheet(
            "Xếp loại",
            (
                Column("Mã CBCCVC", "code", required=True),
                Column("Họ và tên", "full_name"),
                Column("Năm", "year", INT, required=True),
                Column(
                    "Xếp loại chất lượng",
                    "classification",
                    required=True,
                    help="Theo danh mục mức xếp loại của CSDL CBCCVC (Nghị định 335/2025/NĐ-CP Điều 20).",
                ),
                Column("Mã đơn vị", "unit", required=True),
                Column("Tên đơn vị", "unit_name"),
            ),
        ),
    ),
    note="Kết quả xếp loại năm đã công khai, trong phạm vi của người xuất.",
)


def kind_choices() -> list[tuple[str, str]]:
    return [(s.kind, s.label) for s in SPECS.values()]
