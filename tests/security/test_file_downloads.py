"""Uploaded files reach only the people who may see the row that holds them (issue 9).

Before, evidence links were plain ``/media/worklogs/evidence/<year>/<month>/<name>`` paths
that any web server serving MEDIA_ROOT would hand to anyone who guessed the name.
"""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage

from tests.factories.worklogs import log, pdf_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def evidence(cast, work):
    line = log(cast.official, work.culture, evidence=pdf_file("bao-cao-thang.pdf"))
    return line.evidence


def test_file_links_point_at_the_checked_view(evidence):
    assert evidence.url.startswith("/files/worklogs/evidence/")


@pytest.mark.parametrize("persona", ["official", "head", "deputy", "authority", "viewer", "sysadmin"])
def test_people_who_see_the_line_download_its_evidence(client, cast, evidence, persona):
    client.force_login(getattr(cast, persona))
    response = client.get(evidence.url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")


@pytest.mark.parametrize("persona", ["colleague", "outsider"])
def test_people_outside_the_lines_scope_get_404(client, cast, evidence, persona):
    client.force_login(getattr(cast, persona))
    assert client.get(evidence.url).status_code == 404


def test_anonymous_visitors_are_sent_to_login(client, evidence):
    response = client.get(evidence.url)
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_a_stored_file_no_row_holds_is_nobodys(client, cast):
    name = default_storage.save("worklogs/evidence/2026/11/mo-coi.pdf", pdf_file())
    client.force_login(cast.sysadmin)
    assert client.get(f"/files/{name}").status_code == 404


@pytest.mark.parametrize("path", ["../settings.py", "worklogs/evidence/../../etc/passwd", "khac/tep.pdf"])
def test_paths_outside_the_known_folders_are_refused(client, cast, path):
    client.force_login(cast.sysadmin)
    assert client.get(f"/files/{path}").status_code == 404


def test_downloads_refuse_writes(client, cast, evidence):
    client.force_login(cast.official)
    assert client.post(evidence.url).status_code == 405
