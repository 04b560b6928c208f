#!/usr/bin/env bash
# HTTP ingest benchmark: wrk at 32 connections on 127.0.0.1 against
#   1. `leadledger serve` (durable: group commit, WAL, synchronous=FULL), and
#   2. `leadledger-bench ceiling` (the same server and parsing, storing nothing),
# in one run. Prints requests/s, latency percentiles, the ratio, peak RSS of serve, and checks that every 201 is a
# LeadReceived in the log afterwards. Usage: tools/bench/http_ingest.sh [BIN_DIR] (default .build/release).
# Settings: DURATION (s, default 15), CONNECTIONS (32), THREADS (2).
set -euo pipefail
BIN=${1:-.build/release}
DURATION=${DURATION:-15}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d /tmp/leadledger-httpbench.XXXXXX)
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT

command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk; make bench does it)" >&2; exit 2; }

# start NAME CMD... : starts a server, waits for its "listening on" line, sets PORT and PID.
start() {
  local name=$1; shift
  "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" &
  PID=$!
  PIDS+=("$PID")
  for _ in $(seq 1 100); do
    PORT=$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$WORK/$name.out" 2>/dev/null | grep -o '[0-9]*$' || true)
    [ -n "$PORT" ] && return 0
    sleep 0.1
  done
  echo "$name did not start:" >&2; cat "$WORK/$name.err" >&2; exit 3
}

load() { wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$HERE/lead.lua" "http://127.0.0.1:$1" | grep '^RESULT ' | sed 's/^RESULT //'; }
field() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }

# wrk is one client at 127.0.0.1: the per-address rate limit would answer it 429, which measures nothing.
export LEADLEDGER_DB="$WORK/durable.sqlite" LEADLEDGER_HOST=127.0.0.1 LEADLEDGER_PORT=0 LEADLEDGER_RATE_LIMIT_PER_MIN=0 \
  LEADLEDGER_MAX_CONNECTIONS_PER_IP=100000
start serve "$BIN/leadledger" serve
DURABLE=$(load "$PORT")
PEAK_KB=$(awk '/VmHWM/ {print $2}' "/proc/$PID/status")
kill -TERM "$PID"; wait "$PID" || true
RECEIVED=$("$BIN/leadledger" status | python3 -c 'import json,sys; print(json.load(sys.stdin)["received_total"])')
"$BIN/leadledger" verify >/dev/null

start ceiling "$BIN/leadledger-bench" ceiling --db "$WORK/ceiling.sqlite"
CEILING=$(load "$PORT")
kill -TERM "$PID"; wait "$PID" || true

python3 - "$DURABLE" "$CEILING" "$RECEIVED" "$PEAK_KB" "$CONNECTIONS" "$DURATION" <<'PY'
import json, sys
durable, ceiling = json.loads(sys.argv[1]), json.loads(sys.argv[2])
received, peak_kb, connections, duration = int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6]
ratio = durable["rps"] / ceiling["rps"]
print(f"HTTP ingest, wrk {connections} connections, {duration} s each, 127.0.0.1")
print("| server | requests/s | p50 ms | p90 ms | p99 ms | max ms | 201 | other answers | socket errors |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
for name, r in (("serve (durable)", durable), ("ceiling (no storage)", ceiling)):
    others = r["replayed"] + r["refused"] + r["other"]
    print(f"| {name} | {r['rps']:.0f} | {r['p50_ms']:.2f} | {r['p90_ms']:.2f} | {r['p99_ms']:.2f} | {r['max_ms']:.1f} | {r['created']} | {others} | {r['socket_errors']} |")
print(f"durable / ceiling = {ratio:.2f} (goal >= 0.80); durable p99 {durable['p99_ms']:.2f} ms (goal <= 5 ms)")
print(f"peak RSS of serve: {peak_kb / 1024:.1f} MiB (goal <= 100 MiB)")
lost = durable["created"] - received
print(f"acknowledged (201) {durable['created']}, LeadReceived in the log {received}: {'every acknowledged lead is there' if lost <= 0 else f'{lost} MISSING'}")
sys.exit(1 if lost > 0 else 0)
PY
