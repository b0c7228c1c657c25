#!/usr/bin/env bash
# The one test command: bash scripts/test.sh
#
# Installs what the tests need (a virtual environment with the Python packages, compiled catalogues,
# Debian's chromium when /usr/bin/chromium is missing, Debian's redis-server), runs the unit, operation and web
# tests (in parallel) and the end-to-end tests, with a Redis server it starts itself (the background work on
# RQ, the limits several app processes share), then runs the database tests once more against a PostgreSQL
# server it starts itself. Exits non-zero when any test fails.
#
# The whole run happens at one instant of the test clock: COMPTOIR_TEST_START when it is set, else one
# drawn at random and printed first, so that a failure can be run again at the same instant.
set -euo pipefail
started=$(date +%s)
source "$(dirname "$0")/setup.sh"   # leaves us at the repository root, with the venv on PATH
source scripts/postgres.sh          # apt_install, start_postgres (and its clean-up on exit)
export DEBIAN_FRONTEND=noninteractive
COMPTOIR_TEST_START=$(python -m tests.instants)
export COMPTOIR_TEST_START
echo "==> COMPTOIR_TEST_START=$COMPTOIR_TEST_START  (set it to run these tests again at this instant)"
# Unit and web tests run on every core; the end-to-end tests share one Chromium in one process.
WORKERS="${COMPTOIR_TEST_WORKERS:-auto}"

ensure_chromium() {
  if [ -x /usr/bin/chromium ]; then
    return
  fi
  if can_apt; then
    echo "==> Installing Debian's chromium for the end-to-end tests"
    apt_install chromium || echo "==> Could not install chromium: relying on Playwright's own browser"
  else
    echo "==> /usr/bin/chromium is missing and apt-get is not usable: relying on Playwright's own browser"
  fi
}

ensure_chromium

# --- Redis (Debian's redis-server): the background-work tests run RQ on it ---------------------------
# start_redis installs redis-server when missing, starts a throw-away one on a free port (no disk), and
# exports TEST_REDIS_URL; the tests that need Redis use it (each worker its own database), or start their
# own redis-server when it is not set. stop_redis runs at exit.
redis_dir=""
stop_redis() {
  if [ -n "$redis_dir" ] && [ -f "$redis_dir/redis.pid" ]; then
    kill "$(cat "$redis_dir/redis.pid")" 2>/dev/null || true
  fi
  if [ -n "$redis_dir" ]; then
    rm -rf "$redis_dir"
  fi
}

start_redis() {
  if ! command -v redis-server >/dev/null 2>&1 && can_apt; then
    echo "==> Installing Debian's redis-server for the background-work tests"
    apt_install redis-server || true
  fi
  if ! command -v redis-server >/dev/null 2>&1; then
    echo "==> redis-server is missing and cannot be installed here: the Redis tests are skipped"
    return 1
  fi
  redis_dir=$(mktemp -d "${TMPDIR:-/tmp}/comptoir-redis.XXXXXX")
  local port
  port=$(free_port)
  redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$redis_dir" --daemonize yes \
    --pidfile "$redis_dir/redis.pid" --logfile "$redis_dir/redis.log" --databases 64 >/dev/null
  for _ in $(seq 1 100); do
    if python -c "import socket; socket.create_connection(('127.0.0.1', $port), 0.2).close()" 2>/dev/null; then
      export TEST_REDIS_URL="redis://127.0.0.1:$port"
      echo "==> Redis $(redis-server --version | awk '{print $3}' | cut -d= -f2) running on 127.0.0.1:$port"
      return 0
    fi
    sleep 0.1
  done
  echo "==> redis-server did not start (see $redis_dir/redis.log)"
  return 1
}

trap 'stop_postgres; stop_redis' EXIT
start_redis || true

status=0
echo "==> Unit, operation and web tests (SQLite)"
python -m pytest -n "$WORKERS" tests/unit tests/ops tests/web || status=$?
echo "==> End-to-end tests in Chromium (SQLite), and the app under gunicorn with its limits in Redis"
python -m pytest tests/e2e || status=$?

# --- The second pass: the database tests on a real PostgreSQL ---------------------------------

if start_postgres; then
  echo "==> Database tests again, on PostgreSQL"
  TEST_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:$PG_PORT/comptoir_test" \
    python -m pytest -n "$WORKERS" -m db tests/ops tests/web || status=$?
fi

elapsed=$(( $(date +%s) - started ))
if [ "$status" = 0 ]; then
  echo "==> All tests passed in $((elapsed / 60)) min $((elapsed % 60)) s"
else
  echo "==> Some tests FAILED (exit status $status) after $((elapsed / 60)) min $((elapsed % 60)) s"
fi
exit "$status"
