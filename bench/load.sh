#!/usr/bin/env bash
# Load test on loopback (SPEC 9): runserver on bench_kpi with DEBUG off, locust headless,
# 50 users, spawn rate 10, 60 s. Stops by itself and stops the server it started.
# Usage: set -a; source var/db.env; set +a; bench/load.sh   (after bench/score_province.py)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PORT=${BENCH_PORT:-8765}
OUT=var/bench
mkdir -p "$OUT"
DATABASE_URL=$($PY -c 'import sys; sys.path.insert(0, "bench"); from score_province import bench_url; print(bench_url())')
export DATABASE_URL DEBUG=0 ALLOWED_HOSTS=127.0.0.1
$PY bench/prepare_load.py --out "$OUT/load.json"
$PY manage.py runserver --noreload "127.0.0.1:$PORT" >"$OUT/server.log" 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do
  curl -s -o /dev/null "http://127.0.0.1:$PORT/api/v1/me/" && break
  sleep 0.2
done
BENCH_ACCOUNTS="$OUT/load.json" timeout 120 .venv/bin/locust -f bench/locustfile.py --headless \
  --host "http://127.0.0.1:$PORT" -u 50 -r 10 -t 60s --only-summary --csv "$OUT/load" \
  2>&1 | tee "$OUT/locust.log" || true
$PY - "$OUT/load_stats.csv" <<'PY'
import csv, sys
targets = {"save a log line": 300, "own page": 300, "unit appraisal list": 800}
print(f"{'endpoint':<28}{'requests':>9}{'fails':>7}{'p50 ms':>8}{'p95 ms':>8}  target")
for row in csv.DictReader(open(sys.argv[1], encoding="utf-8")):
    limit = next((v for k, v in targets.items() if row["Name"].startswith(k)), None)
    verdict = "" if limit is None else f"≤ {limit} ms {'OK' if float(row['95%']) <= limit else 'MISSED'}"
    print(f"{row['Name']:<28}{row['Request Count']:>9}{row['Failure Count']:>7}{row['50%']:>8}{row['95%']:>8}  {verdict}")
PY
