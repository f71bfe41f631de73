"""Reference data kept between requests (core/refcache.py): reused while nothing changes,
dropped by every kind of write to it, never kept from a transaction, and not needed when
Redis is away."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from thanhhoa_kpi.accounts import access
from thanhhoa_kpi.accounts.models import RoleGrant
from thanhhoa_kpi.core import refcache
from thanhhoa_kpi.core.actors import SYSTEM
from thanhhoa_kpi.customfields.services import field_definition_create
from thanhhoa_kpi.organization import services as org
from thanhhoa_kpi.organization.models import OfficialAssignment

pytestmark = pytest.mark.django_db


def _me(client) -> dict:
    response = client.get("/api/v1/me/")
    assert response.status_code == 200
    return response.json()


def _reads(client, table: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        client.get("/api/v1/me/")
    return sum(f"FROM `{table}`" in q["sql"] for q in captured)


def test_a_second_request_reads_no_grant_posting_or_field_definition(cast, api_for):
    client = api_for(cast.head)
    assert _reads(client, "accounts_rolegrant") == 1  # the first request reads them
    assert _reads(client, "accounts_rolegrant") == 0
    assert _reads(client, "customfields_fielddefinition") == 0


def test_a_grant_given_or_taken_applies_to_the_next_request(cast, api_for):
    client = api_for(cast.official)
    assert "BLOC_AUTHORITY" not in _me(client)["roles"]
    grant = RoleGrant.objects.create(user=cast.official, role="BLOC_AUTHORITY", bloc="CHINH_QUYEN")
    assert "BLOC_AUTHORITY" in _me(client)["roles"]
    grant.delete()
    assert "BLOC_AUTHORITY" not in _me(client)["roles"]


def test_a_posting_ended_takes_the_unit_away_at_the_next_request(cast, api_for):
    client = api_for(cast.head)
    assert cast.team.code in _me(client)["scope"]["units"]
    posting = OfficialAssignment.objects.get(official__user=cast.head, end_date__isnull=True)
    posting.end_date = date.today() - timedelta(days=1)
    posting.save()
    assert "HEAD" not in _me(client)["roles"]
    assert cast.team.code not in _me(client)["scope"]["units"]


def test_a_unit_moved_by_treebeard_without_signals_is_seen_at_the_next_request(cast):
    """treebeard rewrites the moved subtree's paths with UPDATEs: the head's kept path must go."""
    from thanhhoa_kpi.organization.models import OrgUnit

    old_path = OrgUnit.objects.get(pk=cast.team.pk).path
    access.forget_scope(cast.head)
    assert access.scope_for(cast.head).head_unit_paths == (old_path,)
    org.org_unit_move(by=SYSTEM, unit=cast.team, new_parent=cast.other_dept)
    new_path = OrgUnit.objects.get(pk=cast.team.pk).path
    assert new_path != old_path
    access.forget_scope(cast.head)
    assert access.scope_for(cast.head).head_unit_paths == (new_path,)


def test_a_new_field_definition_shows_at_the_next_request(cast, api_for):
    client = api_for(cast.sysadmin)
    keys = lambda: {d["key"] for d in client.get("/api/v1/custom-fields/?doctype=official").json()["results"]}  # noqa: E731
    official = lambda: client.get(f"/api/v1/officials/{cast.official_of(cast.official).pk}/").json()  # noqa: E731
    assert "so_the_bhyt" not in official()["custom"]
    field_definition_create(by=SYSTEM, doctype="official", key="so_the_bhyt", label="Số thẻ BHYT", field_type="text")
    assert "so_the_bhyt" in keys()
    assert "so_the_bhyt" in official()["custom"]


def test_a_rolled_back_grant_is_never_kept(cast):
    """Inside a transaction the rows may be uncommitted writes: read, used, not kept."""
    access.forget_scope(cast.official)
    with transaction.atomic():
        RoleGrant.objects.create(user=cast.official, role="BLOC_AUTHORITY", bloc="CHINH_QUYEN")
        assert access.scope_for(cast.official).authority_blocs == {"CHINH_QUYEN"}
        transaction.set_rollback(True)
    access.forget_scope(cast.official)
    assert access.scope_for(cast.official).authority_blocs == frozenset()


def test_a_kept_scope_is_used_only_under_the_generation_it_was_read_in(cast):
    access.forget_scope(cast.head)
    first = access.scope_for(cast.head)
    cache.incr(refcache.GENERATION_KEY)  # another process changed reference data
    access.forget_scope(cast.head)
    with CaptureQueriesContext(connection) as captured:
        again = access.scope_for(cast.head)
    assert again.roles == first.roles
    assert any("FROM `accounts_rolegrant`" in q["sql"] for q in captured)


def test_without_redis_the_scope_is_read_from_the_database_every_time(cast, api_for, monkeypatch):
    def unreachable(*args, **kwargs):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(cache, "get", unreachable)
    client = api_for(cast.head)
    assert _reads(client, "accounts_rolegrant") == 1
    assert _reads(client, "accounts_rolegrant") == 1
    assert "HEAD" in _me(client)["roles"]


def test_a_generation_lost_by_redis_never_comes_back_as_one_already_held(cast):
    access.forget_scope(cast.head)
    access.scope_for(cast.head)
    held = refcache.generation()
    cache.delete(refcache.GENERATION_KEY)  # evicted, or Redis restarted empty
    assert refcache.generation() not in {None, held}
