"""``/healthz`` and ``/readyz`` for load balancers and process supervisors (issue 13, item 6).

- ``/healthz``: the process answers (liveness). No database, no Redis: a restart would not
  cure an outage of either, so a liveness probe must not fail on one.
- ``/readyz``: this instance can serve (readiness): the database answers, Redis answers,
  no migration is waiting (a new release before ``migrate``, or an old one after it) and
  an RQ worker has sent a heartbeat within :data:`WORKER_HEARTBEAT_MAX_AGE` seconds
  (without a worker, period opening, imports and notifications would wait unseen). rq
  keeps each worker's ``last_heartbeat`` in its Redis hash (``Worker.all``); an idle
  worker refreshes it every ``worker_ttl − 15`` seconds, so workers run with
  ``--worker-ttl 60`` (Makefile, scripts/serve.sh, docs/deployment.md).

Both answer JSON with stable English keys and Vietnamese messages, 200 when every check
passes and 503 otherwise, never cached, for anonymous callers (no session, login, two-factor
or lockout step applies to a request without a cookie; the SSL redirect exempts them in
settings.py so a balancer may probe over plain HTTP).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from csp.decorators import csp_exempt
from django.conf import settings
from django.db import connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from redis import Redis
from rq import Worker

WORKER_HEARTBEAT_MAX_AGE = 60  # seconds
REDIS_TIMEOUT = 2  # seconds: a balancer probes every few seconds and must get an answer

log = logging.getLogger(__name__)

Check = tuple[bool, str]


def _redis() -> Redis:
    return Redis.from_url(
        settings.RQ_QUEUES["default"]["URL"], socket_connect_timeout=REDIS_TIMEOUT, socket_timeout=REDIS_TIMEOUT
    )


def check_database() -> Check:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
    return True, "Cơ sở dữ liệu phản hồi bình thường."


def check_redis() -> Check:
    _redis().ping()
    return True, "Redis phản hồi bình thường."


def check_migrations() -> Check:
    connection = connections["default"]
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        names = ", ".join(f"{migration.app_label}.{migration.name}" for migration, _backwards in plan[:5])
        return False, f"Còn {len(plan)} bản chuyển đổi cơ sở dữ liệu chưa áp dụng ({names}); hãy chạy «migrate»."
    return True, "Mọi bản chuyển đổi cơ sở dữ liệu đã được áp dụng."


def check_worker() -> Check:
    beats = [w.last_heartbeat for w in Worker.all(connection=_redis()) if w.last_heartbeat is not None]
    if not beats:
        return False, "Không có tiến trình xử lý tác vụ (RQ worker) nào đang chạy."
    age = timezone.now() - max(beats)
    if age > timedelta(seconds=WORKER_HEARTBEAT_MAX_AGE):
        return False, (
            f"Tiến trình xử lý tác vụ báo hoạt động lần cuối cách đây {int(age.total_seconds())} giây "
            f"(quá {WORKER_HEARTBEAT_MAX_AGE} giây)."
        )
    return True, f"{len(beats)} tiến trình xử lý tác vụ đang hoạt động."


CHECKS: dict[str, Callable[[], Check]] = {
    "database": check_database,
    "redis": check_redis,
    "migrations": check_migrations,
    "worker": check_worker,
}
# A check that cannot run says why, in the caller's language, not in a traceback.
_FAILED = {
    "database": "Không kết nối được cơ sở dữ liệu",
    "redis": "Không kết nối được Redis",
    "migrations": "Không đọc được trạng thái chuyển đổi cơ sở dữ liệu",
    "worker": "Không đọc được nhịp hoạt động của tiến trình xử lý tác vụ",
}


def _run(name: str) -> dict[str, Any]:
    try:
        ok, message = CHECKS[name]()
    except Exception as error:  # noqa: BLE001  (any failure of a dependency is "not ready")
        log.warning("readyz: %s failed: %s", name, error)
        ok, message = False, f"{_FAILED[name]}: {type(error).__name__}."
    return {"ok": ok, "message": message}


def _probe(view: Callable[[HttpRequest], JsonResponse]) -> Callable[[HttpRequest], JsonResponse]:
    return csp_exempt()(never_cache(require_safe(view)))


@_probe
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok", "message": "Ứng dụng đang chạy."})


@_probe
def readyz(request: HttpRequest) -> JsonResponse:
    checks = {name: _run(name) for name in CHECKS}
    ready = all(check["ok"] for check in checks.values())
    body = {
        "status": "ok" if ready else "unavailable",
        "message": "Sẵn sàng phục vụ." if ready else "Chưa sẵn sàng phục vụ: " + " ".join(
            check["message"] for check in checks.values() if not check["ok"]
        ),
        "checks": checks,
    }  # fmt: skip
    return JsonResponse(body, status=200 if ready else 503, json_dumps_params={"ensure_ascii": False})
