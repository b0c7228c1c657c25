#!/usr/bin/env bash
# The one test command: bash scripts/test.sh
#
# Installs what the tests need (a virtual environment with the Python packages, compiled catalogues,
# Debian's chromium when /usr/bin/chromium is missing, Debian's redis-server), runs the unit, operation and web tests (in parallel) and
# the end-to-end tests, then runs the database tests once more against a PostgreSQL server it starts
# itself. Exits non-zero when any test fails.
#
# The whole run happens at one instant of the test clock: COMPTOIR_TEST_START when it is set, else one
# drawn at random and printed first, so that a failure can be run again at the same instant.
set -euo pipefail
started=$(date +%s)
source "$(dirname "$0")/setup.sh"   # leaves us at the repository root, with the venv on PATH
export DEBIAN_FRONTEND=noninteractive
COMPTOIR_TEST_START=$(python -m tests.instants)
export COMPTOIR_TEST_START
echo "==> COMPTOIR_TEST_START=$COMPTOIR_TEST_START  (set it to run these tests again at this instant)"
# Unit and web tests run on every core; the end-to-end tests share one Chromium in one process.
WORKERS="${COMPTOIR_TEST_WORKERS:-auto}"

can_apt() { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; }

apt_updated=""
apt_install() {
  if [ -z "$apt_updated" ]; then
    apt-get update -qq
    apt_updated=1
  fi
  apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

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

free_port() {
  python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

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

trap stop_redis EXIT
start_redis || true

status=0
echo "==> Unit, operation and web tests (SQLite)"
python -m pytest -n "$WORKERS" tests/unit tests/ops tests/web || status=$?
echo "==> End-to-end tests in Chromium (SQLite)"
python -m pytest tests/e2e || status=$?

# --- The second pass: the database tests on a real PostgreSQL ---------------------------------

pg_bindir() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true
}

PG_BIN=""
pg_dir=""
pg_user=""
as_pg() {
  if [ -z "$pg_user" ]; then
    "$@"
  elif command -v runuser >/dev/null 2>&1; then
    runuser -u "$pg_user" -- "$@"
  else
    su "$pg_user" -s /bin/sh -c "$(printf '%q ' "$@")"
  fi
}

stop_postgres() {
  if [ -n "$pg_dir" ] && [ -f "$pg_dir/data/postmaster.pid" ]; then
    as_pg "$PG_BIN/pg_ctl" -D "$pg_dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  if [ -n "$pg_dir" ]; then
    rm -rf "$pg_dir"
  fi
}
trap 'stop_postgres; stop_redis' EXIT

skip_postgres() {
  echo "==> skipping the PostgreSQL pass: $1"
}

start_postgres() {
  PG_BIN=$(pg_bindir)
  if [ -z "$PG_BIN" ] && can_apt; then
    echo "==> Installing Debian's postgresql for the second pass"
    apt_install postgresql || true
    PG_BIN=$(pg_bindir)
  fi
  if [ -z "$PG_BIN" ]; then
    skip_postgres "no PostgreSQL server found under /usr/lib/postgresql and it cannot be installed here"
    return 1
  fi
  # initdb refuses to run as root: run the server as the postgres user.
  if [ "$(id -u)" = 0 ]; then
    if ! id postgres >/dev/null 2>&1; then
      skip_postgres "running as root and there is no postgres user to run the server"
      return 1
    fi
    pg_user=postgres
  fi
  pg_dir=$(mktemp -d "${TMPDIR:-/tmp}/comptoir-pg.XXXXXX")
  if [ -n "$pg_user" ]; then
    chown "$pg_user" "$pg_dir"
  fi
  if ! as_pg "$PG_BIN/initdb" -D "$pg_dir/data" -U postgres -A trust -E UTF8 --no-locale --no-sync \
      >"$pg_dir/initdb.log" 2>&1; then
    cat "$pg_dir/initdb.log"
    skip_postgres "initdb failed (see above)"
    return 1
  fi
  PG_PORT=$(free_port)
  # Durability is not what these tests are about: no fsync makes the per-test schema rebuilds fast.
  if ! as_pg "$PG_BIN/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -t 60 start \
      -o "-h 127.0.0.1 -p $PG_PORT -k $pg_dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      >/dev/null; then
    cat "$pg_dir/server.log" || true
    skip_postgres "the server did not start (see its log above)"
    return 1
  fi
  if ! as_pg "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres comptoir_test; then
    skip_postgres "could not create the test database"
    return 1
  fi
  echo "==> PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') running on 127.0.0.1:$PG_PORT"
}

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
