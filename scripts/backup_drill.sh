#!/usr/bin/env bash
# Restore drill under load (issue 13, item 4; docs/operations.md "Backups and restore").
#
# Starts a dedicated MariaDB with the binary log on (its own data directory and port; the machine's
# own MariaDB is never touched), runs WRITERS clients each committing TRANSACTIONS two-table
# transactions, takes `manage.py backup` in the middle of the load, then:
#   1. restores the archive into a second database: the snapshot is consistent (sum of the lines'
#      quantities = sum of the documents' totals);
#   2. replays the binary log from the position recorded in the manifest onto the restored database:
#      every table's CHECKSUM TABLE equals the live database's (nothing lost, nothing applied twice).
# Exit 0 when both hold. Usage: scripts/backup_drill.sh   (DRILL_PORT=3399 WRITERS=8 TRANSACTIONS=6000)
set -euo pipefail

cd "$(dirname "$0")/.."
PORT=${DRILL_PORT:-3399}
WRITERS=${WRITERS:-8}
TRANSACTIONS=${TRANSACTIONS:-6000}
WORK=$(mktemp -d /tmp/kpi-drill.XXXXXX)
SQL=(mariadb --no-defaults -h127.0.0.1 -P"$PORT" -uroot)
export DATABASE_URL="mysql://root@127.0.0.1:$PORT/kpi_drill" MEDIA_ROOT="$WORK/media"

stop() {
    if [[ -f $WORK/pid ]]; then kill "$(cat "$WORK/pid")" 2>/dev/null || true; sleep 2; fi
    rm -rf "$WORK"
}
trap stop EXIT

mariadb-install-db --no-defaults --datadir="$WORK/data" --user="$(id -un)" \
    --auth-root-authentication-method=normal >"$WORK/install.log" 2>&1
mariadbd --no-defaults --user="$(id -un)" --datadir="$WORK/data" --port="$PORT" --bind-address=127.0.0.1 \
    --socket="$WORK/sock" --pid-file="$WORK/pid" --log-bin="$WORK/data/drill-bin" --server-id=1 \
    --binlog-format=ROW >"$WORK/server.log" 2>&1 &
for _ in $(seq 1 30); do "${SQL[@]}" -e "SELECT 1" >/dev/null 2>&1 && break; sleep 1; done

"${SQL[@]}" -e "CREATE DATABASE kpi_drill CHARACTER SET utf8mb4;
  CREATE TABLE kpi_drill.doc (id INT AUTO_INCREMENT PRIMARY KEY, total INT NOT NULL DEFAULT 0) ENGINE=InnoDB;
  CREATE TABLE kpi_drill.line (id INT AUTO_INCREMENT PRIMARY KEY, doc_id INT NOT NULL, q INT NOT NULL,
    FOREIGN KEY (doc_id) REFERENCES kpi_drill.doc (id)) ENGINE=InnoDB;
  INSERT INTO kpi_drill.doc (total) VALUES (0), (0), (0), (0), (0);"

writer() {
    for _ in $(seq 1 "$TRANSACTIONS"); do
        d=$((RANDOM % 5 + 1)) q=$((RANDOM % 9 + 1))
        echo "START TRANSACTION; UPDATE doc SET total = total + $q WHERE id = $d;"
        echo "INSERT INTO line (doc_id, q) VALUES ($d, $q); COMMIT;"
    done | "${SQL[@]}" --force kpi_drill 2>>"$WORK/writers.err"
}
pids=()
for _ in $(seq 1 "$WRITERS"); do
    writer &
    pids+=($!)
done
sleep 2
before=$("${SQL[@]}" -N -e "SELECT COUNT(*) FROM kpi_drill.line")
archive=$(.venv/bin/python manage.py backup --output "$WORK/backups")
after=$("${SQL[@]}" -N -e "SELECT COUNT(*) FROM kpi_drill.line")
wait "${pids[@]}"
echo "lines committed: $before when the backup started, $after when it ended"

.venv/bin/python manage.py restore "$archive" --database kpi_drill_restored
read -r lines sum < <("${SQL[@]}" -N -e "SELECT COUNT(*), SUM(q) FROM kpi_drill_restored.line")
totals=$("${SQL[@]}" -N -e "SELECT SUM(total) FROM kpi_drill_restored.doc")
echo "snapshot: $lines lines, quantities $sum, documents' totals $totals"
[[ $sum == "$totals" ]] || { echo "FAIL: the snapshot is not consistent"; exit 1; }

read -r file position < <(tar -xzOf "$archive" manifest.json |
    .venv/bin/python -c "import json, sys; b = json.load(sys.stdin)['binlog']; print(b['file'], b['position'])")
binlogs=$(sed -n "/$file/,\$p" "$WORK/data/drill-bin.index" | sed "s|^\./|$WORK/data/|")
# shellcheck disable=SC2086
mariadb-binlog --no-defaults --database=kpi_drill --rewrite-db='kpi_drill->kpi_drill_restored' \
    --start-position="$position" $binlogs | "${SQL[@]}"

end=$("${SQL[@]}" -N -e "SELECT COUNT(*) FROM kpi_drill.line")
echo "lines at the end: $end"
((lines > before && lines < end)) || { echo "FAIL: the snapshot was not taken under load (raise TRANSACTIONS)"; exit 1; }
live=$("${SQL[@]}" -N -e "CHECKSUM TABLE kpi_drill.doc, kpi_drill.line" | awk '{print $2}' | tr '\n' ' ')
replayed=$("${SQL[@]}" -N -e "CHECKSUM TABLE kpi_drill_restored.doc, kpi_drill_restored.line" | awk '{print $2}' | tr '\n' ' ')
echo "CHECKSUM TABLE doc, line — live: $live; restored + binlog from $file:$position: $replayed"
[[ $live == "$replayed" ]] || { echo "FAIL: checksums differ"; exit 1; }
echo "OK: the backup taken under load restores consistently and the binlog replay matches the live database"
