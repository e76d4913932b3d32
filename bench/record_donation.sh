#!/usr/bin/env bash
# recordDonation throughput at 32 concurrent clients on PostgreSQL + Redis, beside the plain
# single-row INSERT throughput of the same database (pgbench) measured in the same run.
#   bash bench/record_donation.sh [SECONDS]
source "$(dirname "$0")/lib.sh"
SECS="${1:-20}"
PORT=18080
need wrk wrk
build_release
fresh_db dongtou_bench_record
"$API" migrate
"$API" seed >/dev/null
start_api $PORT
trap 'kill $API_PID 2>/dev/null || true' EXIT

TOKEN=$(login $PORT 13900000001)
PROJECT=$(gql $PORT "$TOKEN" '{"query":"{ me { account { org { projects(first: 1) { edges { node { id } } } } } } }"}' \
  | python3 -c 'import sys,json; print(json.load(sys.stdin)["data"]["me"]["account"]["org"]["projects"]["edges"][0]["node"]["id"])')
PHONES=$(python3 -c "import csv; print(','.join('\"'+r['phone']+'\"' for r in csv.DictReader(open('$ROOT/seeds/residents.csv'))))")

LUA=$(mktemp --suffix .lua)
cat >"$LUA" <<LUA
local phones = { $PHONES }
local counter = 0
ok, failed = 0, 0
local threads = {}
function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end
function init(args)
  math.randomseed(tid * 7919)
end
function request()
  counter = counter + 1
  local key = string.format("bench-%d-%d-%d", tid, counter, math.random(1, 1e9))
  local phone = phones[math.random(#phones)]
  local body = '{"query":"mutation(\$i: RecordDonationInput!) { recordDonation(input: \$i) { donation { id } } }",'
    .. '"variables":{"i":{"idempotencyKey":"' .. key .. '","projectId":"$PROJECT",'
    .. '"donor":{"resident":{"phone":"' .. phone .. '"}},"kind":"MONEY","amount":"' .. math.random(1, 2000) .. '.00",'
    .. '"channel":"ONLINE","donatedAt":"2026-03-01T02:00:00Z","receiptNo":"' .. key .. '"}}}'
  return wrk.format("POST", "/graphql", {["content-type"] = "application/json", ["authorization"] = "Bearer $TOKEN"}, body)
end
function response(status, headers, body)
  if status == 200 and not string.find(body, '"errors"') then ok = ok + 1 else failed = failed + 1 end
end
function done(summary, latency, requests)
  local o, f = 0, 0
  for _, t in ipairs(threads) do o = o + t:get("ok"); f = f + t:get("failed") end
  io.write(string.format("RESULT ok=%d failed=%d rps=%.1f p50_ms=%.2f p99_ms=%.2f\n",
    o, f, o / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
LUA
echo "== recordDonation, 32 connections, ${SECS}s"
wrk -t2 -c32 -d"${SECS}s" --latency -s "$LUA" "http://127.0.0.1:$PORT" | tee /tmp/bench-record.txt | grep -E "RESULT|Requests/sec"
kill $API_PID; wait $API_PID 2>/dev/null || true
"$API" verify ledger
stored=$(psql "$DATABASE_URL" -Atc "SELECT count(*) FROM donations WHERE receipt_no LIKE 'bench-%'")
echo "donations stored by the run: $stored"

echo "== plain single-row INSERT, pgbench 32 clients, ${SECS}s"
psql "$DATABASE_URL" -qc "CREATE TABLE bench_insert (id bigserial PRIMARY KEY, payload text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())"
SQL=$(mktemp --suffix .sql)
echo "INSERT INTO bench_insert (payload) VALUES ('x');" >"$SQL"
pgbench -n -c 32 -j 2 -T "$SECS" -f "$SQL" "$DATABASE_URL" 2>/dev/null | tee /tmp/bench-pgbench.txt | grep -E "^tps"

# The audit entry every mutation appends after its own commit (api/src/audit: a transaction of
# its own), replayed alone with a row of the same size: what that second commit costs.
AUDIT_SQL=$(mktemp --suffix .sql)
AFTER_LEN=$(psql "$DATABASE_URL" -Atc "SELECT COALESCE(MAX(length(after_json)), 500) FROM audit_log WHERE action = 'recordDonation'")
cat >"$AUDIT_SQL" <<SQL
BEGIN;
INSERT INTO audit_log (id, at, account_id, role, org_id, partner_id, action, entity, entity_id, request_id, before_json, after_json)
  VALUES (gen_random_uuid(), now(), NULL, 'ORG_STAFF', NULL, NULL, 'recordDonation', 'DonationResult', gen_random_uuid(), 'bench', NULL, repeat('x', $AFTER_LEN));
COMMIT;
SQL
echo "== the audit transaction alone (BEGIN; INSERT INTO audit_log; COMMIT), pgbench 32 clients, ${SECS}s"
pgbench -n -c 32 -j 2 -T "$SECS" -f "$AUDIT_SQL" "$DATABASE_URL" 2>/dev/null | tee /tmp/bench-audit.txt | grep -E "^tps"

api_rps=$(sed -n 's/.*rps=\([0-9.]*\).*/\1/p' /tmp/bench-record.txt)
pg_tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' /tmp/bench-pgbench.txt)
python3 -c "print(f'recordDonation {float($api_rps):.0f}/s vs plain insert {float($pg_tps):.0f}/s: {100*float($api_rps)/float($pg_tps):.0f}% of the limit (target >= 30%)')"
