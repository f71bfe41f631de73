"""The writers of the Galera fault test (tests/fault/test_galera.py), run as a child process.

``python -m tests.fault.galera_load DIR`` (with ``DATABASE_URL`` pointing at HAProxy) builds
the shared cast (tests/factories) in that database, writes ``DIR/ready``, then runs
:data:`WRITERS` threads until ``DIR/stop`` appears. Each thread, over and over, saves a
work-log line through the real service (``worklog_create``, as the official or a
colleague) with a description unique to the thread and the step, then has the unit head
review it (``worklog_review``) with that key as the comment. Between two calls the thread
does what Django does between two requests (``close_old_connections``), so a connection
that HAProxy closed is replaced.

A write is *acknowledged* when the service returned: only those are recorded as written.
Every exception is recorded with the time, the call and the MariaDB error code. ``DIR/progress``
holds the count of acknowledged writes (for the test to time its faults); at the end
``DIR/result.json`` holds everything, and the retries :mod:`thanhhoa_kpi.core.retry` made.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thanhhoa_kpi.settings")

WRITERS = 20
#: The child stops by itself after this long even if the test never asks (a hung test).
LIMIT_SECONDS = 240


class Recorder:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.lock = threading.Lock()
        self.lines: list[list[Any]] = []  # [key, line id, time]
        self.reviews: list[list[Any]] = []
        self.errors: list[dict[str, Any]] = []
        self.retries = 0

    def acked(self, kind: str, key: str, pk: int) -> None:
        with self.lock:
            (self.lines if kind == "line" else self.reviews).append([key, pk, time.time()])
            count = len(self.lines) + len(self.reviews)
        if count % 10 == 0:
            progress = self.folder / "progress.tmp"
            progress.write_text(str(count))
            progress.replace(self.folder / "progress")

    def failed(self, kind: str, key: str, error: BaseException) -> None:
        args = getattr(error, "args", ())
        code = args[0] if args and isinstance(args[0], int) else None
        with self.lock:
            self.errors.append({"call": kind, "key": key, "time": time.time(), "type": type(error).__name__,
                                "code": code, "message": str(error)[:200]})  # fmt: skip


class RetryCounter(logging.Handler):
    def __init__(self, recorder: Recorder) -> None:
        super().__init__(logging.WARNING)
        self.recorder = recorder

    def emit(self, record: logging.LogRecord) -> None:
        with self.recorder.lock:
            self.recorder.retries += 1


def prepare() -> dict[str, Any]:
    from tests.factories.cast import build_cast
    from tests.factories.worklogs import work_cast

    cast = build_cast()
    work = work_cast(cast)
    return {"writers": [cast.official, cast.colleague], "reviewer": cast.head, "item": work.culture}


def writer(number: int, world: dict[str, Any], recorder: Recorder, stop: threading.Event) -> None:
    from django.db import close_old_connections, connection
    from django.utils import timezone

    from thanhhoa_kpi.worklogs import services

    user = world["writers"][number % 2]
    step = 0
    try:
        while not stop.is_set():
            step += 1
            key = f"galera-{number:02d}-{step:05d}"
            try:
                line = services.worklog_create(user=user, catalogue_item=world["item"], quantity=Decimal(1),
                                               minutes=1, date=timezone.localdate(), description=key)  # fmt: skip
            except Exception as error:  # every failure is counted, none hidden
                recorder.failed("save", key, error)
                close_old_connections()
                continue
            recorder.acked("line", key, line.pk)
            close_old_connections()
            try:
                services.worklog_review(line=line, reviewer=world["reviewer"], comment=key)
            except Exception as error:
                recorder.failed("review", key, error)
            else:
                recorder.acked("review", key, line.pk)
            close_old_connections()
    finally:
        connection.close()


def main(folder: Path) -> None:
    import django

    django.setup()
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    world = prepare()
    recorder = Recorder(folder)
    logging.getLogger("thanhhoa_kpi.core.retry").addHandler(RetryCounter(recorder))
    stop = threading.Event()
    threads = [threading.Thread(target=writer, args=(n, world, recorder, stop)) for n in range(WRITERS)]
    (folder / "ready").write_text("1")
    started = time.monotonic()
    for thread in threads:
        thread.start()
    while not (folder / "stop").exists() and time.monotonic() - started < LIMIT_SECONDS:
        time.sleep(0.1)
    stop.set()
    for thread in threads:
        thread.join()
    result = {"lines": recorder.lines, "reviews": recorder.reviews, "errors": recorder.errors,
              "retries": recorder.retries}  # fmt: skip
    (folder / "result.json").write_text(json.dumps(result))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
