"""Property tests of the export cell helper (thanhhoa_kpi/core/spreadsheet.py): whatever
text people type, an exported cell is never a formula, never breaks the file, and reads
back as typed (less the control characters XLSX cannot hold)."""

import io
import zipfile

from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from thanhhoa_kpi.core import spreadsheet

# Formula starters, control characters and ordinary Vietnamese text, mixed.
TEXT = st.text(
    alphabet=st.one_of(st.sampled_from("=+-@\t\r\n#'\x00\x07\x1b\uff1d"), st.characters(codec="utf-8")),
    min_size=1,
    max_size=40,
)


def _as_read_back(text: str) -> str:
    """XML turns CR and CRLF into LF; XLSX drops the illegal control characters."""
    return spreadsheet.clean_text(text).replace("\r\n", "\n").replace("\r", "\n")


@settings(max_examples=150, deadline=None)
@given(values=st.lists(st.one_of(TEXT, st.integers(-(10**9), 10**9)), min_size=1, max_size=6), write_only=st.booleans())
def test_no_typed_text_becomes_a_formula_and_every_value_reads_back(values, write_only):
    book = Workbook(write_only=write_only)
    ws = book.create_sheet("x") if write_only else book.active
    ws.append(spreadsheet.xlsx_row(ws, values))
    buffer = io.BytesIO()
    book.save(buffer)
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as archive:
        sheet = next(n for n in archive.namelist() if n.startswith("xl/worksheets/"))
        assert "<f>" not in archive.read(sheet).decode()
    row = next(load_workbook(io.BytesIO(buffer.getvalue())).worksheets[0].iter_rows())
    for value, cell in zip(values, row, strict=False):
        if isinstance(value, int):
            assert cell.value == value and cell.data_type == "n"
        elif _as_read_back(value):
            assert cell.value == _as_read_back(value) and cell.data_type == "s"
            assert bool(cell.quotePrefix) == spreadsheet.is_risky(spreadsheet.clean_text(value))


@given(TEXT)
def test_a_csv_field_starts_with_a_quote_whenever_it_could_be_a_formula(text):
    field = spreadsheet.csv_value(text)
    assert not spreadsheet.is_risky(field)
    assert field in (spreadsheet.clean_text(text), "'" + spreadsheet.clean_text(text))
