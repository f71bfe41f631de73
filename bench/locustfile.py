"""Load test of the paths SPEC 9 sets targets for (run by ``bench/load.sh``, never by CI).

Each simulated user takes one prepared account (``bench/prepare_load.py`` writes their
API tokens, since sign-in is throttled) and loops over: save a work-log line against one
of their assignments (p95 ≤ 300 ms), open their own page (``/api/v1/me/``, their lines
and their live score, p95 ≤ 300 ms), and, for heads, the unit's appraisal list (p95 ≤
800 ms), the unit's lines of the month and the review queue (issue 12: p95 ≤ 800 ms).
Only 127.0.0.1 is ever targeted. The users are locust's ``FastHttpUser`` (geventhttpclient):
locust shares the server's two cores, and ``HttpUser`` (python-requests) spent about 1.1 ms
of CPU per request there, a tenth of the machine at 200 users.

Between two requests a user pauses 0.5–2 s by default (a script's pace: about 0.8
requests a second per user); ``WAIT_MIN`` and ``WAIT_MAX`` (seconds) set another pace,
e.g. 5–15 s for a person reading what they get. The pace is printed with the results.
"""

from __future__ import annotations

import json
import os
import random
from datetime import date

from locust import FastHttpUser, between, task

WAIT = (float(os.environ.get("WAIT_MIN", "0.5")), float(os.environ.get("WAIT_MAX", "2")))
ACCOUNTS = json.loads(open(os.environ.get("BENCH_ACCOUNTS", "var/bench/load.json"), encoding="utf-8").read())


class _Signed(FastHttpUser):
    abstract = True
    wait_time = between(*WAIT)
    kind = ""

    def on_start(self) -> None:
        self.account = random.choice(ACCOUNTS[self.kind])
        self.auth = {"Authorization": f"Token {self.account['token']}"}


class Official(_Signed):
    weight = 9
    kind = "officials"

    @task(3)
    def save_log_line(self) -> None:
        self.client.post(
            "/api/v1/worklogs/",
            json={"date": date.today().isoformat(), "assignment": random.choice(self.account["assignments"]),
                  "quantity": "1", "minutes": 30, "description": "Tải thử"},
            name="save a log line", headers=self.auth,
        )  # fmt: skip

    @task(2)
    def own_page(self) -> None:
        self.client.get("/api/v1/me/", name="own page: me", headers=self.auth)
        self.client.get("/api/v1/worklogs/?mine=1", name="own page: my lines", headers=self.auth)

    @task(1)
    def live_score(self) -> None:
        self.client.get("/api/v1/me/score/", name="own page: live score", headers=self.auth)


class Head(_Signed):
    weight = 1
    kind = "heads"

    @task(2)
    def unit_appraisals(self) -> None:
        self.client.get("/api/v1/appraisals/?page_size=50", name="unit appraisal list", headers=self.auth)

    @task(2)
    def unit_lines(self) -> None:
        self.client.get("/api/v1/worklogs/?page_size=50", name="unit line list", headers=self.auth)

    @task(1)
    def review_queue(self) -> None:
        self.client.get("/api/v1/worklogs/?awaiting_review=1&page_size=50", name="unit review queue", headers=self.auth)
