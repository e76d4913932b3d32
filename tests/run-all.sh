#!/usr/bin/env bash
# Every check and every test: formatting, lints, then the whole suite twice — on SQLite with
# the in-process cache, and on PostgreSQL with Redis. Under CI=true an unreachable PostgreSQL
# or Redis fails the run; elsewhere that pass is skipped with a loud message. Last, the phone
# client's own checks and browser tests (mobile-client/scripts/test-all.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

# What the suites need from the machine, installed with apt when missing: Debian's Chromium
# and a CJK font for the browser tests (never a downloaded browser build), Node for the phone
# client (from the machine's apt sources), python3 for the
# import-cycle check, and the PostgreSQL and Redis server binaries (Redis also as Sentinel), redis-cli, openssl and the
# HAProxy balancer the fault suite starts on its own ports (the database and cache the suites talk to are the
# machine's services).
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
fc-list 2>/dev/null | grep -qi wqy || missing+=(fonts-wqy-microhei)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
command -v npm >/dev/null 2>&1 || missing+=(nodejs)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
command -v haproxy >/dev/null 2>&1 || missing+=(haproxy)
# The TLS fault scenario makes its certificates with openssl; the Sentinel one asks redis-cli.
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
command -v redis-cli >/dev/null 2>&1 || missing+=(redis-tools)
if [ ${#missing[@]} -gt 0 ]; then
  echo "== installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
  # Debian's own nodejs comes without npm (NodeSource's carries it).
  if ! command -v npm >/dev/null 2>&1; then
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm
  fi
fi

PG_HOST=127.0.0.1 PG_PORT=5432 REDIS_HOST=127.0.0.1 REDIS_PORT=6379
reachable() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== no import cycle between files of api/src"
python3 tests/import-cycles.py
echo "== cargo clippy -D warnings"
cargo clippy --workspace --all-targets --locked -- -D warnings

echo "== tests on SQLite + in-process cache"
TEST_BACKEND=sqlite cargo test --workspace --locked

if reachable "$PG_HOST" "$PG_PORT" && reachable "$REDIS_HOST" "$REDIS_PORT"; then
  echo "== tests on PostgreSQL + Redis"
  TEST_BACKEND=postgres cargo test --workspace --locked
  echo "== fault suite: the api binary against private PostgreSQL and Redis servers"
  cargo build -p api --locked
  cargo test -p integration-tests --test faults --locked -- --test-threads=1 --nocapture
elif [ "${CI:-}" = "true" ]; then
  echo "FAIL: PostgreSQL ($PG_HOST:$PG_PORT) or Redis ($REDIS_HOST:$REDIS_PORT) is unreachable; CI requires both." >&2
  exit 1
else
  echo "################################################################################"
  echo "# SKIPPED: the PostgreSQL + Redis pass. Start PostgreSQL on $PG_HOST:$PG_PORT and"
  echo "# Redis on $REDIS_HOST:$REDIS_PORT to run it (CI always does)."
  echo "################################################################################"
fi

echo
echo "################################################################################"
echo "# Phone client (mobile-client/): npm ci, codegen freshness, lint, types, unit"
echo "# tests, build, bundle budget, and the browser tests against the real api."
echo "################################################################################"
bash mobile-client/scripts/test-all.sh
