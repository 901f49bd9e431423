#!/usr/bin/env bash
# A local PostgreSQL 15 + PgBouncer pair on loopback, for development and CI.
#
#   scripts/pg_local.sh start [DIR]   initdb (first time) and start both; idempotent
#   scripts/pg_local.sh stop [DIR]    stop both (fast shutdown)
#   scripts/pg_local.sh env [DIR]     print export lines: eval "$(scripts/pg_local.sh env)"
#   scripts/pg_local.sh status [DIR]  exit 0 when both answer
#
# DIR defaults to $PG_LOCAL_DIR or .tmp/pg in the repo. Ports: $PG_PORT (54329) for
# Postgres, $PGBOUNCER_PORT (64329) for PgBouncer. The app connects as role `cg`
# (CREATEDB, so tests can create throwaway databases) to database `consistencygrid`.
# Authentication is `trust` on 127.0.0.1 only: this cluster is for tests and local
# development, never for real data. It also runs with fsync, synchronous_commit and
# full_page_writes off, which loses acknowledged commits when Postgres is killed: wrong
# for production (docs/operations.md); tests/faults/ start their own durable cluster.
#
# Debian's Postgres refuses to run as root, so as root everything runs as the
# `postgres` user, and DIR must be reachable by that user (under /tmp is safe).
set -euo pipefail

PG_PORT="${PG_PORT:-54329}"
PGBOUNCER_PORT="${PGBOUNCER_PORT:-64329}"
APP_USER=cg
APP_DB=consistencygrid

repo_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cmd="${1:-}"
dir="${2:-${PG_LOCAL_DIR:-$repo_dir/.tmp/pg}}"
# Postgres wants an absolute socket directory.
[[ "$dir" = /* ]] || dir="$PWD/$dir"

die() {
  echo "pg_local: $*" >&2
  exit 1
}

pg_bin() {
  if [[ -n "${PG_BIN:-}" ]]; then
    echo "$PG_BIN"
    return
  fi
  local found
  found="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  if [[ -n "$found" ]]; then
    echo "$found"
  elif command -v pg_ctl >/dev/null; then
    dirname "$(command -v pg_ctl)"
  else
    die "PostgreSQL binaries not found: apt-get install -y postgresql (or set PG_BIN)"
  fi
}

pgbouncer_bin() {
  command -v pgbouncer 2>/dev/null || { [[ -x /usr/sbin/pgbouncer ]] && echo /usr/sbin/pgbouncer; } ||
    die "pgbouncer not found: apt-get install -y pgbouncer"
}

# Runs a command as the user that owns the cluster.
as_owner() {
  if [[ "$(id -u)" == 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

psql_admin() {
  as_owner "$(pg_bin)/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir/run" -p "$PG_PORT" -U postgres -d postgres "$@"
}

pg_running() {
  as_owner "$(pg_bin)/pg_ctl" status -D "$dir/data" >/dev/null 2>&1
}

pgbouncer_running() {
  [[ -f "$dir/pgbouncer.pid" ]] && kill -0 "$(cat "$dir/pgbouncer.pid")" 2>/dev/null
}

wait_for_port() {
  local port="$1" name="$2"
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      return 0
    fi
    sleep 0.1
  done
  die "$name did not start listening on 127.0.0.1:$port; see $dir/*.log"
}

init_cluster() {
  mkdir -p "$dir"
  if [[ "$(id -u)" == 0 ]]; then
    chown postgres: "$dir"
    runuser -u postgres -- test -w "$dir" ||
      die "the postgres user cannot write $dir (a parent directory is private?); pass a DIR under /tmp"
  fi
  as_owner mkdir -p "$dir/run"
  if [[ ! -f "$dir/data/PG_VERSION" ]]; then
    as_owner "$(pg_bin)/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
      die "initdb failed; see $dir/initdb.log"
    # Throwaway-cluster settings: loopback only, room for parallel test databases, and
    # no fsync (a crash may lose data, which is fine for tests and local development).
    as_owner tee -a "$dir/data/postgresql.conf" >/dev/null <<EOF

# --- scripts/pg_local.sh ---
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$dir/run'
max_connections = 300
shared_buffers = 128MB
fsync = off
synchronous_commit = off
full_page_writes = off
log_min_messages = warning
EOF
  fi
}

write_pgbouncer_config() {
  as_owner tee "$dir/userlist.txt" >/dev/null <<EOF
"$APP_USER" ""
"postgres" ""
EOF
  # transaction pooling as in production; `*` forwards any database name, so tests can
  # reach their own throwaway databases through the same host and port.
  as_owner tee "$dir/pgbouncer.ini" >/dev/null <<EOF
[databases]
* = host=127.0.0.1 port=$PG_PORT

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PGBOUNCER_PORT
unix_socket_dir =
auth_type = trust
auth_file = $dir/userlist.txt
admin_users = postgres
stats_users = $APP_USER
pool_mode = transaction
default_pool_size = 20
max_client_conn = 1000
query_wait_timeout = 10
server_connect_timeout = 5
server_login_retry = 1
ignore_startup_parameters = extra_float_digits,options
logfile = $dir/pgbouncer.log
pidfile = $dir/pgbouncer.pid
EOF
}

# PgBouncer in the foreground under a loop that starts it again when it exits, as
# `Restart=always` does in production (deploy/): Debian 12's PgBouncer 1.18 can exit on a
# cancel request that races a terminated server connection (pgbouncer/pgbouncer#822,
# fixed in 1.21), and one such exit must not take every later test down with it. Each
# restart is logged in pgbouncer.log; `stop` leaves a stop file so the loop ends.
start_pgbouncer_supervised() {
  as_owner rm -f "$dir/pgbouncer.stop"
  as_owner setsid bash -c '
    bin="$1" ini="$2" dir="$3"
    while [[ ! -e "$dir/pgbouncer.stop" ]]; do
      "$bin" "$ini"
      code=$?
      [[ -e "$dir/pgbouncer.stop" ]] && break
      echo "pg_local: PgBouncer exited with status $code; starting it again" >>"$dir/pgbouncer.log"
      sleep 0.2
    done' pgbouncer-supervisor "$(pgbouncer_bin)" "$dir/pgbouncer.ini" "$dir" </dev/null >/dev/null 2>&1 &
}

start() {
  pg_bin >/dev/null
  pgbouncer_bin >/dev/null
  init_cluster
  if ! pg_running; then
    as_owner "$(pg_bin)/pg_ctl" start -D "$dir/data" -l "$dir/postgres.log" -w -t 30 >/dev/null ||
      die "Postgres did not start; see $dir/postgres.log"
  fi
  psql_admin <<EOF
SELECT 'CREATE ROLE $APP_USER LOGIN CREATEDB'
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$APP_USER') \gexec
SELECT 'CREATE DATABASE $APP_DB OWNER $APP_USER'
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$APP_DB') \gexec
EOF
  if ! pgbouncer_running; then
    write_pgbouncer_config
    start_pgbouncer_supervised
  fi
  wait_for_port "$PGBOUNCER_PORT" PgBouncer
  echo "pg_local: Postgres on 127.0.0.1:$PG_PORT, PgBouncer on 127.0.0.1:$PGBOUNCER_PORT ($dir)" >&2
}

stop() {
  if [[ -d "$dir" ]]; then as_owner touch "$dir/pgbouncer.stop" 2>/dev/null || true; fi
  if pgbouncer_running; then
    kill "$(cat "$dir/pgbouncer.pid")" 2>/dev/null || true
    for _ in $(seq 1 50); do
      pgbouncer_running || break
      sleep 0.1
    done
  fi
  if [[ -d "$dir/data" ]] && pg_running; then
    as_owner "$(pg_bin)/pg_ctl" stop -D "$dir/data" -m fast -w -t 30 >/dev/null
  fi
}

env_lines() {
  cat <<EOF
export DATABASE_URL_DIRECT=postgres://$APP_USER@127.0.0.1:$PG_PORT/$APP_DB
export DATABASE_URL=postgres://$APP_USER@127.0.0.1:$PGBOUNCER_PORT/$APP_DB
export PGBOUNCER=true
EOF
}

status() {
  pg_running && pgbouncer_running
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  env) env_lines ;;
  status) status ;;
  *)
    echo "usage: scripts/pg_local.sh start|stop|env|status [DIR]" >&2
    exit 2
    ;;
esac
