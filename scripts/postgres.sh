# Shared by test.sh and bench/run.sh (sourced): apt when it can be used, and a throw-away PostgreSQL server
# (Debian's postgresql, installed when missing) with durability off, as tests and benchmarks want it.
# start_postgres sets PG_PORT and returns non-zero, saying why, when no server can be had.

can_apt() { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; }

apt_updated=""
apt_install() {
  if [ -z "$apt_updated" ]; then
    apt-get update -qq
    apt_updated=1
  fi
  apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

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
trap stop_postgres EXIT

skip_postgres() {
  echo "==> skipping the PostgreSQL pass: $1"
}

free_port() {
  python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
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

