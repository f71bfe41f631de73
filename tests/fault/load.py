"""A client that records every acknowledged write: 20 writers saving work-log lines.

Each writer posts lines through the API (``POST /api/v1/worklogs/``) with a description
of its own (``fault-<writer>-<n>``), one after the other, until told to stop, and records
every answer: the status, the id of an acknowledged (201) line, the body of any other
answer. A 503 is not retried (the line is given up; a real client would try later), so a
line is sent at most once and no duplicate can come from the client.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

from tests.fault.client import Client

WRITERS = 20


@dataclass
class Answer:
    description: str
    status: int  # 0: no HTTP answer at all (connection refused or reset)
    line_id: int | None = None
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    at: float = 0.0


class Writers:
    """``WRITERS`` threads saving lines as one official until :meth:`stop`."""

    def __init__(self, base_url: str, token: str, item: int, day: str, count: int = WRITERS) -> None:
        self.base_url, self.token, self.item, self.day, self.count = base_url, token, item, day, count
        self.answers: list[Answer] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._write, args=(n,), daemon=True) for n in range(count)]

    def start(self) -> Writers:
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> list[Answer]:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=120)
        return self.answers

    def acknowledged(self, since: float = 0.0) -> int:
        with self._lock:
            return sum(1 for answer in self.answers if answer.status == 201 and answer.at >= since)

    def refused(self) -> int:
        with self._lock:
            return sum(1 for answer in self.answers if answer.status == 503)

    def _write(self, writer: int) -> None:
        client = Client(self.base_url, self.token)
        number = 0
        while not self._stop.is_set():
            number += 1
            description = f"fault-{writer}-{number}"
            payload = {"date": self.day, "catalogue_item": self.item, "quantity": "1",
                       "description": description}  # fmt: skip
            try:
                response = client.request("POST", "/api/v1/worklogs/", json_body=payload)
            except OSError as error:  # refused, reset, timed out: no HTTP answer at all
                self._record(Answer(description, 0, body=repr(error), at=time.monotonic()))
                time.sleep(0.1)
                continue
            body = response.body
            line_id = body.get("id") if response.status == 201 and isinstance(body, dict) else None
            self._record(Answer(description, response.status, line_id, body, response.headers, time.monotonic()))
            if response.status != 201:
                time.sleep(0.1)  # the server asked to come back later; do not hammer it

    def _record(self, answer: Answer) -> None:
        with self._lock:
            self.answers.append(answer)
