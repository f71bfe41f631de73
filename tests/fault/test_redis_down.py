"""Redis down: the desk, work-log saves and transitions go on; notices wait in the outbox.

gunicorn and a real RQ worker run on a MariaDB and a Redis of the test's own. A first
transition with Redis up gives the baseline (its notices, delivered by the worker). Then
Redis is stopped: an official signs in to the desk and opens it, saves lines through the
API, submits her appraisal, the head approves a colleague's, the authority opens last
month's period (its appraisals are created in the request, without the queue). Every
answer is a success; the two transitions' notification jobs wait in the outbox
(core/outbox.py). Redis comes back, ``outbox_flush`` runs twice: each waiting job is sent
once, the worker delivers it once — the same notices as the baseline, none missing, none
doubled.
"""

from __future__ import annotations

import redis

from tests.factories.appraisals import FULL_SELF
from tests.fault import servers
from tests.fault.client import Client, signed_in
from tests.fault.conftest import world

NOTES: dict[str, int] = {}


class Api(Client):
    def call(self, method: str, path: str, body: dict | None = None, expect: int = 200) -> dict:
        response = self.request(method, f"/api/v1/{path}", json_body=body, timeout=120)
        assert response.status == expect, (method, path, response.status, response.body)
        return response.body


def _self_assess_and_submit(api: Api, appraisal_id: int) -> None:
    codes = [row["code"] for row in api.call("GET", f"appraisals/{appraisal_id}/")["criteria"]]
    lines = [{"code": code, "score": score} for code, score in zip(codes, FULL_SELF, strict=False)]
    api.call("PUT", f"appraisals/{appraisal_id}/general-criteria/", {"lines": lines})
    assert api.call("POST", f"appraisals/{appraisal_id}/transition/", {"action": "submit"})["state"] == "UNIT_REVIEW"


def _desk(base_url: str, username: str, password: str) -> int:
    """Sign in on the desk's form and open its home page; the status of that page."""
    return signed_in(base_url, username, password).request("GET", "/admin/").status


def _notices(conn, appraisal_id: int) -> list[tuple[int, str]]:
    """(user, title) of each desk notification pointing at the appraisal."""
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT user_id, title FROM workflow_notification WHERE url LIKE %s ORDER BY id", [f"%/{appraisal_id}/%"]
        )
        return [(int(user), title) for user, title in cursor.fetchall()]


def _outbox(conn) -> list[tuple[int, bool, int]]:
    with conn.cursor() as cursor:
        cursor.execute("SELECT id, sent_at IS NOT NULL, attempts FROM core_outboxjob ORDER BY id")
        return [(int(pk), bool(sent), int(attempts)) for pk, sent, attempts in cursor.fetchall()]


def _drained(redis_url: str) -> bool:
    """Nothing queued nor running on the default queue."""
    client = redis.Redis.from_url(redis_url)
    return client.llen("rq:queue:default") == 0 and client.zcard("rq:wip:default") == 0


def test_with_redis_down_work_goes_on_and_each_notice_is_delivered_once_when_it_returns(
    fault_mariadb, fault_db, fault_redis, fault_dir
):
    env = servers.app_env(fault_mariadb.url(fault_db), fault_redis.url)
    office = world(env, "office")
    tokens, appraisals = office["tokens"], office["appraisals"]
    conn = fault_mariadb.connect(fault_db)
    server = servers.Gunicorn(env, fault_dir / "gunicorn.log").start()
    worker, restarts = servers.rqworker(env, fault_dir / "worker-1.log"), 0
    try:
        official, colleague = Api(server.base_url, tokens["official"]), Api(server.base_url, tokens["colleague"])
        head, authority = Api(server.base_url, tokens["head"]), Api(server.base_url, tokens["authority"])
        # Baseline, Redis up: the colleague submits; the worker delivers the notices.
        _self_assess_and_submit(colleague, appraisals["colleague"])
        servers.wait_until(lambda: all(sent for _, sent, _ in _outbox(conn)) and _drained(fault_redis.url), 120,
                           "the baseline notices")  # fmt: skip
        baseline = _notices(conn, appraisals["colleague"])
        assert baseline, "the submission told nobody"

        fault_redis.stop()
        desk = _desk(server.base_url, "official", office["password"])
        saved = [
            official.call("POST", "worklogs/", {"date": office["today"], "catalogue_item": office["item"],
                                                "quantity": "1", "description": f"redis-down-{n}"}, expect=201)["id"]
            for n in range(20)
        ]  # fmt: skip
        _self_assess_and_submit(official, appraisals["official"])
        approved = head.call("POST", f"appraisals/{appraisals['colleague']}/transition/", {"action": "approve"})
        opening = authority.call("POST", f"periods/{office['draft_period']}/open/", expect=202)
        opened = authority.call("GET", f"periods/{office['draft_period']}/status/")
        waiting = [row for row in _outbox(conn) if not row[1]]
        assert _notices(conn, appraisals["official"]) == [], "a notice without Redis?"

        fault_redis.start()
        flushes = [servers.manage(env, "outbox_flush").strip() for _ in range(2)]
        servers.wait_until(lambda: all(sent for _, sent, _ in _outbox(conn)), 60, "the outbox sent")

        def delivered() -> bool:
            nonlocal worker, restarts
            if not worker.running:  # rq gave up on Redis and exited: its service manager starts it again
                restarts += 1
                worker = servers.rqworker(env, fault_dir / f"worker-{restarts + 1}.log")
            return bool(_notices(conn, appraisals["official"])) and _drained(fault_redis.url)

        servers.wait_until(delivered, 120, "the notices delivered and the queue drained")
    finally:
        worker.stop()
        server.stop()

    submitted = _notices(conn, appraisals["official"])
    colleague_after = _notices(conn, appraisals["colleague"])
    approval = colleague_after[len(baseline) :]
    with conn.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM worklogs_worklogline WHERE description LIKE 'redis-down-%%'")
        stored_lines = int(cursor.fetchone()[0])
        cursor.execute("SELECT COUNT(*) FROM appraisals_appraisal WHERE period_id = %s", [office["draft_period"]])
        draft_appraisals = int(cursor.fetchone()[0])
    outbox = _outbox(conn)
    conn.close()
    NOTES.update(lines=len(saved), stored_lines=stored_lines, waiting=len(waiting), baseline=len(baseline),
                 submitted=len(submitted), approval=len(approval), sent=sum(1 for _, sent, _ in outbox if sent),
                 outbox=len(outbox), worker_restarts=restarts)  # fmt: skip
    print(f"\nredis down: desk {desk}, {len(saved)} lines acknowledged, {stored_lines} found; "
          f"{len(waiting)} jobs waited in the outbox; notices: baseline {len(baseline)}, submit {len(submitted)}, "
          f"approval {len(approval)}; outbox {len(outbox)} rows, all sent: {flushes}; "
          f"worker restarts: {restarts}; last month opened with {draft_appraisals} "
          f"appraisals")  # fmt: skip

    assert desk == 200
    assert len(saved) == stored_lines == 20
    assert approved["state"] != "UNIT_REVIEW" and opening["opening_status"] in ("QUEUED", "DONE")
    assert opened["opening_status"] == "DONE" and draft_appraisals > 0
    assert len(waiting) == 2  # the submission's and the approval's notices
    # Delivered once: the submission tells exactly whom the baseline's told, the approval
    # someone, nobody twice; every outbox row sent (a second flush sent nothing more).
    assert sorted(user for user, _ in submitted) == sorted(user for user, _ in baseline)
    assert approval and len(set(approval)) == len(approval)
    assert len(set(submitted)) == len(submitted)
    assert all(sent for _, sent, _ in outbox)
    assert flushes[1].startswith("Đã gửi 0 việc"), flushes
