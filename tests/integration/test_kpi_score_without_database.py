"""``kpi_score`` on a bare install, as a real process (SPEC 5.8; issue 10, item 9).

With no database configured it scores with the rule sets shipped in
``fixtures/base/rule_sets.json`` and creates no database file; with a configured
database it cannot reach it does the same and says so on standard error; a file that
cannot be read is refused in Vietnamese with exit status 2, never with a traceback.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from tests.integration.test_scoring_interfaces import EXAMPLE_1

ROOT = Path(settings.BASE_DIR)
# SPEC 5.8 (research/domain.md section 9, Example 1): the published figures.
EXAMPLE_1_FIGURES = {"status": "OK", "a": 78.95, "b": 76.32, "c": 78.29, "task_score": 54.5, "total": 81.5,
                     "classification": "HOAN_THANH_TOT"}  # fmt: skip


def no_database_settings() -> dict[str, str]:
    """This process's environment without DATABASE_URL and the DB_* parts (thanhhoa_kpi/settings.py)."""
    return {key: value for key, value in os.environ.items() if key != "DATABASE_URL" and not key.startswith("DB_")}


def kpi_score(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``manage.py kpi_score`` with no database settings in the environment, plus ``env``."""
    return subprocess.run(
        [sys.executable, "manage.py", "kpi_score", *args],
        cwd=ROOT, env=no_database_settings() | env, capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip


def bare_install(tmp_path: Path) -> dict[str, str]:
    """The settings of a bare ``make install``: the zero-setup SQLite demo, its file not made yet.

    The project's own settings, with the demo file moved into ``tmp_path`` so that a demo
    database made in this checkout does not stand in for "no database".
    """
    database = tmp_path / "demo.sqlite3"
    (tmp_path / "bare_settings.py").write_text(
        "from thanhhoa_kpi.settings import *  # noqa: F403\n"
        f"DATABASES['default'].update(ENGINE='django.db.backends.sqlite3', NAME={str(database)!r})\n",
        encoding="utf-8",
    )
    return {"DJANGO_SETTINGS_MODULE": "bare_settings", "PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}"}


def example_file(tmp_path: Path) -> str:
    path = tmp_path / "example.json"
    path.write_text(json.dumps(EXAMPLE_1), encoding="utf-8")
    return str(path)


def test_without_a_database_it_scores_with_the_shipped_rule_sets_and_writes_nothing(tmp_path):
    proc = kpi_score(example_file(tmp_path), **bare_install(tmp_path))
    assert proc.returncode == 0, proc.stderr
    body = json.loads(proc.stdout)
    assert {key: body[key] for key in EXAMPLE_1_FIGURES} == EXAMPLE_1_FIGURES
    assert "ND335" in body["explanation"][0]
    assert not (tmp_path / "demo.sqlite3").exists()
    assert proc.stderr == ""


def test_the_settings_module_itself_falls_back_to_the_demo_file_without_database_settings():
    """What ``bare_install`` stands for: no DATABASE_URL nor DB_NAME → the SQLite demo file."""
    code = "from django.conf import settings; print(settings.DATABASES['default']['NAME'])"
    proc = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT, capture_output=True, text=True, check=True, timeout=60,
        env=no_database_settings() | {"DJANGO_SETTINGS_MODULE": "thanhhoa_kpi.settings"},
    )  # fmt: skip
    assert proc.stdout.strip() == str(ROOT / "var" / "demo.sqlite3")


def test_with_an_unreachable_database_it_warns_and_scores_with_the_shipped_rule_sets(tmp_path):
    proc = kpi_score(example_file(tmp_path), DATABASE_URL="mysql://root@127.0.0.1:1/khong_co")
    assert proc.returncode == 0, proc.stderr
    assert {key: json.loads(proc.stdout)[key] for key in EXAMPLE_1_FIGURES} == EXAMPLE_1_FIGURES
    assert "Không đọc được cơ sở dữ liệu; dùng bộ quy tắc kèm theo (fixtures/base/rule_sets.json)." in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_missing_input_file_is_refused_in_vietnamese_with_status_2(tmp_path):
    missing = tmp_path / "khong_co.json"
    proc = kpi_score(str(missing), **bare_install(tmp_path))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert json.loads(proc.stdout) == {
        "status": "ERROR",
        "code": "FILE_NOT_READABLE",
        "message": "Không đọc được tệp đầu vào.",
        "errors": [{"field": "file", "message": f"Không tìm thấy tệp {missing}."}],
    }


def test_a_directory_given_as_the_input_file_is_refused_in_vietnamese(tmp_path):
    proc = kpi_score(str(tmp_path), **bare_install(tmp_path))
    assert proc.returncode == 2
    assert json.loads(proc.stdout)["errors"] == [
        {"field": "file", "message": f"{tmp_path} là một thư mục, không phải tệp."}
    ]
