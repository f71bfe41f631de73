"""Shared fixtures. Integration tests run on MariaDB (DATABASE_URL from `make test`)."""

import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_configure(config):
    """Tests create many users: a fast hasher keeps each cast cheap (never used outside tests)."""
    if not config.pluginmanager.hasplugin("django"):
        return  # the pure-core run (-p no:django) never touches Django
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Cache keys of this process only, as its database is (below): another run on the same
    # Redis (a developer's beside CI's) bumping the reference data's generation
    # (core/refcache.py) would otherwise change this run's query counts.
    for alias in settings.CACHES.values():
        alias["KEY_PREFIX"] = f"{alias.get('KEY_PREFIX') or 'kpi'}_test_{os.getpid()}"


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """A test database per pytest process, so parallel runs on one server never collide."""
    from django.conf import settings

    test = settings.DATABASES["default"].setdefault("TEST", {})
    if settings.DATABASES["default"]["ENGINE"].endswith("mysql") and not test.get("NAME"):
        # KPI_TEST_DB names a database kept between runs (with --reuse-db) for one developer.
        test["NAME"] = os.environ.get("KPI_TEST_DB") or f"test_{settings.DATABASES['default']['NAME']}_{os.getpid()}"


@pytest.fixture(autouse=True)
def media_in_tmp(request, tmp_path):
    """Uploaded evidence, attachments and import files go to a temporary folder, never var/media.

    Skipped in the pure-core run (``-p no:django``), which has no ``settings`` fixture.
    """
    if request.config.pluginmanager.hasplugin("django"):
        request.getfixturevalue("settings").MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def reference_data_forgotten(request):
    """Each test starts without the reference data an earlier test's process kept
    (core/refcache.py): a rolled-back test never raises the generation it read under."""
    if request.config.pluginmanager.hasplugin("django"):
        from thanhhoa_kpi.core import refcache

        refcache.clear_local()


@pytest.fixture
def work(cast):
    """The cast's catalogues, items and the open work period (tests/factories/worklogs.py)."""
    from tests.factories.worklogs import work_cast

    return work_cast(cast)


@pytest.fixture
def cast(db):
    from tests.factories.cast import build_cast

    return build_cast()


@pytest.fixture
def api_for():
    """An API client authenticated as the given user (token auth, like real clients)."""
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    def make(user):
        client = APIClient()
        if user is not None:
            token, _ = Token.objects.get_or_create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make
