#!/usr/bin/env bash
# The 洞头慈善榜 load scenario: the top-50 `leaderboard` query over HTTP at 64 concurrent
# clients against 1,000,000 seeded donations on PostgreSQL + Redis, measured in the same run as
# a plain axum JSON endpoint (the ceiling); then the same query with Redis stopped (database
# fallback); and the time `api leaderboard rebuild` takes. Release build only.
#
#   bash bench/leaderboard.sh            # everything (about 10 minutes on 2 cores, after the build)
#   DONATIONS=100000 bash bench/leaderboard.sh
#
# Needs PostgreSQL on 127.0.0.1:5432 (user postgres). Starts its own redis-server on
# $BENCH_REDIS_PORT, so the shared Redis is never touched or stopped.
set -euo pipefail
cd "$(dirname "$0")/.."

DONATIONS=${DONATIONS:-1000000}
DURATION=${DURATION:-20s}
CLIENTS=${CLIENTS:-64}
THREADS=${THREADS:-2}
PG_DB=${PG_DB:-dongtou_bench}
BENCH_REDIS_PORT=${BENCH_REDIS_PORT:-6391}
API_PORT=${API_PORT:-28431}
CEILING_PORT=${CEILING_PORT:-28432}
OUT=${OUT:-target/bench}
mkdir -p "$OUT"

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
command -v redis-server >/dev/null || { apt-get update -qq && apt-get install -y -qq redis-server; }
command -v psql >/dev/null || { apt-get update -qq && apt-get install -y -qq postgresql-client; }

# BENCH_PROFILE=release measures the local build (faster to build; say so beside its figures).
BENCH_PROFILE=${BENCH_PROFILE:-deploy}
BUILD_PHONE_APP=0 cargo build --profile "$BENCH_PROFILE" -q -p api
API="${CARGO_TARGET_DIR:-target}/$BENCH_PROFILE/api"

export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$PG_DB"
export REDIS_URL="redis://127.0.0.1:$BENCH_REDIS_PORT"
export REDIS_KEY_PREFIX=bench
export JWT_SECRET=bench-secret-bench-secret-bench-secret-0123
export LOG_FORMAT=json
export RUST_LOG=warn
# Every request comes from one address: lift the per-client limits for the run (a refused
# request is a cheap 429 and would inflate the figure). The script counts non-2xx answers.
export RATE_LIMIT_IP_PER_SEC=1000000 RATE_LIMIT_IP_BURST=1000000
export RATE_LIMIT_ACCOUNT_PER_SEC=1000000 RATE_LIMIT_ACCOUNT_BURST=1000000

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  redis-cli -p "$BENCH_REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
}
trap cleanup EXIT

redis-server --port "$BENCH_REDIS_PORT" --save '' --appendonly no --daemonize no \
  >"$OUT/redis.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do redis-cli -p "$BENCH_REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done

# A fresh database with the scale data, unless it already holds exactly that.
have=$(psql -h 127.0.0.1 -U postgres -d "$PG_DB" -tAc "SELECT count(*) FROM donations" 2>/dev/null || echo 0)
if [ "${have// /}" -lt "$DONATIONS" ]; then
  psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $PG_DB" -c "CREATE DATABASE $PG_DB"
  "$API" migrate
  echo "seeding $DONATIONS donations ..."
  "$API" seed --scale "$DONATIONS"
fi

echo "== rebuild"
/usr/bin/time -f "%e s wall" "$API" leaderboard rebuild 2>&1 | tee "$OUT/rebuild.txt"
"$API" leaderboard verify | tail -1 | tee "$OUT/verify.txt"

for port in "$API_PORT" "$CEILING_PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "port $port is already in use; set API_PORT / CEILING_PORT" >&2
    exit 1
  fi
done
PORT=$API_PORT "$API" serve >"$OUT/api.log" 2>&1 &
api_pid=$!
pids+=($api_pid)
PORT=$CEILING_PORT "$API" bench-ceiling >"$OUT/ceiling.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$API_PORT/healthz" >/dev/null && break; sleep 0.1; done
for _ in $(seq 100); do curl -fs -X POST "http://127.0.0.1:$CEILING_PORT/ceiling" >/dev/null && break; sleep 0.1; done

QUERY='{"query":"query Top($board: Board!, $period: Period!, $first: Int) { leaderboard(board: $board, period: $period, first: $first) { source computedAt entryCount totalAmount entries { rank displayName amount } } }","variables":{"board":"RESIDENTS","period":"ALL_TIME","first":50}}'
cat >"$OUT/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [[$QUERY]]
LUA
curl -fs -H 'Content-Type: application/json' -d "$QUERY" "http://127.0.0.1:$API_PORT/graphql" \
  | head -c 300; echo

run() { # name url
  echo "== $1"
  wrk -t"$THREADS" -c"$CLIENTS" -d"$DURATION" --timeout 30s --latency -s "$OUT/post.lua" "$2" | tee "$OUT/$1.txt"
}
run ceiling "http://127.0.0.1:$CEILING_PORT/ceiling"
run leaderboard "http://127.0.0.1:$API_PORT/graphql"

# Latency at the target load rather than at saturation: the same 64 connections, each pausing
# PACE_MS between an answer and its next request, so together they offer about 40 % of the
# ceiling's rate (64 / (PACE_MS + service time)). At saturation every closed-loop client waits
# behind the other 63 and the tail measures the scheduler of a 2-core machine that also runs
# wrk; here it measures the request.
PACE_MS=${PACE_MS:-2}
sed "s/^wrk.method/function delay() return $PACE_MS end\nwrk.method/" "$OUT/post.lua" >"$OUT/paced.lua"
paced() { # name url
  echo "== $1 (each connection pausing ${PACE_MS} ms)"
  wrk -t"$THREADS" -c"$CLIENTS" -d"$DURATION" --timeout 30s --latency -s "$OUT/paced.lua" "$2" | tee "$OUT/$1.txt"
}
paced ceiling-paced "http://127.0.0.1:$CEILING_PORT/ceiling"
paced leaderboard-paced "http://127.0.0.1:$API_PORT/graphql"

# Redis stopped: every answer comes from the database (source DATABASE).
redis-cli -p "$BENCH_REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
sleep 1
curl -fs -H 'Content-Type: application/json' -d "$QUERY" "http://127.0.0.1:$API_PORT/graphql" \
  | head -c 120; echo
DURATION=${FALLBACK_DURATION:-20s} run fallback "http://127.0.0.1:$API_PORT/graphql"

rps() { awk '/Requests\/sec/ {print $2}' "$OUT/$1.txt"; }
p99() { awk '$1=="99%" {print $2}' "$OUT/$1.txt"; }
refused() { awk '/Non-2xx/ {n=$NF} END {print n+0}' "$OUT/$1.txt"; }
for run in ceiling leaderboard ceiling-paced leaderboard-paced fallback; do
  [ "$(refused $run)" = 0 ] || echo "WARNING: $run had $(refused $run) non-2xx answers; its figure does not count" >&2
done
echo
echo "ceiling      $(rps ceiling) req/s, p99 $(p99 ceiling)"
echo "leaderboard  $(rps leaderboard) req/s, p99 $(p99 leaderboard)  ($(awk -v a="$(rps leaderboard)" -v b="$(rps ceiling)" 'BEGIN{printf "%.0f", 100*a/b}')% of the ceiling)"
echo "paced: ceiling $(rps ceiling-paced) req/s, p99 $(p99 ceiling-paced); leaderboard $(rps leaderboard-paced) req/s, p99 $(p99 leaderboard-paced)  ($(awk -v a="$(rps leaderboard-paced)" -v b="$(rps ceiling)" 'BEGIN{printf "%.0f", 100*a/b}')% of the ceiling's saturated rate)"
echo "fallback     $(rps fallback) req/s, p99 $(p99 fallback)  (Redis stopped)"
echo "rebuild      $(grep -o 'in [0-9.]* s' "$OUT/rebuild.txt")"
