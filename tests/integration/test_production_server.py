"""The production server (issue 12): gunicorn's config file and static files through WhiteNoise."""

from __future__ import annotations

import json
import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "deploy" / "gunicorn.conf.py"


def _config(monkeypatch, cores: int, **env: str) -> dict:
    for name in [name for name in os.environ if name.startswith("GUNICORN_")]:
        monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(cores)), raising=False)
    return runpy.run_path(str(CONFIG))


@pytest.mark.parametrize(("cores", "workers"), [(1, 3), (2, 5), (4, 9), (16, 9)])
def test_workers_are_two_per_core_plus_one_capped(monkeypatch, cores, workers):
    config = _config(monkeypatch, cores)
    assert config["workers"] == workers
    assert config["worker_class"] == "sync" and config["timeout"] == 60 and config["graceful_timeout"] == 30
    assert config["wsgi_app"] == "thanhhoa_kpi.wsgi:application"
    assert "%(M)sms" in config["access_log_format"] and config["accesslog"] == "-"


def test_the_environment_overrides_the_config(monkeypatch):
    config = _config(monkeypatch, 2, GUNICORN_WORKERS="4", GUNICORN_THREADS="8", GUNICORN_MAX_WORKERS="2")
    assert (config["workers"], config["threads"], config["worker_class"]) == (4, 8, "gthread")
    assert _config(monkeypatch, 16, GUNICORN_MAX_WORKERS="20")["workers"] == 20
    with pytest.raises(SystemExit, match="GUNICORN_TIMEOUT"):
        _config(monkeypatch, 2, GUNICORN_TIMEOUT="soon")


def test_gunicorn_accepts_the_config_and_loads_the_app():
    gunicorn = Path(sys.executable).with_name("gunicorn")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUNICORN_")}
    proc = subprocess.run([str(gunicorn), "--check-config", "-c", str(CONFIG)], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=False, timeout=120)  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_static_files_come_from_the_app_and_uploads_never_do(client):
    response = client.get("/static/desk/css/desk.css")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/css")
    assert b"".join(response.streaming_content)
    # /files/ is the app's scope-checked download view, never a static folder.
    assert client.get("/files/evidence/x.pdf").status_code in (302, 403, 404)


def test_production_stores_static_files_hashed_and_compressed():
    code = "import django, json; django.setup(); from django.conf import settings; print(json.dumps(settings.STORAGES))"
    env = {
        **os.environ,
        "DJANGO_ENV": "production",
        "SECRET_KEY": "s" * 60,
        "ALLOWED_HOSTS": "kpi.thanhhoa.gov.vn",
        "DJANGO_SETTINGS_MODULE": "thanhhoa_kpi.settings",
    }
    env.pop("STATIC_MANIFEST", None)
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          check=False, timeout=60)  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    storages = json.loads(proc.stdout.strip().splitlines()[-1])
    assert storages["staticfiles"]["BACKEND"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
