# Shared helpers for the benchmark scripts: the deployed build (profile `deploy`), a scratch PostgreSQL database,
# and an API process on a free port. Source it; don't run it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
# The deployed build: link-time optimisation across crates (Cargo.toml, profile `deploy`).
# BENCH_PROFILE=release measures the local build instead (minutes faster to build; say so
# beside any figure it gives).
BENCH_PROFILE=${BENCH_PROFILE:-deploy}
# BENCH_API=path measures another binary (e.g. an earlier build, for a same-run comparison).
API="${BENCH_API:-$TARGET/$BENCH_PROFILE/api}"
PG="postgres://postgres@127.0.0.1:5432"
# TCP to 127.0.0.1, the deployment shape (the API on its own host or container). BENCH_SOCKET=1
# uses the local socket instead, for the side-by-side line. pgbench uses the same address, so
# each comparison stays like for like.
PG_OPTS=""
if [ -n "${BENCH_SOCKET:-}" ] && [ -S /var/run/postgresql/.s.PGSQL.5432 ]; then
  PG="postgres://postgres@localhost"
  PG_OPTS="?host=/var/run/postgresql"
fi
export JWT_SECRET="bench-secret-bench-secret-bench-secret-0123"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"
export LOG_FORMAT=json RUST_LOG=${RUST_LOG:-warn}
# Load comes from one address and one account: lift the per-client limits for the run.
export RATE_LIMIT_IP_PER_SEC=1000000 RATE_LIMIT_IP_BURST=1000000
export RATE_LIMIT_ACCOUNT_PER_SEC=1000000 RATE_LIMIT_ACCOUNT_BURST=1000000

build_release() {
  # SKIP_BUILD=1 reuses an existing binary (e.g. while another build holds the cores).
  [ "${SKIP_BUILD:-}" = 1 ] && [ -x "$API" ] && return 0
  [ -n "${BENCH_API:-}" ] && return 0
  (cd "$ROOT" && BUILD_PHONE_APP=0 cargo build --profile "$BENCH_PROFILE" -p api --locked -q)
}

need() { # need COMMAND DEBIAN_PACKAGE
  command -v "$1" >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null)
}

fresh_db() { # fresh_db NAME -> exports DATABASE_URL
  psql "$PG/postgres$PG_OPTS" -qc "DROP DATABASE IF EXISTS $1 WITH (FORCE)" >/dev/null
  psql "$PG/postgres$PG_OPTS" -qc "CREATE DATABASE $1" >/dev/null
  export DATABASE_URL="$PG/$1$PG_OPTS"
}

start_api() { # start_api PORT [extra env...]; sets API_PID
  REDIS_KEY_PREFIX="bench$1" PORT="$1" "$API" serve >"/tmp/bench-api-$1.log" 2>&1 &
  API_PID=$!
  for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$1/healthz" >/dev/null && return 0
    sleep 0.1
  done
  echo "api did not start; see /tmp/bench-api-$1.log" >&2
  return 1
}

gql() { # gql PORT TOKEN QUERY_JSON
  curl -sf "http://127.0.0.1:$1/graphql" -H 'content-type: application/json' \
    ${2:+-H "authorization: Bearer $2"} -d "$3"
}

login() { # login PORT PHONE -> token
  gql "$1" "" "{\"query\":\"mutation { login(phone: \\\"$2\\\", password: \\\"Demo@2026\\\") { accessToken } }\"}" \
    | python3 -c 'import sys,json; print(json.load(sys.stdin)["data"]["login"]["accessToken"])'
}
