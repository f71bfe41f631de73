"""The production profile passes ``manage.py check --deploy`` with no issue."""

import os
import re
import subprocess
import sys


def test_check_deploy_is_clean_with_production_settings():
    # The test process itself allows async-unsafe calls for Playwright; production never does.
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_ENV": "production",
        "SECRET_KEY": "p" * 20 + "-production-secret-key-with-enough-entropy-0123456789",
        "ALLOWED_HOSTS": "kpi.thanhhoa.gov.vn",
        "DEBUG": "0",
    }
    proc = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "no issues" in proc.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env.update({"DJANGO_ENV": "production", "ALLOWED_HOSTS": "x"})
    proc = subprocess.run([sys.executable, "manage.py", "check"], capture_output=True, text=True, env=env, check=False)
    assert proc.returncode != 0
    assert "SECRET_KEY" in proc.stderr


def test_the_shipped_mariadb_settings_are_read_by_this_mariadb(tmp_path):
    """deploy/mariadb/thanhhoa_kpi.cnf names only options MariaDB knows, with the values meant."""
    server = next(path for path in ("/usr/sbin/mariadbd", "/usr/sbin/mysqld") if os.path.exists(path))
    cnf = os.path.join(os.path.dirname(__file__), "..", "..", "deploy", "mariadb", "thanhhoa_kpi.cnf")
    proc = subprocess.run(
        [server, f"--defaults-file={cnf}", f"--datadir={tmp_path}", "--user=root", "--verbose", "--help"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    values = dict(re.findall(r"^([a-z0-9-]+) +(\S.*)$", proc.stdout, flags=re.MULTILINE))
    assert values["innodb-buffer-pool-size"].strip() == str(5 * 1024**3)
    assert values["innodb-flush-log-at-trx-commit"].strip() == "1"
    assert values["sync-binlog"].strip() == "1"
    assert values["character-set-server"].strip() == "utf8mb4"
