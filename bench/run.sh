#!/usr/bin/env bash
# The benchmark, in one run: bash bench/run.sh (about 10 minutes on 2 cores).
#
# Builds the data (two shops of 5,000 and 50,000 parcels of history, on SQLite and on a throw-away
# PostgreSQL; networks of 10,000 and 1,000,000 parcels for the lookups and the search), measures the app
# against the bare anchor (bench/anchor.py) in interleaved rounds with gunicorn -w 2 in the production
# configuration (bench/load.py), then the lookups (bench/lookups.py), the browser (bench/browser.py) and the
# offline replay (bench/replay_queue.py), and prints goal | anchor | app | ratio | met (bench/report.py).
# The data lives in memory (/dev/shm) when it can, so the disk's flushes measure neither side; PostgreSQL
# runs without fsync for the same reason.
set -euo pipefail
started=$(date +%s)
source "$(dirname "$0")/../scripts/setup.sh"   # at the repository root, the venv on PATH, catalogues compiled
source scripts/postgres.sh
export DEBIAN_FRONTEND=noninteractive SECRET_KEY=bench-only-secret LOG_LEVEL=WARNING

if ! command -v wrk >/dev/null 2>&1; then
  if can_apt; then echo "==> Installing Debian's wrk (the load tool)"; apt_install wrk; fi
fi
command -v wrk >/dev/null 2>&1 || { echo "wrk is needed (apt-get install wrk)"; exit 1; }

parent=/dev/shm
[ -w "$parent" ] || parent="${TMPDIR:-/tmp}"
BENCH_DIR=$(mktemp -d "$parent/comptoir-bench.XXXXXX")
export BENCH_DIR
cleanup() { stop_postgres; rm -rf "$BENCH_DIR"; }
trap cleanup EXIT
SHELF=24000   # parcels on each benchmark shop's shelf: more than the fastest side hands over in a measurement
build() {     # bench/data.py KIND URL A B, its output kept and shown only when it fails
  python bench/data.py "$@" >>"$BENCH_DIR/data.log" 2>&1 || { tail -n 30 "$BENCH_DIR/data.log"; exit 1; }
}

echo "==> Data: shops of 5,000 and 50,000 parcels of history; networks of 10,000 and 1,000,000 parcels"
build shop "sqlite:///$BENCH_DIR/shop5k.db" 5000 $SHELF
build shop "sqlite:///$BENCH_DIR/shop50k.db" 50000 $SHELF
build network "sqlite:///$BENCH_DIR/net10k.db" 100 10000
build network "sqlite:///$BENCH_DIR/net1m.db" 10000 1000000
templates="{\"sqlite 5k\": \"sqlite:///$BENCH_DIR/shop5k.db\", \"sqlite 50k\": \"sqlite:///$BENCH_DIR/shop50k.db\""
if start_postgres; then
  pg="postgresql+psycopg://postgres@127.0.0.1:$PG_PORT"
  for size in 5k 50k; do
    as_pg "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres "banc$size"
  done
  build shop "$pg/banc5k" 5000 $SHELF
  build shop "$pg/banc50k" 50000 $SHELF
  templates="$templates, \"postgresql 5k\": \"$pg/banc5k\", \"postgresql 50k\": \"$pg/banc50k\""
fi
templates="$templates}"
echo "==> Data ready after $(( $(date +%s) - started )) s"

echo "==> Scans and home screen, app against anchor, interleaved"
python bench/load.py "$templates"
echo "==> Pickup-code lookups and back-office search"
python bench/lookups.py "{\"network 10k\": \"sqlite:///$BENCH_DIR/net10k.db\", \"network 1M\": \"sqlite:///$BENCH_DIR/net1m.db\", \"shop 50k\": \"sqlite:///$BENCH_DIR/shop50k.db\"}" \
  2>/dev/null | tail -n 1 > "$BENCH_DIR/lookups.json"
echo "==> In Chromium: first visit, scan to confirmation painted"
(cd bench && python browser.py) 2>/dev/null | tail -n 1 > "$BENCH_DIR/browser.json"
echo "==> In Chromium: 1,000 scans queued offline, then replayed"
(cd bench && python replay_queue.py --scans 1000) 2>/dev/null | tee "$BENCH_DIR/replay.txt"

echo
echo "Measured on $(date -u +%Y-%m-%d), $(nproc) cores, $(python -c 'import platform; print(platform.processor() or platform.machine())'), load average $(cut -d' ' -f1-3 /proc/loadavg):"
python bench/report.py "$BENCH_DIR"
echo "==> Benchmark done in $(( $(date +%s) - started )) s"
