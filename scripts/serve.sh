#!/usr/bin/env bash
# `make serve`: the production stack on this machine, on loopback. MariaDB (var/db.env,
# started by scripts/services.sh) and Redis, migrations and data patches, the base and
# thanhhoa sets (and the demo set while the database has no official), static files
# collected and compressed (WhiteNoise), then an RQ worker and gunicorn with
# deploy/gunicorn.conf.py on 127.0.0.1:$PORT.
#
# DEBUG is off and static files are hashed as in production; the profile stays
# `development` because there is no TLS on loopback (production turns on HTTPS redirects,
# secure cookies and TOTP for admins: docs/deployment.md). Set DATABASE_URL to serve
# another database than var/db.env's.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PORT=${PORT:-8000}

scripts/services.sh
if [ -z "${DATABASE_URL:-}" ]; then
  set -a
  # shellcheck source=/dev/null
  source var/db.env
  set +a
fi
export DEBUG=0 STATIC_MANIFEST=1 SITE_URL=${SITE_URL:-http://127.0.0.1:$PORT}

$PY manage.py migrate --noinput -v 0
$PY manage.py seed --sets base,thanhhoa
if ! $PY manage.py shell -v 0 -c "from thanhhoa_kpi.organization.models import Official
raise SystemExit(0 if Official.objects.exists() else 1)"; then
  $PY manage.py seed --sets demo
fi
$PY manage.py run_patches
# Collected, hashed and compressed again only when a file changed (that takes minutes;
# remove var/static to force it).
summary=$($PY manage.py collectstatic --noinput --dry-run | tail -n 1)
root=$(sed -n "s/^.* copied to '\(.*\)', .*/\1/p" <<<"$summary")
if [[ $summary == "0 static files copied"* && -n $root && -f $root/staticfiles.json ]]; then
  echo "Tệp tĩnh không đổi."
else
  echo "Thu thập và nén tệp tĩnh (một đến vài phút)…"
  $PY manage.py collectstatic --noinput -v 0
fi
if $PY manage.py shell -v 0 -c "from thanhhoa_kpi.accounts.models import User
raise SystemExit(0 if User.objects.filter(username='demo_official').exists() else 1)"; then
  $PY manage.py demo_logins
fi

mkdir -p var
$PY manage.py rqworker default --with-scheduler --worker-ttl 60 >var/rqworker-serve.log 2>&1 &
WORKER=$!
echo "Bàn làm việc: http://127.0.0.1:$PORT/admin/   API: http://127.0.0.1:$PORT/api/docs/   (gunicorn; Ctrl-C để dừng)"
.venv/bin/gunicorn -c deploy/gunicorn.conf.py --bind "127.0.0.1:$PORT" &
SERVER=$!
# Ctrl-C or a TERM to this script stops both, gracefully (requests and jobs in progress finish).
trap 'kill -TERM "$SERVER" "$WORKER" 2>/dev/null || true' EXIT INT TERM
wait "$SERVER"
