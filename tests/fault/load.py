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
from datetime import date
from typing import Any

import requests

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

    def __init__(self, base_url: str, token: str, item: int, count: int = WRITERS) -> None:
        self.base_url, self.token, self.item, self.count = base_url, token, item, count
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
        session = requests.Session()
        session.headers["Authorization"] = f"Token {self.token}"
        number = 0
        while not self._stop.is_set():
            number += 1
            description = f"fault-{writer}-{number}"
            payload = {"date": str(date.today()), "catalogue_item": self.item, "quantity": "1",
                       "description": description}  # fmt: skip
            try:
                response = session.post(f"{self.base_url}/api/v1/worklogs/", json=payload, timeout=60)
            except requests.RequestException as error:
                self._record(Answer(description, 0, body=repr(error), at=time.monotonic()))
                time.sleep(0.1)
                continue
            body = _json(response)
            line_id = body.get("id") if response.status_code == 201 and isinstance(body, dict) else None
            self._record(Answer(description, response.status_code, line_id, body, dict(response.headers),
                                time.monotonic()))  # fmt: skip
            if response.status_code != 201:
                time.sleep(0.1)  # the server asked to come back later; do not hammer it

    def _record(self, answer: Answer) -> None:
        with self._lock:
            self.answers.append(answer)


def _json(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text[:500]
