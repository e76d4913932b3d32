#!/usr/bin/env bash
# Times `api seed --scale N` (default 1,000,000) on a scratch PostgreSQL database.
#   bash bench/seed_scale.sh [N]
source "$(dirname "$0")/lib.sh"
N="${1:-1000000}"
build_release
fresh_db dongtou_bench_scale
"$API" migrate
start=$(date +%s.%N)
"$API" seed --scale "$N"
end=$(date +%s.%N)
"$API" verify ledger
rows=$(psql "$DATABASE_URL" -Atc "SELECT count(*) FROM donations")
echo "seed --scale $N: $(python3 -c "print(f'{$end-$start:.1f}')") s wall (includes the demo seed and ANALYZE); donations in database: $rows"
