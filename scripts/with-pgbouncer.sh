#!/usr/bin/env bash
# Runs a command with PgBouncer (transaction pooling) between the service and this machine's PostgreSQL:
#   bash scripts/with-pgbouncer.sh npx jest test/licensing-api         the licensing API tests through PgBouncer
#   bash scripts/with-pgbouncer.sh npx ts-node --transpile-only bench/licensing-api.bench.ts --seconds 5
# PgBouncer gets its own port and configuration in a temporary folder and is stopped afterwards. The tests' and the
# benches' databases are created through it (TEST_/BENCH_DATABASE_SERVER_URL); LISTEN goes straight to PostgreSQL
# (DATABASE_DIRECT_URL, from TEST_/BENCH_DATABASE_DIRECT_SERVER_URL). Debian's PgBouncer (1.18) cannot keep prepared
# statements in transaction mode, so DATABASE_NAMED_STATEMENTS=false unless set otherwise. At the end its SHOW STATS
# prints what went through it.
set -euo pipefail
cd "$(dirname "$0")/.."

PG_HOST=${PG_HOST:-127.0.0.1}
PG_PORT=${PG_PORT:-5432}
PG_USER=${PG_USER:-postgres}
BOUNCER=$(command -v pgbouncer || true)
[ -n "$BOUNCER" ] || { echo "pgbouncer is not installed (Debian: apt-get install -y pgbouncer)" >&2; exit 2; }
[ $# -gt 0 ] || { echo "usage: $0 <command> [arguments…]" >&2; exit 2; }

dir=$(mktemp -d -t licensing-pgbouncer-XXXXXX)
port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
cat >"$dir/pgbouncer.ini" <<INI
[databases]
* = host=$PG_HOST port=$PG_PORT

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir = $dir
auth_type = trust
auth_file = $dir/users.txt
admin_users = $PG_USER
pool_mode = transaction
max_client_conn = 1000
default_pool_size = 20
server_reset_query =
ignore_startup_parameters = extra_float_digits,options
logfile = $dir/pgbouncer.log
pidfile = $dir/pgbouncer.pid
INI
printf '"%s" ""\n' "$PG_USER" >"$dir/users.txt"
chmod 755 "$dir"
chmod 644 "$dir"/*
# PgBouncer refuses to run as root: as root it runs as the postgres user, which owns the folder.
as_user=()
if [ "$(id -u)" = 0 ]; then
  as_user=(-u postgres)
  chown -R postgres "$dir"
fi
"$BOUNCER" -d "${as_user[@]}" "$dir/pgbouncer.ini"

stop() {
  if [ -f "$dir/pgbouncer.pid" ]; then kill "$(cat "$dir/pgbouncer.pid")" 2>/dev/null || true; fi
  sleep 0.5
  rm -rf "$dir"
}
trap stop EXIT

for _ in $(seq 1 50); do
  pg_isready -h 127.0.0.1 -p "$port" -q 2>/dev/null && break
  sleep 0.1
done
version=$("$BOUNCER" --version | head -n 1)
echo "[pgbouncer] $version, transaction pooling on 127.0.0.1:$port -> $PG_HOST:$PG_PORT"

export TEST_DATABASE_SERVER_URL="postgres://$PG_USER@127.0.0.1:$port/postgres"
export BENCH_DATABASE_SERVER_URL="$TEST_DATABASE_SERVER_URL"
export TEST_DATABASE_DIRECT_SERVER_URL="postgres://$PG_USER@$PG_HOST:$PG_PORT/postgres"
export BENCH_DATABASE_DIRECT_SERVER_URL="$TEST_DATABASE_DIRECT_SERVER_URL"
export DATABASE_NAMED_STATEMENTS="${DATABASE_NAMED_STATEMENTS:-false}"

status=0
"$@" || status=$?
echo "[pgbouncer] SHOW STATS (per database: transactions and queries that went through it)"
psql -h 127.0.0.1 -p "$port" -U "$PG_USER" -d pgbouncer -At -F '|' -c 'SHOW STATS' 2>&1 \
  | awk -F'|' '$1 != "pgbouncer" { print "  " $1 ": " $2 " transactions, " $3 " queries" }' || true
exit $status
