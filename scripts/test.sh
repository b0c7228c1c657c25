#!/usr/bin/env bash
# The one test command: bash scripts/test.sh
#
# Installs what the tests need (a virtual environment with the Python packages, compiled catalogues,
# Debian's chromium when /usr/bin/chromium is missing), runs the unit, operation and web tests (in parallel) and
# the end-to-end tests (with a Redis server it starts itself, for the limits several app processes share),
# then runs the database tests once more against a PostgreSQL server it starts itself. Exits non-zero when
# any test fails.
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

# --- Redis, for the rate limits that several app processes share --------------------------------

redis_pid=""
stop_redis() {
  if [ -n "$redis_pid" ]; then
    kill "$redis_pid" 2>/dev/null || true
    wait "$redis_pid" 2>/dev/null || true
  fi
}

start_redis() {
  if ! command -v redis-server >/dev/null 2>&1 && can_apt; then
    echo "==> Installing Debian's redis-server for the shared rate limits"
    apt_install redis-server || true
  fi
  if ! command -v redis-server >/dev/null 2>&1; then
    echo "==> no redis-server and it cannot be installed here: the shared-limit test is skipped"
    return 1
  fi
  local port dir
  port=$(python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  dir=$(mktemp -d "${TMPDIR:-/tmp}/comptoir-redis.XXXXXX")
  redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$dir" >"$dir/redis.log" 2>&1 &
  redis_pid=$!
  for _ in $(seq 50); do
    if python -c "import socket; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null; then
      export TEST_REDIS_URL="redis://127.0.0.1:$port/0"
      echo "==> Redis $(redis-server --version | awk '{print $3}') running on 127.0.0.1:$port"
      return 0
    fi
    sleep 0.1
  done
  cat "$dir/redis.log"
  echo "==> Redis did not start (see its log above): the shared-limit test is skipped"
  return 1
}

trap 'stop_postgres; stop_redis' EXIT

status=0
echo "==> Unit, operation and web tests (SQLite)"
python -m pytest -n "$WORKERS" tests/unit tests/ops tests/web || status=$?
start_redis || true
echo "==> End-to-end tests in Chromium (SQLite), and the app under gunicorn with its limits in Redis"
python -m pytest tests/e2e || status=$?
stop_redis

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
