"""/healthz and /readyz for load balancers (issue 13, item 6): 200 when ready, 503 with the reason."""

import uuid
from datetime import timedelta
from unittest import mock

import pytest
from django.db.migrations import Migration
from redis import Redis
from rq import Worker
from rq.utils import now, utcformat

from thanhhoa_kpi.core import health

pytestmark = pytest.mark.django_db

# A Redis database of its own: a worker some developer runs on db 0 must not make these pass.
PROBE_REDIS = "redis://127.0.0.1:6379/11"


@pytest.fixture
def probe_redis(settings):
    settings.RQ_QUEUES = {"default": {**settings.RQ_QUEUES["default"], "URL": PROBE_REDIS}}
    return Redis.from_url(PROBE_REDIS)


@pytest.fixture
def worker(probe_redis):
    """A worker registered as rq registers one (its hash, with ``last_heartbeat`` now)."""
    found = Worker(["default"], connection=probe_redis, name=f"health-{uuid.uuid4().hex}")
    found.register_birth()
    yield found
    found.register_death()


def readyz(client):
    response = client.get("/readyz")
    return response.status_code, response.json()


def test_healthz_answers_without_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200 and response.json()["status"] == "ok"
    assert response["Cache-Control"].startswith("max-age=0") and "Set-Cookie" not in response


def test_readyz_is_200_when_everything_answers(client, worker):
    status, body = readyz(client)
    assert status == 200 and body["status"] == "ok", body
    assert set(body["checks"]) == {"database", "redis", "migrations", "worker"}
    assert all(check["ok"] for check in body["checks"].values())


def test_readyz_is_503_without_a_worker(client, probe_redis):
    status, body = readyz(client)
    assert status == 503 and body["status"] == "unavailable"
    assert body["checks"]["worker"] == {
        "ok": False,
        "message": "Không có tiến trình xử lý tác vụ (RQ worker) nào đang chạy.",
    }
    assert body["checks"]["database"]["ok"] and body["checks"]["redis"]["ok"] and body["checks"]["migrations"]["ok"]
    assert "Không có tiến trình xử lý tác vụ" in body["message"]


def test_readyz_is_503_when_the_workers_heartbeat_is_older_than_a_minute(client, worker, probe_redis):
    probe_redis.hset(worker.key, "last_heartbeat", utcformat(now() - timedelta(seconds=90)))
    status, body = readyz(client)
    assert status == 503 and not body["checks"]["worker"]["ok"]
    assert "cách đây 90 giây" in body["checks"]["worker"]["message"]


def test_readyz_is_503_when_redis_is_unreachable(client, settings):
    settings.RQ_QUEUES = {"default": {**settings.RQ_QUEUES["default"], "URL": "redis://127.0.0.1:1/0"}}
    status, body = readyz(client)
    assert status == 503
    assert body["checks"]["redis"]["ok"] is False and body["checks"]["redis"]["message"].startswith(
        "Không kết nối được Redis"
    )
    assert body["checks"]["worker"]["ok"] is False and body["checks"]["database"]["ok"] is True


def test_readyz_is_503_while_a_migration_is_pending(client, worker):
    pending = [(Migration("0099_chua_ap_dung", "audit"), False)]
    with mock.patch.object(health.MigrationExecutor, "migration_plan", return_value=pending):
        status, body = readyz(client)
    assert status == 503
    assert body["checks"]["migrations"] == {
        "ok": False,
        "message": "Còn 1 bản chuyển đổi cơ sở dữ liệu chưa áp dụng (audit.0099_chua_ap_dung); hãy chạy «migrate».",
    }


def test_readyz_is_503_when_the_database_fails(client, worker):
    with mock.patch.dict(health.CHECKS, {"database": mock.Mock(side_effect=OSError("mất kết nối"))}):
        status, body = readyz(client)
    assert status == 503
    assert body["checks"]["database"] == {"ok": False, "message": "Không kết nối được cơ sở dữ liệu: OSError."}


def test_the_probes_take_only_get_and_head(client):
    assert client.post("/healthz").status_code == 405
    assert client.head("/healthz").status_code == 200
