#!/usr/bin/env bash
# Usage: scripts/with-postgres.sh CMD [ARGS...]
#
# Starts a throwaway PostgreSQL cluster on a free loopback port, exports
#   HOLDFAST_TEST_POSTGRES=postgres://postgres@127.0.0.1:PORT/postgres?sslmode=disable
# runs CMD, then stops the cluster and removes its directory, whatever happened.
# The exit code is CMD's.
#
# If HOLDFAST_TEST_POSTGRES is already set, that server is used as it is and no cluster is started.
# If no cluster can be started: with CI set, this fails; otherwise it warns and runs CMD without
# HOLDFAST_TEST_POSTGRES (the Go tests then run on SQLite only).
#
# Environment: PG_BIN (folder with initdb and pg_ctl; default: PostgreSQL 15 from Debian, else the
# newest /usr/lib/postgresql/*/bin); HOLDFAST_KEEP_PG=1 keeps the stopped cluster's folder and server
# log for a look afterwards.
set -uo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: $0 CMD [ARGS...]" >&2
  exit 2
fi

if [ -n "${HOLDFAST_TEST_POSTGRES:-}" ]; then
  echo "with-postgres: using HOLDFAST_TEST_POSTGRES from the environment" >&2
  exec "$@"
fi

log() { printf 'with-postgres: %s\n' "$*" >&2; }

find_pg_bin() {
  if [ -n "${PG_BIN:-}" ]; then
    printf '%s\n' "$PG_BIN"
    return
  fi
  if [ -x /usr/lib/postgresql/15/bin/initdb ]; then
    printf '%s\n' /usr/lib/postgresql/15/bin
    return
  fi
  local d
  d=$(printf "%s\n" /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  if [ -n "$d" ] && [ -x "$d/initdb" ]; then
    printf '%s\n' "$d"
    return
  fi
  d=$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/initdb)")
  printf '%s\n' "$d"
}

# free_port prints a TCP port on 127.0.0.1 that nothing listens on right now.
free_port() {
  if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()' 2>/dev/null && return
  fi
  local p
  for _ in $(seq 1 100); do
    p=$((20000 + RANDOM % 30000))
    # A refused connection means the port is free.
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      printf '%s\n' "$p"
      return
    fi
  done
  return 1
}

PGBIN=$(find_pg_bin)
as_pg=()
if [ "$(id -u)" -eq 0 ]; then
  # initdb and postgres refuse to run as root.
  as_pg=(runuser -u postgres --)
fi

start_reason=""
DIR=""
PGDATA_DIR=""

cleanup() {
  if [ -n "$PGDATA_DIR" ] && [ -f "$PGDATA_DIR/postmaster.pid" ]; then
    "${as_pg[@]}" "$PGBIN/pg_ctl" -D "$PGDATA_DIR" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  if [ -n "$DIR" ] && [ -d "$DIR" ]; then
    if [ -n "${HOLDFAST_KEEP_PG:-}" ]; then
      log "kept the cluster's folder (server log in $DIR/log)"
    else
      rm -rf -- "$DIR"
    fi
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

start_cluster() {
  if [ ! -x "$PGBIN/initdb" ] || [ ! -x "$PGBIN/pg_ctl" ]; then
    start_reason="initdb/pg_ctl not found (looked in ${PGBIN}); install postgresql-15"
    return 1
  fi
  if [ "${#as_pg[@]}" -gt 0 ] && ! id postgres >/dev/null 2>&1; then
    start_reason="running as root but there is no 'postgres' user to run initdb as"
    return 1
  fi
  # A short path under /tmp: the unix socket lives here too (108-byte limit), and the
  # postgres user must be able to reach it.
  DIR=$(mktemp -d /tmp/holdfast-pg.XXXXXX) || { start_reason="mktemp failed"; return 1; }
  if [ "${#as_pg[@]}" -gt 0 ]; then
    chown postgres: "$DIR" || { start_reason="chown postgres $DIR failed"; return 1; }
  fi
  PGDATA_DIR="$DIR/data"
  if ! "${as_pg[@]}" "$PGBIN/initdb" -D "$PGDATA_DIR" -U postgres -A trust --no-sync \
    -E UTF8 --locale=C >"$DIR/initdb.log" 2>&1; then
    start_reason="initdb failed: $(tail -n 5 "$DIR/initdb.log" | tr '\n' ' ')"
    return 1
  fi
  local attempt port
  for attempt in 1 2 3 4 5; do
    port=$(free_port) || { start_reason="no free port found"; return 1; }
    if "${as_pg[@]}" "$PGBIN/pg_ctl" -D "$PGDATA_DIR" -l "$DIR/log" -w -t 60 \
      -o "-k $DIR -p $port -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
      start >/dev/null 2>&1; then
      PORT=$port
      return 0
    fi
    # Most likely someone took the port between the probe and the start: try another.
    log "start on port $port failed (attempt $attempt): $(tail -n 3 "$DIR/log" 2>/dev/null | tr '\n' ' ')"
  done
  start_reason="pg_ctl start failed; server log: $(tail -n 5 "$DIR/log" 2>/dev/null | tr '\n' ' ')"
  return 1
}

PORT=""
t0=$(date +%s)
if start_cluster; then
  export HOLDFAST_TEST_POSTGRES="postgres://postgres@127.0.0.1:${PORT}/postgres?sslmode=disable"
  log "PostgreSQL $("$PGBIN/pg_ctl" --version | awk '{print $3}') on 127.0.0.1:${PORT} (started in $(($(date +%s) - t0))s, data in ${DIR})"
else
  cleanup
  DIR=""
  PGDATA_DIR=""
  if [ -n "${CI:-}" ]; then
    printf '\nwith-postgres: ERROR: PostgreSQL could not be started: %s\n' "$start_reason" >&2
    printf 'with-postgres: CI is set, so the PostgreSQL tests may not be skipped (run scripts/deps.sh as root).\n\n' >&2
    exit 1
  fi
  printf '\n*** WARNING: PostgreSQL tests skipped: %s\n' "$start_reason" >&2
  printf '*** Only SQLite is tested. Install postgresql-15 (see scripts/deps.sh) to test both.\n\n' >&2
  unset HOLDFAST_TEST_POSTGRES
fi

# Not exec: the trap must stop the cluster afterwards.
"$@"
rc=$?
exit "$rc"
