#!/usr/bin/env bash
# Times `api import donations` of a 50,000-row CSV on PostgreSQL (all rows in one transaction).
#   bash bench/import_50k.sh [ROWS]
source "$(dirname "$0")/lib.sh"
ROWS="${1:-50000}"
build_release
fresh_db dongtou_bench_import
"$API" migrate
"$API" seed >/dev/null
CSV=$(mktemp --suffix .csv)
python3 - "$ROOT/seeds/residents.csv" "$ROWS" >"$CSV" <<'PY'
import csv, random, sys
random.seed(7)
phones = [r["phone"] for r in csv.DictReader(open(sys.argv[1]))]
print("receipt_no,org,donor_type,donor_phone,donor_enterprise,walk_in_name,kind,amount_yuan,goods_description,goods_quantity,project,campaign,channel,funding_source,donated_at,visibility")
for i in range(int(sys.argv[2])):
    print(f"BULK-{i:07d},洞头区慈善总会,RESIDENT,{random.choice(phones)},,,MONEY,{random.randint(1, 5000)}.00,,,海岛学子助学,,ONLINE,PUBLIC,2026-0{random.randint(1, 9)}-{random.randint(10, 28)} 10:00,MASKED")
PY
start=$(date +%s.%N)
"$API" import donations "$CSV" --as 13900000001
end=$(date +%s.%N)
"$API" verify ledger
echo "import of $ROWS rows: $(python3 -c "print(f'{$end-$start:.1f}')") s"
start=$(date +%s.%N)
"$API" import donations "$CSV" --as 13900000001
end=$(date +%s.%N)
echo "re-import of the same file (no-op): $(python3 -c "print(f'{$end-$start:.1f}')") s"
