#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests: Debian's postgresql package, a new cluster under a temporary
# directory, listening on 127.0.0.1 only, run by an unprivileged user, removed when stopped.
#
#   scripts/pg-cluster.sh start STATE_DIR   starts a cluster; prints its libpq URI and writes it to STATE_DIR/uri
#   scripts/pg-cluster.sh stop STATE_DIR    stops the cluster recorded in STATE_DIR and deletes its files
#   scripts/pg-cluster.sh uri STATE_DIR     prints the URI of the running cluster
#
# The URI is postgresql://kareo@127.0.0.1:PORT/kareo (trust authentication, which only this machine can reach).
# The cluster lives in a directory made by mktemp under ${TMPDIR:-/tmp}, not in STATE_DIR, so that the server's
# user can reach it wherever the build tree is. Run as root, the server runs as the `postgres` account the
# package creates (PostgreSQL refuses to run as root); otherwise as the calling user. Starting again first stops
# a cluster left over in STATE_DIR. Durability settings are relaxed (fsync off): the data is thrown away.
set -euo pipefail

usage() {
  sed -n '2,11p' "$0" >&2
  exit 2
}
(($# == 2)) || usage
action=$1
state=$2

bindir() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$dir" ] || [ ! -x "$dir/initdb" ]; then
    echo "pg-cluster: PostgreSQL's server programs are not installed (apt-get install postgresql)" >&2
    exit 1
  fi
  echo "$dir"
}

# as_server CMD...: runs a command as the server's user.
as_server() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

stop() {
  [ -f "$state/cluster" ] || return 0
  local dir bin
  dir=$(cat "$state/cluster")
  bin=$(bindir)
  if [ -d "$dir/data" ]; then
    as_server "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf -- "$dir"
  rm -f -- "$state/cluster" "$state/uri"
}

start() {
  local bin dir port uri attempt
  bin=$(bindir)
  mkdir -p "$state"
  stop
  if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
    echo "pg-cluster: running as root and there is no postgres account to run the server as" >&2
    exit 1
  fi
  dir=$(mktemp -d "${TMPDIR:-/tmp}/kareo-pg.XXXXXX")
  echo "$dir" >"$state/cluster"
  chmod 755 "$dir"
  [ "$(id -u)" -ne 0 ] || chown postgres: "$dir"
  as_server "$bin/initdb" -D "$dir/data" -U kareo --auth=trust -E UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 ||
    {
      cat "$dir/initdb.log" >&2
      exit 1
    }
  for attempt in 1 2 3 4 5; do
    port=$(free_port)
    if as_server "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-h 127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      start >/dev/null; then
      break
    fi
    if ((attempt == 5)); then
      cat "$dir/server.log" >&2
      exit 1
    fi
  done
  as_server "$bin/psql" -X -q -h 127.0.0.1 -p "$port" -U kareo -d postgres -c 'CREATE DATABASE kareo' >/dev/null
  uri="postgresql://kareo@127.0.0.1:$port/kareo"
  echo "$uri" >"$state/uri.tmp"
  mv "$state/uri.tmp" "$state/uri"
  echo "$uri"
}

case "$action" in
  start) start ;;
  stop) stop ;;
  uri) cat "$state/uri" ;;
  *) usage ;;
esac
