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
api_ticks0=$(awk '{print $14+$15}' "/proc/$API_PID/stat")
wrk -t2 -c32 -d"${SECS}s" --latency -s "$LUA" "http://127.0.0.1:$PORT" | tee /tmp/bench-record.txt | grep -E "RESULT|Requests/sec"
api_ticks1=$(awk '{print $14+$15}' "/proc/$API_PID/stat")
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

# The same work without us: every statement one donation needs (its idempotency claim, the
# project and the donor locked, the credit rule, the donation row, the ranking rules, the
# running totals and their summaries, the board version, the credit entry, the donor's balance
# and the audit entry), as ONE plpgsql call per donation: one round trip, one commit. The
# yardstick recordDonation's group commit has to beat (target: 150% of it).
STAFF_ACCOUNT=$(psql "$DATABASE_URL" -Atc "SELECT id FROM accounts WHERE phone = '13900000001'")
AFTER_JSON_LEN=$(psql "$DATABASE_URL" -Atc "SELECT COALESCE(MAX(length(after_json)), 1000) FROM audit_log WHERE action = 'recordDonation'")
psql "$DATABASE_URL" -q <<SQL
CREATE TABLE bench_donors AS
  SELECT row_number() OVER (ORDER BY r.id) AS n, r.id FROM residents r JOIN donors d ON d.id = r.id;
CREATE OR REPLACE FUNCTION bench_one_donation(p_donor uuid, p_project uuid, p_account uuid, p_amount bigint, p_totals boolean)
RETURNS void LANGUAGE plpgsql AS \$\$
DECLARE
  v_id uuid := gen_random_uuid();
  v_org uuid; v_town uuid; v_balance bigint; v_rule uuid; v_credits bigint := 2;
  v_key text := 'pl-' || gen_random_uuid();
  r record;
BEGIN
  INSERT INTO idempotency_records (id, account_id, operation, idem_key, request_hash, response_json, created_at)
    VALUES (gen_random_uuid(), p_account, 'recordDonation', v_key, repeat('a', 64), '"' || v_id || '"', now())
    ON CONFLICT (account_id, operation, idem_key) DO NOTHING;
  SELECT org_id INTO v_org FROM charity_projects WHERE id = p_project;
  SELECT town_id, credit_balance INTO v_town, v_balance FROM donors WHERE id = p_donor FOR UPDATE;
  SELECT id INTO v_rule FROM credit_rules WHERE kind IN ('DONATION_RESIDENT', 'DONATION_ENTERPRISE')
    ORDER BY effective_from DESC LIMIT 1;
  INSERT INTO donations (id, org_id, project_id, donor_id, donor_kind, town_id, kind, amount_fen, channel,
      funding_source, donated_at, receipt_no, visibility, status, credits_awarded, credit_rule_id,
      recorded_by, verification_code, created_at)
    VALUES (v_id, v_org, p_project, p_donor, 'RESIDENT', v_town, 'MONEY', p_amount, 'ONLINE', 'PUBLIC',
      '2026-03-01T02:00:00Z', v_key, 'MASKED', 'CONFIRMED', v_credits, v_rule, p_account,
      upper(substr(md5(v_key), 1, 12)), now())
    ON CONFLICT (org_id, receipt_no) DO NOTHING;
  PERFORM 1 FROM ranking_rules;
  IF p_totals THEN
  INSERT INTO ranking_totals (board, period, town, member, total)
    SELECT 'RESIDENTS', p, t, p_donor::text, p_amount
    FROM unnest(ARRAY['2026', '2026-03', '2026-Q1', 'all']) AS p, unnest(ARRAY['', v_town::text]) AS t
    ORDER BY 1, 2, 3
    ON CONFLICT (board, period, town, member) DO UPDATE SET total = ranking_totals.total + excluded.total;
  INSERT INTO ranking_summaries (board, period, town, members, total)
    SELECT 'RESIDENTS', p, t, 0, p_amount
    FROM unnest(ARRAY['2026', '2026-03', '2026-Q1', 'all']) AS p, unnest(ARRAY['', v_town::text]) AS t
    ORDER BY 1, 2, 3
    ON CONFLICT (board, period, town) DO UPDATE SET members = ranking_summaries.members + excluded.members,
      total = ranking_summaries.total + excluded.total;
  UPDATE board_version SET version = version + 1 WHERE id = 1;
  END IF;
  INSERT INTO credit_entries (id, donor_id, kind, amount, balance_after, donation_id, rule_id, created_by, created_at)
    VALUES (gen_random_uuid(), p_donor, 'DONATION', v_credits, v_balance + v_credits, v_id, v_rule, p_account, now());
  UPDATE donors SET credit_balance = credit_balance + v_credits, cumulative_donation_fen = cumulative_donation_fen + p_amount
    WHERE id = p_donor;
  INSERT INTO audit_log (id, at, account_id, role, org_id, action, entity, entity_id, request_id, after_json)
    VALUES (gen_random_uuid(), now(), p_account, 'ORG_STAFF', v_org, 'recordDonation', 'donations', v_id, 'bench',
      repeat('x', $AFTER_JSON_LEN));
END
\$\$;
SQL
DONORS=$(psql "$DATABASE_URL" -Atc "SELECT count(*) FROM bench_donors")
# Twice: with the running totals (the same work as recordDonation today: every donation also
# raises its board's summary rows and the board version, rows all donations share), and
# without them (the yardstick as the issue first measured it).
# A build from before the running totals has no such tables: only the second line applies.
TOTALS_RUNS="true false"
[ "$(psql "$DATABASE_URL" -Atc "SELECT to_regclass('board_version') IS NOT NULL")" = t ] || TOTALS_RUNS="false"
for totals in $TOTALS_RUNS; do
  ONE_CALL=$(mktemp --suffix .sql)
  cat >"$ONE_CALL" <<SQL
\\set n random(1, $DONORS)
\\set fen random(100, 200000)
SELECT bench_one_donation((SELECT id FROM bench_donors WHERE n = :n), '$PROJECT', '$STAFF_ACCOUNT', :fen, $totals);
SQL
  echo "== one donation's statements as one plpgsql call (running totals: $totals), pgbench 32 clients, ${SECS}s"
  pgbench -n -c 32 -j 2 -T "$SECS" -f "$ONE_CALL" "$DATABASE_URL" 2>/dev/null | tee "/tmp/bench-one-call-$totals.txt" | grep -E "^tps|latency"
done
"$API" verify ledger >/dev/null && echo "ledger still verifies after the baseline's donations"

api_rps=$(sed -n 's/.*rps=\([0-9.]*\).*/\1/p' /tmp/bench-record.txt)
api_ok=$(sed -n 's/.*ok=\([0-9]*\).*/\1/p' /tmp/bench-record.txt)
for totals in $TOTALS_RUNS; do
  one_call_tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "/tmp/bench-one-call-$totals.txt")
  python3 -c "print(f'recordDonation {float($api_rps):.0f}/s vs one plpgsql call per donation (running totals: $totals) {float($one_call_tps):.0f}/s: {100*float($api_rps)/float($one_call_tps):.0f}% (target >= 150% of the same work)')"
done
python3 -c "print(f'API CPU per stored donation: {($api_ticks1 - $api_ticks0) * 10000 / max($api_ok, 1):.0f} us')"
pg_tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' /tmp/bench-pgbench.txt)
python3 -c "print(f'recordDonation {float($api_rps):.0f}/s vs plain insert {float($pg_tps):.0f}/s: {100*float($api_rps)/float($pg_tps):.0f}% of the limit (target >= 30%)')"
