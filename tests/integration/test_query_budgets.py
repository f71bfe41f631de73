"""Query budgets (issue 12, item 4): the pages and endpoints used every day read a fixed
number of queries, whatever the number of rows.

Each test builds the cast's world with ``N`` rows of every kind in the head's unit, counts
the queries of every page (django's ``CaptureQueriesContext``, after one unmeasured call
so one-off reads such as opening the month are left out), adds rows up to ``3 × N`` and
counts again: both counts must be equal and within the budget written here. Counts, never
timings.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from itertools import count
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories.appraisals import appraisal_of, opened, place, prepare_appraisals, staff
from tests.factories.workflow import job_description, prepare_workflows
from tests.factories.worklogs import assign, log, make_catalogue
from thanhhoa_kpi.appraisals.models import Appraisal
from thanhhoa_kpi.appraisals.services.opening import period_open_run
from thanhhoa_kpi.catalogue.models import CatalogueItem, CatalogueStatus
from thanhhoa_kpi.core.actors import SYSTEM
from thanhhoa_kpi.customfields.services import field_definition_create
from thanhhoa_kpi.organization import services as org
from thanhhoa_kpi.organization.models import JobPosition
from thanhhoa_kpi.workflow.hosts import host_models
from thanhhoa_kpi.workflow.models import Notification
from thanhhoa_kpi.worklogs.models import WorkLogLine

pytestmark = pytest.mark.django_db

N = 2  # rows of each kind at the first count; 3 × N at the second

_codes = count(1)


@dataclass
class World:
    cast: Any
    work: Any
    period: Any  # the month's appraisal period, opened

    def grow(self, n: int) -> None:
        """``n`` more rows of every kind, all reached by the head, the deputy and the authority."""
        cast, work = self.cast, self.work
        for _ in range(n):
            k = next(_codes)
            person = staff(cast.team, f"QB{k:04d}", f"Cán bộ thử {k}", position=cast.position, with_user=True,
                           fields=["Văn hóa"])  # fmt: skip
            log(person.user, work.culture)
            log(person.user, work.sport, description=f"Dòng {k}")
            assign(cast.head, person, work.culture)
            job_description(cast, author=person.user, state="UNIT_REVIEW")
            make_catalogue(cast.team, f"DM_QB{k}", [(f"QB{k}", "Văn hóa", "1")], status=CatalogueStatus.DRAFT,
                           state="UNIT_REVIEW")  # fmt: skip
            item = CatalogueItem.objects.create(
                catalogue=work.catalogue, code=f"QBI{k}", field="Văn hóa", task=f"Nhiệm vụ {k}",
                detailed_work=f"Công việc {k}", output_product="Văn bản", unit_of_measure="Văn bản",
                complexity_group=2, coefficient=Decimal("1"), standard_minutes=60,
            )  # fmt: skip
            assign(cast.head, cast.official_of(cast.official), item)  # the official's live score: one more item
            org.org_unit_create(by=SYSTEM, parent=cast.team, code=f"QB_TO{k}", name=f"Tổ {k}", bloc="CHINH_QUYEN",
                                level="XA", kind="PHONG")  # fmt: skip
            JobPosition.objects.create(code=f"QB_VT{k}", name=f"Vị trí {k}", group="CHUYEN_MON_NGHIEP_VU",
                                       bloc="CHINH_QUYEN")  # fmt: skip
            field_definition_create(by=SYSTEM, doctype="worklog", key=f"qb_{k}", label=f"Trường {k}", field_type="text")
            for user in (cast.official, cast.head):
                Notification.objects.create(user=user, title=f"Thông báo {k}", body="Nội dung")
        period_open_run(period_id=self.period.pk)  # the new people's appraisals
        for row in Appraisal.objects.filter(period=self.period, state="DRAFT", official__code__startswith="QB"):
            place(row, "UNIT_REVIEW")


@pytest.fixture
def world(cast, work):
    prepare_appraisals()
    prepare_workflows()
    world = World(cast, work, opened(cast))
    log(cast.official, work.culture)
    world.grow(N)
    return world


def _count(call) -> int:
    call()  # unmeasured: the month opened on first use, the caller's first sign of life
    with CaptureQueriesContext(connection) as queries:
        response = call()
    assert response.status_code == 200, (response.status_code, response.content[:300])
    return len(queries)


def _flat(world: World, pages: dict[str, tuple[Any, int]]) -> None:
    """Count every page at N and 3 × N rows; report every page that grew or broke its budget."""
    first = {name: _count(call) for name, (call, _) in pages.items()}
    world.grow(2 * N)
    second = {name: _count(call) for name, (call, _) in pages.items()}
    grew = {name: (first[name], second[name]) for name in pages if first[name] != second[name]}
    over = {name: (second[name], budget) for name, (_, budget) in pages.items() if second[name] > budget}
    print("\n".join(f"{second[name]:>4} / {budget:<4} {name}" for name, (_, budget) in pages.items()))
    assert not grew, f"queries grew with the rows (N, 3N): {grew}"
    assert not over, f"over budget (queries, budget): {over}"


def _api(user):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def _desk(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _get(client, url: str):
    return lambda: client.get(url)


# Budgets: what each page reads today (authentication, the scope, the page, its related
# rows in one query each, the count of the paginator), with a little room.
API_LISTS = {
    # the head: their unit's lines, review queue, assignments and appraisals
    "head GET /worklogs/": ("head", "/api/v1/worklogs/", 7),
    "head GET /worklogs/?awaiting_review=1": ("head", "/api/v1/worklogs/?awaiting_review=1", 7),
    "head GET /worklogs/?month=": ("head", "/api/v1/worklogs/?month={month}", 7),
    "head GET /assignments/": ("head", "/api/v1/assignments/", 6),
    "head GET /appraisals/": ("head", "/api/v1/appraisals/", 6),
    "head GET /inbox/": ("head", "/api/v1/inbox/", 20),  # + 1 or 2 per workflow document type (below)
    "head GET /notifications/": ("head", "/api/v1/notifications/", 6),
    "head GET /worklogs/hours/": ("head", "/api/v1/worklogs/hours/", 7),
    "head GET /job-descriptions/": ("head", "/api/v1/job-descriptions/", 6),
    # the official: own lines, own score
    "official GET /worklogs/?mine=1": ("official", "/api/v1/worklogs/?mine=1", 7),
    "official GET /me/score/": ("official", "/api/v1/me/score/", 14),
    "official GET /me/": ("official", "/api/v1/me/", 8),
    # the authority and the viewer: master data and periods
    "authority GET /periods/": ("authority", "/api/v1/periods/", 7),
    "authority GET /periods/{id}/classification-list/": (
        "authority", "/api/v1/periods/{period}/classification-list/?unit={unit}", 12,
    ),
    "authority GET /periods/{id}/quota/": ("authority", "/api/v1/periods/{period}/quota/?unit={unit}", 14),
    "viewer GET /officials/": ("viewer", "/api/v1/officials/", 7),
    "viewer GET /org-units/": ("viewer", "/api/v1/org-units/", 7),
    "viewer GET /positions/": ("viewer", "/api/v1/positions/", 6),
    "viewer GET /catalogues/": ("viewer", "/api/v1/catalogues/", 6),
    "viewer GET /catalogue-items/": ("viewer", "/api/v1/catalogue-items/", 7),
    "viewer GET /custom-fields/": ("viewer", "/api/v1/custom-fields/", 6),
    "viewer GET /work-periods/": ("viewer", "/api/v1/work-periods/", 6),
    "viewer GET /unit-appraisals/": ("viewer", "/api/v1/unit-appraisals/", 5),
    "viewer GET /unit-rules/": ("viewer", "/api/v1/unit-rules/", 5),
    "viewer GET /competency-frameworks/": ("viewer", "/api/v1/competency-frameworks/", 5),
    "viewer GET /reports/": ("viewer", "/api/v1/reports/", 5),
}  # fmt: skip


def test_every_api_list_reads_a_fixed_number_of_queries(world):
    cast, today = world.cast, timezone.localdate()
    values = {"month": f"{today:%Y-%m}", "period": world.period.pk, "unit": cast.ward.pk}
    pages = {
        name: (_get(_api(getattr(cast, persona)), url.format(**values)), budget)
        for name, (persona, url, budget) in API_LISTS.items()
    }
    _flat(world, pages)


def test_every_api_detail_reads_a_fixed_number_of_queries(world):
    cast, work = world.cast, world.work
    line = WorkLogLine.objects.filter(official__user=cast.official).first()
    appraisal = appraisal_of(cast.official, world.period)
    head, viewer = _api(cast.head), _api(cast.viewer)
    own = _api(cast.official)
    official = cast.official_of(cast.official)
    pages = {
        "official GET /worklogs/{id}/": (_get(own, f"/api/v1/worklogs/{line.pk}/"), 5),
        "head GET /worklogs/{id}/": (_get(head, f"/api/v1/worklogs/{line.pk}/"), 5),
        "head GET /appraisals/{id}/": (_get(head, f"/api/v1/appraisals/{appraisal.pk}/"), 10),
        "head GET /appraisals/{id}/history/": (_get(head, f"/api/v1/appraisals/{appraisal.pk}/history/"), 8),
        "head GET /assignments/{id}/": (
            _get(head, f"/api/v1/assignments/{assign(cast.head, official, work.office).pk}/"),
            5,
        ),
        "viewer GET /officials/{id}/": (_get(viewer, f"/api/v1/officials/{official.pk}/"), 6),
        "viewer GET /org-units/{id}/": (_get(viewer, f"/api/v1/org-units/{cast.team.pk}/"), 6),
        "viewer GET /catalogues/{id}/": (_get(viewer, f"/api/v1/catalogues/{work.catalogue.pk}/"), 5),
        "viewer GET /catalogue-items/{id}/": (_get(viewer, f"/api/v1/catalogue-items/{work.culture.pk}/"), 6),
        "viewer GET /positions/{id}/": (_get(viewer, f"/api/v1/positions/{cast.position.pk}/"), 5),
        "viewer GET /periods/{id}/": (_get(viewer, f"/api/v1/periods/{world.period.pk}/"), 6),
        "viewer GET /work-periods/{id}/": (_get(viewer, f"/api/v1/work-periods/{work.period.pk}/"), 5),
    }
    _flat(world, pages)


def test_the_desk_pages_used_every_day_read_a_fixed_number_of_queries(world):
    cast = world.cast
    official, head, authority = _desk(cast.official), _desk(cast.head), _desk(cast.authority)
    appraisal = appraisal_of(cast.official, world.period)
    monday = timezone.localdate() - timezone.timedelta(days=timezone.localdate().weekday())
    home_affairs = reverse("admin:appraisals_home_affairs") + f"?period={world.period.pk}&unit={cast.ward.pk}"
    pages = {
        "official: my week": (_get(official, reverse("admin:worklogs_my_week") + f"?week={monday:%Y-%m-%d}"), 18),
        "official: my lines": (_get(official, reverse("admin:worklogs_worklogline_changelist")), 18),
        "official: live score": (_get(official, reverse("admin:worklogs_my_score")), 23),
        "head: review queue": (_get(head, reverse("admin:worklogs_review")), 25),
        "head: inbox": (_get(head, reverse("admin:workflow_inbox")), 28),  # + 1 or 2 per document type
        "head: appraisal list": (_get(head, reverse("admin:appraisals_appraisal_changelist")), 16),
        "head: appraisal change page": (
            _get(head, reverse("admin:appraisals_appraisal_change", args=[appraisal.pk])),
            27,
        ),
        "authority: quota page": (_get(authority, home_affairs), 23),
    }
    _flat(world, pages)


# The inbox reads a fixed number of queries per kind of workflow document (its host models:
# appraisals, catalogues, job descriptions, definition changes, competency assessments, agency
# appraisals, a unit's own rules), never per document.
INBOX_FIXED, INBOX_PER_DOCTYPE = 4, 3


def test_the_inbox_stays_flat_in_documents_and_linear_only_in_document_types(world):
    budget = INBOX_FIXED + INBOX_PER_DOCTYPE * len(host_models())
    pages = {
        "head GET /api/v1/inbox/": (_get(_api(world.cast.head), "/api/v1/inbox/"), budget),
        "authority GET /api/v1/inbox/": (_get(_api(world.cast.authority), "/api/v1/inbox/"), budget),
    }
    _flat(world, pages)


def test_saving_a_line_reads_each_thing_once(world, api_for):
    """A save: authentication, the item, the scope, the custom fields at most once (both kept
    between requests, core/refcache.py), the official, their postings once, the month once
    (shared lock), the matching assignment, the item in force, the insert and its history
    row: at most 15 statements, and the savepoint pair."""
    client = api_for(world.cast.official)
    payload = {"date": str(timezone.localdate()), "catalogue_item": world.work.culture.pk, "quantity": "1"}
    client.post("/api/v1/worklogs/", payload, format="json")
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/api/v1/worklogs/", payload, format="json")
    assert response.status_code == 201, response.json()
    statements = [q["sql"] for q in queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]
    assert len(statements) <= 15, "\n".join(s[:120] for s in statements)
    assert sum("customfields_fielddefinition" in s for s in statements) <= 1
    assert sum("FROM `worklogs_workperiod`" in s for s in statements) == 1
    assert sum("FROM `organization_officialassignment`" in s and "`official_id` = " in s for s in statements) <= 2
    assert any(s.endswith("LOCK IN SHARE MODE") for s in statements)
    assert not any("FOR UPDATE" in s for s in statements)


def test_page_size_is_honoured_up_to_200(world):
    client = _api(world.cast.viewer)
    assert len(client.get("/api/v1/officials/?page_size=3").json()["results"]) == 3
    assert len(client.get("/api/v1/officials/?page_size=1000").json()["results"]) == min(
        200, client.get("/api/v1/officials/").json()["count"]
    )
