"""Backups that restore (issue 13, item 4): one dated ``tar.gz`` holding a consistent dump of the
MariaDB database, the uploaded evidence (MEDIA_ROOT) and the private import files, with a
``manifest.json`` (created time, database, applied migrations, sha256 of every file).

The dump is ``mariadb-dump --single-transaction``: one consistent snapshot of the InnoDB tables
without locking writers. The files are read after the dump, so every file a dumped row names is
already on disk (uploads are only ever added). The password reaches the client tools through an
option file readable by this process only, never on a command line.

A restore verifies every hash of the manifest before it writes anything, and loads only into a
database without tables unless forced.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.conf import settings
from django.db import connections
from django.db.migrations.recorder import MigrationRecorder

FORMAT = 1
MANIFEST = "manifest.json"
DUMP = "database.sql"
CHUNK = 1024 * 1024
# Folder in the archive -> where its files live.
ROOTS = ("media", "private")
_NAME = re.compile(r"^[A-Za-z0-9_$-]{1,64}$")
_BINLOG = re.compile(rb"CHANGE MASTER TO MASTER_LOG_FILE='([^']+)', MASTER_LOG_POS=(\d+)")


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is for the operator (Vietnamese)."""


@dataclass(frozen=True)
class Target:
    """Where the client tools connect: the configured server, one database on it."""

    host: str
    port: str
    user: str
    password: str
    socket: str
    name: str


def file_roots() -> dict[str, Path]:
    """The folders saved with the database: uploads and the private import workbooks."""
    from thanhhoa_kpi.transfer.models import PrivateImportStorage

    # A fresh storage reads the settings now (the shared one caches its folder).
    return {"media": Path(settings.MEDIA_ROOT), "private": Path(PrivateImportStorage().location)}


def target(database: str | None = None, alias: str = "default") -> Target:
    config = connections[alias].settings_dict
    if not config["ENGINE"].endswith("mysql"):
        raise BackupError("Sao lưu/khôi phục chỉ hỗ trợ MariaDB; cơ sở dữ liệu đang cấu hình không phải MariaDB.")
    name = database or config["NAME"]
    if not _NAME.match(name):
        raise BackupError(f"Tên cơ sở dữ liệu không hợp lệ: {name!r}.")
    return Target(
        host=str(config.get("HOST") or ""),
        port=str(config.get("PORT") or ""),
        user=str(config.get("USER") or ""),
        password=str(config.get("PASSWORD") or ""),
        socket=str((config.get("OPTIONS") or {}).get("unix_socket") or ""),
        name=name,
    )


def _client(*names: str) -> str:
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    raise BackupError(f"Không tìm thấy chương trình {names[0]} (gói mariadb-client).")


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


@contextmanager
def option_file(db: Target) -> Iterator[str]:
    """A ``[client]`` option file (mode 0600) with the connection and the password."""
    lines = ["[client]", "default-character-set=utf8mb4"]
    for key, value in (("host", db.host), ("port", db.port), ("user", db.user), ("socket", db.socket)):
        if value:
            lines.append(f"{key}={_quoted(value)}")
    if db.password:
        lines.append(f"password={_quoted(db.password)}")
    handle, path = tempfile.mkstemp(prefix="kpi-db-", suffix=".cnf")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write("\n".join(lines) + "\n")
        yield path
    finally:
        os.unlink(path)


def run_sql(db: Target, sql: str, *, database: str | None = None) -> list[list[str]]:
    """Run statements with the ``mariadb`` client; rows of the last result as lists of strings."""
    with option_file(db) as options:
        command = [_client("mariadb", "mysql"), f"--defaults-extra-file={options}", "--batch", "--skip-column-names"]
        command += ["-e", sql] + ([database] if database else [])
        done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode:
        raise BackupError(f"Lệnh SQL thất bại: {done.stderr.strip()}")
    return [line.split("\t") for line in done.stdout.splitlines() if line]


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while block := source.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


class _Hashing:
    """Reads a file into the archive and hashes exactly the bytes written."""

    def __init__(self, source: IO[bytes]) -> None:
        self.source = source
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        block = self.source.read(size)
        self.digest.update(block)
        return block


# ------------------------------------------------------------------ backup


def binlog_on(db: Target) -> bool:
    return run_sql(db, "SELECT @@log_bin")[0][0] == "1"


def _dump(db: Target, out: Path) -> None:
    # With the binary log on, the dump's snapshot position is written in its head (commented), the
    # start of a point-in-time recovery (docs/operations.md).
    binlog_options = ["--master-data=2"] if binlog_on(db) else []
    with option_file(db) as options, out.open("wb") as sink:
        command = [
            _client("mariadb-dump", "mysqldump"),
            f"--defaults-extra-file={options}",
            "--single-transaction",
            "--routines",
            "--triggers",
            "--hex-blob",
            "--skip-dump-date",
            *binlog_options,
            db.name,
        ]
        done = subprocess.run(command, stdout=sink, stderr=subprocess.PIPE, text=False)
    if done.returncode:
        raise BackupError(f"mariadb-dump thất bại: {done.stderr.decode(errors='replace').strip()}")


def binlog_position(dump: Path) -> dict[str, Any] | None:
    """Where the dump's snapshot stands in the binary log (``None`` when the log is off)."""
    with dump.open("rb") as source:
        head = source.read(64 * 1024)
    found = _BINLOG.search(head)
    return {"file": found[1].decode(), "position": int(found[2])} if found else None


def _add(archive: tarfile.TarFile, path: Path, arcname: str) -> tuple[str, int]:
    with path.open("rb") as source:
        size = os.fstat(source.fileno()).st_size
        info = tarfile.TarInfo(arcname)
        info.size, info.mtime, info.mode = size, int(path.stat().st_mtime), 0o640
        reader = _Hashing(source)
        archive.addfile(info, reader)  # type: ignore[arg-type]
    return reader.digest.hexdigest(), size


def _files_of(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())


def migration_state(alias: str = "default") -> list[str]:
    applied = MigrationRecorder(connections[alias]).applied_migrations()
    return sorted(f"{app}.{name}" for app, name in applied)


def migration_names() -> set[str]:
    """The migrations this code knows (on disk), to warn when an archive comes from newer code."""
    from django.db.migrations.loader import MigrationLoader

    return {f"{app}.{name}" for app, name in MigrationLoader(None, ignore_no_migrations=True).disk_migrations}


def backup(output: Path, *, alias: str = "default", now: datetime | None = None) -> Path:
    """Write ``kpi-<database>-<UTC time>.tar.gz`` into ``output`` and return its path."""
    db = target(alias=alias)
    now = now or datetime.now(UTC)
    output.mkdir(parents=True, exist_ok=True)
    final = output / f"kpi-{db.name}-{now:%Y%m%d-%H%M%S}Z.tar.gz"
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "created": now.isoformat(),
        "database": db.name,
        "migrations": migration_state(alias),
        "files": {},
    }
    partial = output / f".{final.name}.partial"
    partial.touch(mode=0o600)  # personal data: readable by the backup's owner only
    try:
        with tempfile.TemporaryDirectory(dir=output, prefix=".dump-") as scratch:
            dump = Path(scratch) / DUMP
            _dump(db, dump)
            manifest["binlog"] = binlog_position(dump)
            _write_archive(partial, dump, manifest)
        partial.replace(final)
    finally:
        partial.unlink(missing_ok=True)
    return final


def _write_archive(path: Path, dump: Path, manifest: dict[str, Any]) -> None:
    with tarfile.open(path, "w:gz") as archive:
        manifest["files"][DUMP] = _entry(*_add(archive, dump, DUMP))
        for folder, root in file_roots().items():
            for source in _files_of(root):
                name = f"{folder}/{source.relative_to(root).as_posix()}"
                manifest["files"][name] = _entry(*_add(archive, source, name))
        body = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode()
        _add_bytes(archive, MANIFEST, body)


def _entry(digest: str, size: int) -> dict[str, Any]:
    return {"sha256": digest, "size": size}


def _add_bytes(archive: tarfile.TarFile, name: str, body: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(body), 0o640, int(datetime.now(UTC).timestamp())
    archive.addfile(info, io.BytesIO(body))


# ------------------------------------------------------------------ restore


def _safe_name(name: str) -> bool:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts:
        return False
    return name in (MANIFEST, DUMP) or (len(path.parts) > 1 and path.parts[0] in ROOTS)


def unpack(archive_path: Path, into: Path) -> dict[str, Any]:
    """Extract into a scratch folder and check it against its manifest; the manifest if all holds."""
    try:
        with tarfile.open(archive_path, "r:gz") as archive:
            members = archive.getmembers()
            bad = [m.name for m in members if not (m.isfile() or m.isdir()) or not _safe_name(m.name)]
            if bad:
                raise BackupError(f"Tệp sao lưu chứa mục không hợp lệ: {', '.join(bad[:5])}.")
            archive.extractall(into, members=[m for m in members if m.isfile()], filter="data")
    except (tarfile.TarError, OSError, EOFError) as error:
        raise BackupError(f"Không đọc được tệp sao lưu {archive_path}: {error}") from error
    try:
        manifest = json.loads((into / MANIFEST).read_text(encoding="utf-8"))
        listed = dict(manifest["files"])
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise BackupError("Tệp sao lưu không có manifest.json hợp lệ.") from error
    verify(into, listed)
    return manifest


def verify(into: Path, listed: dict[str, Any]) -> None:
    present = {p.relative_to(into).as_posix() for p in into.rglob("*") if p.is_file()} - {MANIFEST}
    problems = [f"thiếu {name}" for name in sorted(set(listed) - present)]
    problems += [f"thừa {name}" for name in sorted(present - set(listed))]
    problems += [
        f"sai mã băm {name}"
        for name in sorted(set(listed) & present)
        if sha256_of(into / name) != listed[name].get("sha256")
    ]
    if DUMP not in listed:
        problems.append(f"thiếu {DUMP}")
    if problems:
        shown = "; ".join(problems[:10]) + ("; …" if len(problems) > 10 else "")
        raise BackupError(f"Tệp sao lưu không khớp manifest, không khôi phục gì cả: {shown}.")


def table_count(db: Target) -> int | None:
    """Tables in the target database; ``None`` when it does not exist."""
    rows = run_sql(db, f"SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = '{db.name}'")
    if rows[0][0] == "0":
        return None
    rows = run_sql(db, f"SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '{db.name}'")
    return int(rows[0][0])


def _prepare_database(db: Target, *, force: bool) -> None:
    tables = table_count(db)
    create = f"CREATE DATABASE `{db.name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
    if tables is None:
        run_sql(db, create)
    elif tables and not force:
        raise RestoreRefused(
            f"Cơ sở dữ liệu {db.name} đã có {tables} bảng; chỉ khôi phục vào cơ sở dữ liệu trống "
            "(dùng --force để xóa và ghi đè)."
        )
    elif tables:
        run_sql(db, f"DROP DATABASE `{db.name}`; {create}")


class RestoreRefused(BackupError):
    """The target holds data and the operator did not force the restore."""


def _load(db: Target, dump: Path) -> None:
    with option_file(db) as options, dump.open("rb") as source:
        command = [_client("mariadb", "mysql"), f"--defaults-extra-file={options}", db.name]
        done = subprocess.run(command, stdin=source, stderr=subprocess.PIPE)
    if done.returncode:
        raise BackupError(f"Nạp dữ liệu thất bại: {done.stderr.decode(errors='replace').strip()}")


def _place_files(unpacked: Path) -> int:
    count = 0
    for folder, root in file_roots().items():
        source = unpacked / folder
        for path in _files_of(source):
            destination = root / path.relative_to(source)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, destination)
            count += 1
    return count


@dataclass(frozen=True)
class Restored:
    database: str
    files: int
    manifest: dict[str, Any]


def restore(
    archive_path: Path, *, database: str | None = None, force: bool = False, alias: str = "default"
) -> Restored:
    """Check the archive, then load it into ``database`` (default: the configured one) and put the files back."""
    db = target(database, alias=alias)
    with tempfile.TemporaryDirectory(prefix="kpi-restore-") as scratch:  # TMPDIR: room for one archive
        unpacked = Path(scratch)
        manifest = unpack(archive_path, unpacked)
        _prepare_database(db, force=force)
        _load(db, unpacked / DUMP)
        files = _place_files(unpacked)
    return Restored(db.name, files, manifest)
