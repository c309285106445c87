#!/usr/bin/env bash
# Runs the whole pytest suite twice: on the embedded SQLite database and on a throwaway
# PostgreSQL cluster started here (as the `postgres` user when run as root) and always stopped.
# With CI=true a missing PostgreSQL is a failure, not a skip.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
mkdir -p test-output

echo "== pytest on SQLite"
env -u DATABASE_URL QIANGJI_TEST_DB=sqlite "$PY" -m pytest "$@"

pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$pgbin" ] || [ ! -x "$pgbin/initdb" ]; then
  if [ "${CI:-}" = "true" ]; then
    echo "qiangji: PostgreSQL server binaries not found; CI requires them" >&2
    exit 1
  fi
  echo "qiangji: PostgreSQL not installed; skipping the PostgreSQL run (CI would fail)" >&2
  exit 0
fi

tmp=$(mktemp -d /tmp/qiangji-pg.XXXXXX)
port=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_pg=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres "$tmp"
  as_pg=(runuser -u postgres --)
fi
stop_pg() {
  "${as_pg[@]}" "$pgbin/pg_ctl" -D "$tmp/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap stop_pg EXIT
"${as_pg[@]}" "$pgbin/initdb" -D "$tmp/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >"$tmp/initdb.log" 2>&1 \
  || { cat "$tmp/initdb.log" >&2; exit 1; }
"${as_pg[@]}" "$pgbin/pg_ctl" -D "$tmp/data" -l "$tmp/server.log" -w \
  -o "-p $port -k $tmp -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  start >/dev/null || { cat "$tmp/server.log" >&2; exit 1; }

echo "== pytest on PostgreSQL (port $port)"
DATABASE_URL="postgres://postgres@127.0.0.1:$port/qiangji" QIANGJI_TEST_DB=postgres "$PY" -m pytest "$@"
