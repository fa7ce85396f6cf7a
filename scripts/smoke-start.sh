#!/usr/bin/env bash
# Starts the service exactly as the README's first command does (embedded PostgreSQL, fresh data folder),
# waits for it to be ready, logs in with the printed administrator password and lists users with an API key.
set -euo pipefail
cd "$(dirname "$0")/.."
data=$(mktemp -d /tmp/licensing-smoke-XXXXXX)
chmod 755 "$data"
port=$(( 31000 + RANDOM % 2000 ))
pgport=$(( 33000 + RANDOM % 2000 ))
log="$data/service.log"
# Its own process group, so that Ctrl+C can be imitated: SIGINT to npm, the shell, node and PostgreSQL alike.
DATA_DIR="$data" PORT="$port" EMBEDDED_PG_PORT="$pgport" setsid npm start >"$log" 2>&1 &
pid=$!
stop() { kill -INT -- "-$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
cleanup() { stop; rm -rf "$data"; }
trap cleanup EXIT

for _ in $(seq 1 180); do
  curl -fsS "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1 && break
  kill -0 "$pid" 2>/dev/null || { cat "$log"; echo "the service exited"; exit 1; }
  sleep 1
done
curl -fsS "http://127.0.0.1:$port/health/ready" >/dev/null || { cat "$log"; echo "not ready in time"; exit 1; }
grep -q "Swagger http://localhost:$port/swagger" "$log" || { cat "$log"; echo "no Swagger URL printed"; exit 1; }
curl -fsS "http://127.0.0.1:$port/swagger" >/dev/null

password=$(sed -n 's/.*generated password: \([^ ]*\).*/\1/p' "$log" | head -n 1)
[ -n "$password" ] || { cat "$log"; echo "no administrator password printed"; exit 1; }
token=$(curl -fsS -H 'Content-Type: application/json' -d "{\"userName\":\"admin\",\"password\":\"$password\"}" "http://127.0.0.1:$port/v1/auth/login" | node -pe 'JSON.parse(require("fs").readFileSync(0)).token')
key=$(curl -fsS -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -d '{"apiKey":{"name":"smoke"}}' "http://127.0.0.1:$port/v1/api-keys" | node -pe 'JSON.parse(require("fs").readFileSync(0)).apiKey')
count=$(curl -fsS -H "x-api-key: $key" "http://127.0.0.1:$port/v1/users" | node -pe 'JSON.parse(require("fs").readFileSync(0)).totalUsersCount')
[ "$count" -ge 1 ] || { echo "the API key listed no users"; exit 1; }

# A second start on the same data folder reuses the database: same administrator, no new password.
stop
if pgrep -f -- "-D $data/postgres" >/dev/null; then echo "the embedded PostgreSQL outlived the service"; exit 1; fi
DATA_DIR="$data" PORT="$port" EMBEDDED_PG_PORT="$pgport" setsid npm run --silent start:prod >"$log.2" 2>&1 &
pid=$!
for _ in $(seq 1 120); do curl -fsS "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1 && break; sleep 1; done
curl -fsS -H 'Content-Type: application/json' -d "{\"userName\":\"admin\",\"password\":\"$password\"}" "http://127.0.0.1:$port/v1/auth/login" >/dev/null \
  || { cat "$log.2"; echo "the second start did not keep the data"; exit 1; }
if grep -q "generated password" "$log.2"; then echo "the second start created another administrator"; exit 1; fi
echo "smoke: started on the embedded database, logged in, listed $count user(s) with an API key, restarted with the data kept"
