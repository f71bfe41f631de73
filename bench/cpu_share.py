"""Who used the CPU during a load run: gunicorn, MariaDB, locust, the RQ worker, the rest.

``bench/load.sh`` starts this beside locust and stops it (SIGTERM) when locust ends; it then
prints each component's CPU seconds, its share of the machine and its milliseconds of CPU
per request served (counted in gunicorn's access log over the same seconds). The knee of the load curve
is where the machine's CPU runs out, so this says which part to make cheaper.

It reads ``/proc/<pid>/stat`` (user + system time) once a second for every process and keeps
the last value seen of each, so a gunicorn worker recycled during the run still counts.

Usage (by load.sh)::

    .venv/bin/python bench/cpu_share.py --access-log var/bench/server-gunicorn.log &
    ...; kill -TERM $!; wait $!
"""

from __future__ import annotations

import argparse
import os
import signal
import time
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")
COMPONENTS = (
    ("gunicorn (the app)", ("gunicorn",)),
    ("MariaDB", ("mariadbd", "mysqld")),
    ("locust (the clients)", ("locust",)),
    ("RQ worker", ("rqworker",)),
    ("Redis", ("redis-server",)),
)


def _snapshot() -> dict[int, tuple[str, float]]:
    """pid -> (component, CPU seconds so far) for every process readable now."""
    seen: dict[int, tuple[str, float]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
            cmdline = Path(entry.path, "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        seconds = (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime
        component = next((name for name, marks in COMPONENTS if any(m in cmdline for m in marks)), "other")
        seen[int(entry.name)] = (component, seconds)
    return seen


def _served(access_log: str) -> int:
    """Requests in gunicorn's access log so far (its lines that end with the time taken)."""
    try:
        with open(access_log, encoding="utf-8", errors="replace") as lines:
            return sum(1 for line in lines if " HTTP/" in line)
    except OSError:
        return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--access-log", required=True, help="gunicorn's access log, for the request count")
    args = parser.parse_args()
    stopped = []
    signal.signal(signal.SIGTERM, lambda *_: stopped.append(True))
    first = _snapshot()
    served_before = _served(args.access_log)
    started = time.monotonic()
    last = dict(first)
    while not stopped:
        time.sleep(1)
        last.update(_snapshot())
    elapsed = time.monotonic() - started
    used: dict[str, float] = {}
    for pid, (component, seconds) in last.items():
        before = first.get(pid, (component, 0.0))[1]
        used[component] = used.get(component, 0.0) + seconds - before
    requests = _served(args.access_log) - served_before
    capacity = elapsed * (len(os.sched_getaffinity(0)))
    print(f"CPU during the run ({elapsed:.0f} s, {len(os.sched_getaffinity(0))} cores, {requests} requests):")
    print(f"{'component':<24}{'CPU s':>8}{'share':>8}{'ms/request':>12}")
    for name in [n for n, _ in COMPONENTS] + ["other"]:
        seconds = used.get(name, 0.0)
        per = f"{1000 * seconds / requests:.1f}" if requests else "-"
        print(f"{name:<24}{seconds:>8.1f}{100 * seconds / capacity:>7.0f}%{per:>12}")
    total = sum(used.values())
    print(f"{'all':<24}{total:>8.1f}{100 * total / capacity:>7.0f}%"
          f"{(f'{1000 * total / requests:.1f}' if requests else '-'):>12}")  # fmt: skip


if __name__ == "__main__":
    main()
