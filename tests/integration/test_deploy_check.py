"""The production profile passes ``manage.py check --deploy`` with no issue."""

import os
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
