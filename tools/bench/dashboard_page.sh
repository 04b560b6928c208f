#!/usr/bin/env bash
# Dashboard benchmark: the size and render time of `GET /` over a large log.
#   tools/bench/dashboard_page.sh [BIN_DIR] (default .build/release)
# Seeds LEADS generated leads (default 50000, spread over the last 23 hours, every outcome: dead letters, alerts,
# spam) with `leadledger-bench seed`, starts `leadledger serve` on it with an admin token (so the requeue buttons are
# on the page), waits until every projection is at the head, then GETs / REQUESTS times (default 50) one after the
# other with curl and prints the page size and the median / p90 / max time to the last byte.
set -euo pipefail
BIN=${1:-.build/release}
LEADS=${LEADS:-50000}
REQUESTS=${REQUESTS:-50}
WORK=$(mktemp -d /tmp/leadledger-dashbench.XXXXXX)
PID=
cleanup() { if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi; rm -rf "$WORK"; }
trap cleanup EXIT

DB="$WORK/ledger.sqlite"
"$BIN/leadledger-bench" seed --db "$DB" --leads "$LEADS" --span-hours 23
LEADLEDGER_DB=$DB LEADLEDGER_HOST=127.0.0.1 LEADLEDGER_PORT=0 LEADLEDGER_ADMIN_TOKEN=bench-admin-token-0123456789 \
  "$BIN/leadledger" serve >"$WORK/serve.out" 2>"$WORK/serve.err" &
PID=$!
PORT=
for _ in $(seq 1 100); do
  PORT=$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$WORK/serve.out" 2>/dev/null | grep -o '[0-9]*$' || true)
  [ -n "$PORT" ] && break
  sleep 0.1
done
[ -n "$PORT" ] || { echo "serve did not start:" >&2; cat "$WORK/serve.err" >&2; exit 3; }
URL="http://127.0.0.1:$PORT/"
started=$(date +%s.%N)
until curl -fsS "${URL}api/health/detailed" | python3 -c 'import json,sys; d=json.load(sys.stdin); sys.exit(0 if all(p["lag"]==0 for p in d["projections"]) else 1)'; do
  sleep 0.2
done
echo "projections caught up in $(python3 -c "print(round($(date +%s.%N) - $started, 1))") s"
curl -fsS "$URL" >/dev/null  # warm-up
for _ in $(seq 1 "$REQUESTS"); do
  curl -fsS -o /dev/null -w '%{time_total} %{size_download}\n' "$URL"
done >"$WORK/times"
python3 - "$WORK/times" "$LEADS" <<'PY'
import sys
rows = [line.split() for line in open(sys.argv[1])]
times = sorted(float(t) * 1000 for t, _ in rows)
sizes = {int(s) for _, s in rows}
def pct(p): return times[min(len(times) - 1, max(0, round(p * len(times)) - 1))]
print(f"leads {int(sys.argv[2]):,}: page {max(sizes):,} bytes; GET / over {len(times)} requests: "
      f"median {pct(0.5):.1f} ms, p90 {pct(0.9):.1f} ms, max {times[-1]:.1f} ms")
PY
