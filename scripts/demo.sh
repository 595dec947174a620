#!/usr/bin/env bash
# make demo: start the sandbox on a free port with seeded data (one 5x day, 45 days ago), show the last 30
# days by day as a table and a chart, then budgets, a comparison and anomalies; stop
# the sandbox on any exit (Ctrl-C too).
set -euo pipefail
cd "$(dirname "$0")/.."
bin="$PWD/.venv/bin"
log="$(mktemp)"
"$bin/anchor-history" sandbox --port 0 --seed 7 --sessions 60000 --days 120 --spike 45d:5 >"$log" 2>&1 &
pid=$!
cleanup() { rc=$?; kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -f "$log"; exit "$rc"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
for _ in $(seq 1 300); do
  grep -q "sandbox ready" "$log" && break
  kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; exit 1; }
  sleep 0.1
done
line="$(grep "sandbox ready" "$log")" || { echo "the sandbox did not start" >&2; cat "$log" >&2; exit 1; }
export ANCHORBROWSER_BASE_URL="$(sed -n 's/.*ANCHORBROWSER_BASE_URL=\([^ ]*\).*/\1/p' <<<"$line")"
export ANCHORBROWSER_API_KEY="$(sed -n 's/.*ANCHORBROWSER_API_KEY=\([^ ]*\).*/\1/p' <<<"$line")"
echo "sandbox at $ANCHORBROWSER_BASE_URL (seeded data); running:"
echo "  anchor-history --from 30d --granularity day --metrics session_count,credits_used,session_hours --format table --chart"
echo
"$bin/anchor-history" --from 30d --granularity day \
  --metrics session_count,credits_used,session_hours --format table --chart

# Budgets, comparisons, anomalies and who spent it: exit 1 means "a budget is at risk" (or "anomalies
# found"): a result to show here, not a failure of the demo.
shown() { echo; echo "\$ anchor-history $*"; "$bin/anchor-history" "$@" || [ $? -eq 1 ]; }
shown check --budget credits_used=30000 --budget session_count=15000
shown compare --period week --metrics session_count,credits_used
shown anomalies --from 90d --metrics session_count
shown breakdown --by tag:team --from 30d -m session_count,credits_used -f table
