"""The import's status text follows its real state (issue 11: "Đang chờ chạy" beside a 25 % bar)."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from thanhhoa_kpi.accounts.loaders import load_roles
from thanhhoa_kpi.core.seeding import FIXTURES_DIR, read_file
from thanhhoa_kpi.transfer import services
from thanhhoa_kpi.transfer.models import ImportJob, ImportStatus

pytestmark = pytest.mark.django_db


def job_of(user, status, **extra):
    job = ImportJob.objects.create(kind="positions", created_by=user, status=status, total_rows=400, **extra)
    cache.delete(services._progress_key(job.pk))  # Redis outlives the test database: ids come again
    return job


def test_a_queued_job_that_has_not_started_waits(cast):
    state = services.import_job_progress(job_of(cast.hr, ImportStatus.QUEUED))
    assert (state["status"], state["status_label"], state["percent"]) == ("QUEUED", "Đang chờ chạy", 0)


def test_a_queued_job_with_rows_written_is_running(cast):
    state = services.import_job_progress(job_of(cast.hr, ImportStatus.QUEUED, processed_rows=100))
    assert (state["status"], state["status_label"], state["percent"]) == ("RUNNING", "Đang nhập", 25)


def test_a_queued_job_that_started_is_running(cast):
    state = services.import_job_progress(job_of(cast.hr, ImportStatus.QUEUED, started_at=timezone.now()))
    assert state["status_label"] == "Đang nhập"


def test_the_desk_page_and_list_say_running_beside_the_bar(cast, client):
    load_roles(read_file(FIXTURES_DIR / "base" / "roles.transfer.yaml"))
    job = job_of(cast.hr, ImportStatus.QUEUED, processed_rows=100)
    client.force_login(cast.hr)
    page = client.get(f"/admin/transfer/importjob/{job.pk}/report/").content.decode()
    assert "Đang chờ chạy" not in page
    assert 'id="import-status">Đang nhập<' in page and "100/400 dòng (25%)" in page
    listing = client.get("/admin/transfer/importjob/").content.decode()
    cell = re.search(r'class="field-status_badge[^"]*"[^>]*>(.*?)</td>', listing, re.S)
    assert cell and cell.group(1).strip() == "Đang nhập"
    status = client.get(f"/admin/transfer/importjob/{job.pk}/status/").json()
    assert status["status_label"] == "Đang nhập"


def test_the_polling_script_updates_the_status_text():
    script = Path(settings.BASE_DIR, "thanhhoa_kpi", "desk", "static", "desk", "js", "import-progress.js").read_text()
    assert 'getElementById("import-status")' in script and "state.status_label" in script
