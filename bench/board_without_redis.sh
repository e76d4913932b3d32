#!/usr/bin/env bash
# The top-50 `leaderboard` with Redis unreachable, for one or more `api` binaries side by side
# (e.g. the previous build and this one), alternating ROUNDS times on the 1,000,000-donation
# database `bench/leaderboard.sh` seeds. Prints req/s, p99 and the CPU the API and PostgreSQL
# spent per answer.
#   bash bench/board_without_redis.sh target/release/api [/tmp/api-previous ...]
# An older binary may not know the newest migration: BENCH_HIDE_MIGRATION=<name> hides that
# row from it while it runs (its tables stay; nothing else changes).
set -euo pipefail
ROUNDS=${ROUNDS:-2} SECS=${SECS:-15} PG_DB=${PG_DB:-dongtou_bench}
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$PG_DB" REDIS_URL=redis://127.0.0.1:1
export REDIS_KEY_PREFIX=nored JWT_SECRET=bench-secret-bench-secret-bench-secret-0123
export LOG_FORMAT=json RUST_LOG=error
export RATE_LIMIT_IP_PER_SEC=1000000 RATE_LIMIT_IP_BURST=1000000
export RATE_LIMIT_ACCOUNT_PER_SEC=1000000 RATE_LIMIT_ACCOUNT_BURST=1000000
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
psql() { command psql -h 127.0.0.1 -U postgres -d "$PG_DB" -qtAc "$1"; }
LUA=$(mktemp --suffix .lua)
QUERY='{"query":"query Top($board: Board!, $period: Period!, $first: Int) { leaderboard(board: $board, period: $period, first: $first) { source computedAt entryCount totalAmount entries { rank displayName amount } } }","variables":{"board":"RESIDENTS","period":"ALL_TIME","first":50}}'
printf 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = [[%s]]\n' "$QUERY" >"$LUA"
ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
pg_ticks() { for p in $(pgrep -u postgres); do awk '{print $14+$15}' "/proc/$p/stat" 2>/dev/null; done | awk '{s+=$1} END {print s+0}'; }
port=28600
for round in $(seq "$ROUNDS"); do
  for bin in "$@"; do
    port=$((port + 1))
    hidden=""
    if [ -n "${BENCH_HIDE_MIGRATION:-}" ] && ! grep -qa "$BENCH_HIDE_MIGRATION" "$bin"; then
      hidden=$(psql "DELETE FROM seaql_migrations WHERE version = '$BENCH_HIDE_MIGRATION' RETURNING applied_at")
    fi
    PORT=$port "$bin" serve >"/tmp/board-without-redis-$port.log" 2>&1 &
    pid=$!
    for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
    a0=$(ticks $pid) p0=$(pg_ticks)
    out=$(wrk -t2 -c64 -d"${SECS}s" --timeout 30s --latency -s "$LUA" "http://127.0.0.1:$port/graphql")
    a1=$(ticks $pid) p1=$(pg_ticks)
    kill $pid; wait $pid 2>/dev/null || true
    [ -n "$hidden" ] && psql "INSERT INTO seaql_migrations (version, applied_at) VALUES ('$BENCH_HIDE_MIGRATION', $hidden)"
    n=$(awk '/requests in/ {print $1}' <<<"$out")
    echo "round $round  $bin  $(awk '/Requests\/sec/ {print $2}' <<<"$out") req/s  p99 $(awk '$1=="99%" {print $2}' <<<"$out")  non-2xx $(awk '/Non-2xx/ {print $NF}' <<<"$out" | tr -d '\n')  CPU per answer: API $(( (a1 - a0) * 10000000 / n / 1000 )) us, PostgreSQL $(( (p1 - p0) * 10000000 / n / 1000 )) us"
  done
done
