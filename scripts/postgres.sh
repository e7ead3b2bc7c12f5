#!/usr/bin/env bash
# A throwaway PostgreSQL for the capstone: a fresh cluster under a temporary directory, wal_level=logical,
# listening only on a unix socket in /tmp/kafka-bdd-postgres (port 5432 names the socket file, no TCP).
# The suite's default KAFKA_BDD_POSTGRES ("host=/tmp/kafka-bdd-postgres port=5432 user=postgres
# dbname=postgres") points at it.
#   scripts/postgres.sh start   installs Debian's postgresql when missing, starts the cluster (idempotent)
#   scripts/postgres.sh stop    stops it and removes its data
# As root it runs the server as the postgres user (initdb refuses root).
set -euo pipefail
socket=${KAFKA_BDD_POSTGRES_SOCKET:-/tmp/kafka-bdd-postgres}
port=5432
as_server() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
bindir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

case "${1:-start}" in
start)
  if [ -z "$(bindir)" ] || [ ! -x "$(bindir)/initdb" ]; then
    echo "installing postgresql (apt-get)…"
    sudo=$([ "$(id -u)" = 0 ] || echo sudo)
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql libpq-dev >/dev/null
  fi
  bin=$(bindir)
  if "$bin/pg_isready" -q -h "$socket" -p "$port"; then
    echo "PostgreSQL already running on $socket (port $port)"; exit 0
  fi
  mkdir -p "$socket"
  data=$(mktemp -d /tmp/kafka-bdd-pgdata.XXXXXX)
  if [ "$(id -u)" = 0 ]; then chown postgres: "$socket" "$data"; fi
  as_server "$bin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --no-sync > "$data.initdb.log" 2>&1 \
    || { cat "$data.initdb.log"; exit 1; }
  # fsync off: a throwaway cluster whose commits need not wait on a shared disk (synchronous_commit stays on:
  # logical decoding reads only WAL the server has flushed).
  as_server "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w -t 30 start -o \
    "-c listen_addresses='' -c unix_socket_directories=$socket -p $port -c wal_level=logical \
     -c max_replication_slots=20 -c max_wal_senders=20 -c fsync=off \
     -c max_connections=100" > /dev/null \
    || { cat "$data/server.log"; exit 1; }
  echo "$data" > "$socket/datadir"
  echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on $socket (port $port), data in $data"
  echo "KAFKA_BDD_POSTGRES=\"host=$socket port=$port user=postgres dbname=postgres\" (the default)"
  ;;
stop)
  bin=$(bindir)
  [ -f "$socket/datadir" ] || { echo "no PostgreSQL started by this script on $socket"; exit 0; }
  data=$(cat "$socket/datadir")
  as_server "$bin/pg_ctl" -D "$data" -m fast -w -t 30 stop > /dev/null || true
  rm -rf "$data" "$data.initdb.log" "$socket/datadir"
  echo "stopped; removed $data"
  ;;
*) echo "usage: scripts/postgres.sh start|stop" >&2; exit 2 ;;
esac
