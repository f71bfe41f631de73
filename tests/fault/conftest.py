"""Fixtures of the fault tests (marker ``fault``): servers of their own, never the machine's.

One dedicated MariaDB per session (tests/fault/servers.py), with a template database
migrated once; each test gets a copy of it, its own Redis, and whatever it starts on them.
Run only these tests with ``pytest -m fault``; skip them with ``-m "not fault"``.
"""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fault import servers

TEMPLATE = "kpi_template"


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.fault)


@pytest.fixture(scope="session")
def fault_mariadb() -> Iterator[servers.MariaDB]:
    """A MariaDB of the session's own (temporary datadir, own port), its template migrated."""
    base = servers.temporary_base("kpi-fault-db-")
    server = servers.MariaDB(base).install().start()
    server.grant_tcp_root()
    server.create_database(TEMPLATE)
    servers.manage(servers.app_env(server.url(TEMPLATE), "redis://127.0.0.1:1/0"), "migrate", "--noinput", "-v", "0")
    yield server
    server.stop()
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def fault_dir(tmp_path_factory) -> Iterator[Path]:
    base = servers.temporary_base("kpi-fault-")
    yield base
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def fault_redis(fault_dir) -> Iterator[servers.Redis]:
    server = servers.Redis(fault_dir).start()
    yield server
    server.stop()


@pytest.fixture
def fault_db(fault_mariadb) -> str:
    """A fresh copy of the migrated template: the database name."""
    name = f"kpi_{uuid.uuid4().hex[:10]}"
    fault_mariadb.copy_database(TEMPLATE, name)
    return name


def world(env: dict[str, str], *args: str) -> dict:
    """Run tests/fault/world.py in a child process with ``env``; its JSON answer."""
    return json.loads(servers.python(env, "tests.fault.world", *args).strip().splitlines()[-1])
