"""Backups that restore (issue 13, item 4): ``manage.py backup`` of a busy database, ``restore`` into a
second, fresh database on the same server, and every table's ``CHECKSUM TABLE`` and every file's
sha256 identical; a non-empty database and a tampered archive are refused with nothing written.

Needs the real MariaDB (mariadb-dump reads the test database from outside the test's connection), so
the tests are transactional: what they write is committed and visible to the dump.
"""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from tests.factories.appraisals import opened, prepare_appraisals
from tests.factories.worklogs import log, pdf_file, work_cast
from thanhhoa_kpi.appraisals.models import Appraisal
from thanhhoa_kpi.core.backup import binlog_position, sha256_of
from thanhhoa_kpi.transfer.models import ImportJob, PrivateImportStorage
from thanhhoa_kpi.worklogs.models import WorkLogLine

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _on_mariadb() -> None:
    """Backup and restore need a real MariaDB: on another database these tests fail, never skip."""
    assert connection.vendor == "mysql", "sao lưu/khôi phục cần MariaDB thật (DATABASE_URL của make test)"


def checksums(database: str) -> dict[str, int | None]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = %s AND TABLE_TYPE = 'BASE TABLE'",
            [database],
        )
        tables = sorted(row[0] for row in cursor.fetchall())
        result = {}
        for table in tables:
            cursor.execute(f"CHECKSUM TABLE `{database}`.`{table}` EXTENDED")
            result[table] = cursor.fetchone()[1]
        return result


def file_hashes(root: Path) -> dict[str, str]:
    if not root.exists():
        return {}
    return {p.relative_to(root).as_posix(): sha256_of(p) for p in sorted(root.rglob("*")) if p.is_file()}


def both_roots(base: Path) -> dict[str, dict[str, str]]:
    return {"media": file_hashes(base / "media"), "private": file_hashes(base / "private")}


@pytest.fixture
def fresh_database():
    """A second database on the same server, created empty by the test and dropped at the end."""
    name = f"{connection.settings_dict['NAME']}_restored"[:64]
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
        cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    yield name
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")


def busy_database(cast, tmp_path: Path, settings) -> None:
    """Opened appraisals, work-log lines (one with an evidence file) and a private import workbook."""
    settings.MEDIA_ROOT = tmp_path / "source" / "media"
    prepare_appraisals()
    work = work_cast(cast)
    opened(cast)
    log(cast.official, work.culture, "2", description="Viết 2 tin bài", evidence=pdf_file("minh-chung-tin-bai.pdf"))
    log(cast.official, work.sport, "1", description="Tổ chức giải chạy")
    log(cast.colleague, work.office, "3", description="Soạn văn bản", evidence=pdf_file("van-ban.pdf", size=4096))
    workbook = PrivateImportStorage().save("imports/2026/12/can-bo.xlsx", ContentFile(b"PK\x03\x04 bang tinh"))
    ImportJob.objects.create(kind=ImportJob._meta.get_field("kind").choices[0][0], file=workbook, created_by=cast.hr)
    assert Appraisal.objects.exists() and WorkLogLine.objects.filter(evidence__gt="").count() == 2


def test_a_backup_restores_identically_into_a_fresh_database(cast, tmp_path, settings, fresh_database):
    busy_database(cast, tmp_path, settings)
    source = connection.settings_dict["NAME"]
    call_command("backup", output=str(tmp_path / "backups"), stdout=io.StringIO())
    (archive,) = (tmp_path / "backups").glob("kpi-*.tar.gz")
    assert archive.stat().st_mode & 0o077 == 0
    with tarfile.open(archive, "r:gz") as opened_archive:
        manifest = json.load(opened_archive.extractfile("manifest.json"))
    assert manifest["database"] == source and manifest["created"]
    assert "worklogs.0001_initial" in manifest["migrations"]
    assert manifest["binlog"] is None or manifest["binlog"]["position"] > 0
    assert len(manifest["files"]) == 4 and len(manifest["files"]["database.sql"]["sha256"]) == 64

    settings.MEDIA_ROOT = tmp_path / "restored" / "media"
    out = io.StringIO()
    call_command("restore", str(archive), database=fresh_database, stdout=out)
    assert f"Đã khôi phục {fresh_database}" in out.getvalue()

    original = checksums(source)
    assert len(original) > 50 and any(original.values())
    assert checksums(fresh_database) == original
    files = both_roots(tmp_path / "source")
    assert len(files["media"]) == 2 and len(files["private"]) == 1
    assert both_roots(tmp_path / "restored") == files


def refused_with_code_2(archive: Path, **options) -> str:
    with pytest.raises(CommandError) as error:
        call_command("restore", str(archive), stdout=io.StringIO(), **options)
    assert error.value.returncode == 2
    return str(error.value)


def tampered_copy(archive: Path, into: Path) -> Path:
    """The same archive with one evidence file's bytes changed and the manifest left as it was."""
    copy = into / "tampered.tar.gz"
    with tarfile.open(archive, "r:gz") as source, tarfile.open(copy, "w:gz") as target:
        for member in source.getmembers():
            body = source.extractfile(member).read()
            if member.name.startswith("media/"):
                body = body.replace(b"%%EOF", b"%%EOX")
            member.size = len(body)
            target.addfile(member, io.BytesIO(body))
    return copy


def test_restore_refuses_a_database_with_tables_and_a_tampered_archive(cast, tmp_path, settings, fresh_database):
    busy_database(cast, tmp_path, settings)
    source = connection.settings_dict["NAME"]
    call_command("backup", output=str(tmp_path / "backups"), stdout=io.StringIO())
    (archive,) = (tmp_path / "backups").glob("kpi-*.tar.gz")
    before = checksums(source)
    settings.MEDIA_ROOT = tmp_path / "restored" / "media"

    # Into the database the test runs on: it has tables.
    message = refused_with_code_2(archive, database=source)
    assert "đã có" in message and "--force" in message
    assert checksums(source) == before

    # A changed evidence file: refused before the empty database or any folder is touched.
    message = refused_with_code_2(tampered_copy(archive, tmp_path), database=fresh_database)
    assert "sai mã băm media/" in message
    assert checksums(fresh_database) == {}
    assert both_roots(tmp_path / "restored") == {"media": {}, "private": {}}


def test_the_binlog_position_of_the_snapshot_is_read_from_the_dump_head(tmp_path):
    dump = tmp_path / "database.sql"
    dump.write_bytes(b"--\n-- CHANGE MASTER TO MASTER_LOG_FILE='kpi-bin.000041', MASTER_LOG_POS=1032;\n")
    assert binlog_position(dump) == {"file": "kpi-bin.000041", "position": 1032}
    dump.write_bytes(b"-- MariaDB dump\n")
    assert binlog_position(dump) is None
