#!/usr/bin/env bash
# Load test on loopback (SPEC 9, issue 12): the production server of `make serve` (gunicorn
# with deploy/gunicorn.conf.py, DEBUG off, an RQ worker) on a bench database with the month's
# appraisals opened; locust headless. Stops by itself and stops what it started.
#
# Usage: set -a; source var/db.env; set +a
#        FRESH=1 OFFICIALS=15000 bench/load.sh     # first time: generate the data (a few minutes)
#        bench/load.sh                             # 50 users, spawn rate 10, 60 s
#        USERS=100 DURATION=60s BENCH_SERVER=runserver bench/load.sh
#        USERS=400 SPAWN_RATE=50 bench/load.sh    # users started per second (10 by default)
#        WAIT_MIN=5 WAIT_MAX=15 bench/load.sh      # each user's pause between requests (0.5–2 s by default)
#        RESET_STATS=1 DURATION=120s bench/load.sh # figures of the steady state only (reset once all users run)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PORT=${BENCH_PORT:-8765}
USERS=${USERS:-50}
# At 10 a second, 400 users take 40 s of a 60 s run to start: the curve uses a faster ramp.
SPAWN_RATE=${SPAWN_RATE:-10}
DURATION=${DURATION:-60s}
SERVER=${BENCH_SERVER:-gunicorn}
OUT=var/bench
mkdir -p "$OUT"
# The bench database on the server of DATABASE_URL, never the dev or test ones; a Redis
# database of its own, so no other worker on this machine takes its jobs.
DATABASE_URL=$($PY -c 'import os, sys; from urllib.parse import urlsplit, urlunsplit
parts = urlsplit(os.environ["DATABASE_URL"]); print(urlunsplit(parts._replace(path="/" + sys.argv[1])))' \
  "${BENCH_DB:-bench_load}")
export DATABASE_URL DEBUG=0 ALLOWED_HOSTS=127.0.0.1 REDIS_URL=redis://127.0.0.1:6379/14 CACHE_PREFIX=bench-load
# gunicorn shares the cores with MariaDB and locust here: the shared-host setting of
# docs/deployment.md (3 workers on 2 cores). GUNICORN_WORKERS=5 measures the web-host default.
export GUNICORN_WORKERS=${GUNICORN_WORKERS:-3}
$PY bench/prepare_load.py ${FRESH:+--fresh --officials "${OFFICIALS:-15000}"} --out "$OUT/load.json"

$PY manage.py rqworker default >"$OUT/worker.log" 2>&1 &
WORKER=$!
if [ "$SERVER" = gunicorn ]; then
  .venv/bin/gunicorn -c deploy/gunicorn.conf.py --bind "127.0.0.1:$PORT" >"$OUT/server-$SERVER.log" 2>&1 &
else
  $PY manage.py runserver --noreload "127.0.0.1:$PORT" >"$OUT/server-$SERVER.log" 2>&1 &
fi
SERVER_PID=$!
trap 'kill "$SERVER_PID" "$WORKER" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  curl -s -o /dev/null "http://127.0.0.1:$PORT/api/v1/me/" && break
  sleep 0.2
done
echo "== $SERVER${GUNICORN_WORKERS:+ ($GUNICORN_WORKERS workers)}, $USERS users (spawn rate $SPAWN_RATE/s, pause ${WAIT_MIN:-0.5}–${WAIT_MAX:-2} s${RESET_STATS:+, figures reset once all users run}), $DURATION, $(grep -c processor /proc/cpuinfo) cores, $(date -Is)," \
  "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
# RESET_STATS=1: locust's figures start again once every user is running (the steady
# state, without the ramp's first requests on workers that are still cold).
# Who uses the CPU while locust runs (bench/cpu_share.py; gunicorn only, it counts the access log).
if [ "$SERVER" = gunicorn ]; then
  $PY bench/cpu_share.py --access-log "$OUT/server-gunicorn.log" >"$OUT/cpu.txt" 2>&1 &
  SAMPLER=$!
fi
BENCH_ACCOUNTS="$OUT/load.json" timeout 400 .venv/bin/locust -f bench/locustfile.py --headless \
  --host "http://127.0.0.1:$PORT" -u "$USERS" -r "$SPAWN_RATE" -t "$DURATION" --only-summary --csv "$OUT/load" \
  ${RESET_STATS:+--reset-stats} \
  2>&1 | tee "$OUT/locust.log" >/dev/null || true
if [ -n "${SAMPLER:-}" ]; then kill -TERM "$SAMPLER"; wait "$SAMPLER" || true; fi
echo "load average after (1, 5, 15 min; other processes of the machine included): $(cut -d' ' -f1-3 /proc/loadavg)"
$PY - "$OUT/load_stats.csv" <<'PY'
import csv, sys
targets = {"save a log line": 300, "own page": 300, "unit appraisal list": 800, "unit line list": 800,
           "unit review queue": 800}
print(f"{'endpoint':<28}{'requests':>9}{'fails':>7}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}  target")
for row in csv.DictReader(open(sys.argv[1], encoding="utf-8")):
    limit = next((v for k, v in targets.items() if row["Name"].startswith(k)), None)
    verdict = "" if limit is None else f"≤ {limit} ms {'OK' if float(row['95%']) <= limit else 'MISSED'}"
    print(f"{row['Name']:<28}{row['Request Count']:>9}{row['Failure Count']:>7}{row['50%']:>8}{row['95%']:>8}"
          f"{row['99%']:>8}  {verdict}")
PY
if [ "$SERVER" = gunicorn ]; then
  # Time inside the app (gunicorn's access log, %(M)s): without the wait for a free worker
  # and without locust's own delays on a busy machine.
  $PY - "$OUT/server-gunicorn.log" <<'PY'
import re, sys
from collections import defaultdict
times = defaultdict(list)
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    found = re.search(r'"(GET|POST) (\S+) HTTP/[\d.]+" \d+ \S+ (\d+)ms', line)
    if found:
        path = re.sub(r"/\d+/", "/{id}/", found.group(2).split("?")[0])
        times[f"{found.group(1)} {path}"].append(int(found.group(3)))
print(f"{'in the app (access log)':<36}{'requests':>9}{'p50 ms':>8}{'p95 ms':>8}")
for name, values in sorted(times.items()):
    values.sort()
    print(f"{name:<36}{len(values):>9}{values[len(values) // 2]:>8}{values[max(0, -(-len(values) * 95 // 100) - 1)]:>8}")
PY
fi
if [ -n "${SAMPLER:-}" ]; then cat "$OUT/cpu.txt"; fi
