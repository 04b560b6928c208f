#!/bin/sh
# Screenshots of the dashboard (`GET /` on `leadledger serve`) at phone and desktop width, for docs/.
#   tools/dashboard_screenshot.sh BIN_DIR DB OUT_DIR
# BIN_DIR holds the built `leadledger`; DB is a log to serve (make screenshot seeds one); the PNGs land in OUT_DIR as
# dashboard-phone.png (390×1600) and dashboard-desktop.png (1280×1000). Needs `chromium` (make screenshot installs it).
# The server runs on a free port with an admin token (so the requeue buttons show) and is stopped by its own pid.
set -eu
BIN_DIR=$1
DB=$2
OUT_DIR=$3
WORK=$(mktemp -d)
SERVE_PID=
cleanup() {
    if [ -n "$SERVE_PID" ]; then kill "$SERVE_PID" 2>/dev/null || true; wait "$SERVE_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

LEADLEDGER_DB=$DB LEADLEDGER_HOST=127.0.0.1 LEADLEDGER_PORT=0 LEADLEDGER_ADMIN_TOKEN=screenshot-admin-token-0123456789 \
    "$BIN_DIR/leadledger" serve >"$WORK/serve.out" 2>"$WORK/serve.err" &
SERVE_PID=$!
PORT=
for _ in $(seq 1 200); do
    PORT=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$WORK/serve.out" | head -n 1)
    [ -n "$PORT" ] && break
    sleep 0.05
done
[ -n "$PORT" ] || { echo "serve did not start:"; cat "$WORK/serve.err"; exit 1; }
URL="http://127.0.0.1:$PORT/"
# The projector folds the log in the background; wait until no projection lags behind.
for _ in $(seq 1 600); do
    if curl -fsS "${URL}api/health/detailed" | python3 -c 'import json,sys; d=json.load(sys.stdin); sys.exit(0 if all(p["lag"]==0 for p in d["projections"]) else 1)' 2>/dev/null; then
        break
    fi
    sleep 0.1
done
mkdir -p "$OUT_DIR"
shoot() {
    chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --force-device-scale-factor=1 \
        --screenshot="$1" --window-size="$2" "$URL" >/dev/null 2>&1
    echo "wrote $1 ($2)"
}
shoot "$OUT_DIR/dashboard-phone.png" 390,1600
shoot "$OUT_DIR/dashboard-desktop.png" 1280,1000
