#!/usr/bin/env bash
# Start a throwaway PostgreSQL cluster (Debian's postgresql package) on a free loopback port and
# print its DATABASE_URL on stdout. Used by .ci/run and the benchmarks. Stop it with
#   scripts/pg-throwaway.sh stop DIR
# The cluster runs with fsync=off: it is for tests and benchmarks, never for data you keep.
set -euo pipefail
if [ "${1:-}" = "stop" ]; then
  runuser -u postgres -- "$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)/pg_ctl" -D "$2/data" -m fast stop >/dev/null
  exit 0
fi
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "pg-throwaway: PostgreSQL server binaries not found; install Debian's 'postgresql' package (apt-get install -y postgresql)" >&2
  exit 1
fi
dir=${1:-$(mktemp -d /tmp/merit-pg.XXXXXX)}
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
install -d -o postgres -g postgres -m 700 "$dir" "$dir/data" "$dir/sock"
runuser -u postgres -- "$bin/initdb" -D "$dir/data" -U postgres --auth=trust >"$dir/initdb.log" 2>&1
runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
  -o "-p $port -k $dir/sock -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" start >/dev/null
echo "postgres://postgres@127.0.0.1:$port/postgres"
