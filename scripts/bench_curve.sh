#!/usr/bin/env bash
# The load curve (issue 12, item 3): bench/load.sh on gunicorn at 50, 100, 200 and 400
# users, 60 s each, on the 15,000-official bench database (generated on the first run);
# each step's table is appended, dated, to the results file given ($1).
set -euo pipefail
cd "$(dirname "$0")/.."
RESULTS=${1:-bench/RESULTS.md}
mkdir -p var/bench
FRESH=1 USERS=1 DURATION=5s bench/load.sh > /dev/null  # prepare the data once
{
  echo
  echo "### $(date '+%Y-%m-%d %H:%M %Z'): the load curve (\`scripts/bench_curve.sh\`, gunicorn, 60 s per step)"
  echo
  echo '```'
} >> "$RESULTS"
for users in ${CURVE_USERS:-50 100 200 400}; do
  USERS=$users DURATION=60s bench/load.sh | tee -a "$RESULTS"
done
echo '```' >> "$RESULTS"
