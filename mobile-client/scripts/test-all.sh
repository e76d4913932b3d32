#!/usr/bin/env bash
# Every check of the phone client, in order; stops at the first failure (non-zero exit).
# install → generated types fresh → lint → types → unit tests → build → bundle budget → e2e
# The e2e suite builds and starts the real api itself (cargo build --release -p api, which
# builds this client into the binary; CARGO_TARGET_DIR
# or <repo>/target) and drives Debian's Chromium (/usr/bin/chromium or CHROMIUM_PATH).
set -euo pipefail
cd "$(dirname "$0")/.."
export CI="${CI:-}" NO_COLOR=1 FORCE_COLOR=0 npm_config_fund=false npm_config_audit=false

step() { printf '\n== mobile-client: %s\n' "$*"; }

step "npm ci (no engine warnings on the Node the machines have)"
ci_log="$(mktemp)"
npm ci --no-fund --no-audit 2>&1 | tee "$ci_log"
if grep -q EBADENGINE "$ci_log"; then
  echo "FAIL: a dependency does not support $(node --version): pin it (package.json overrides) to a version that does" >&2
  exit 1
fi
rm -f "$ci_log"

step "codegen is fresh (src/gql matches ../schema.graphql and the operations)"
npm run --silent codegen >/dev/null
if ! git diff --exit-code --stat -- src/gql || [ -n "$(git ls-files --others --exclude-standard -- src/gql)" ]; then
  echo "FAIL: src/gql is stale: run \`npm run codegen\` in mobile-client and commit the result" >&2
  exit 1
fi

step "lint"
npm run --silent lint

step "type-check (vue-tsc)"
npm run --silent type-check

step "unit tests (vitest)"
npx vitest run

step "build (vite)"
npm run --silent build

step "bundle budget"
npm run --silent budget
if [ -n "$(git status --porcelain -- src/components.d.ts)" ]; then
  echo "FAIL: src/components.d.ts changed during the build: commit the regenerated file" >&2
  exit 1
fi

step "e2e (playwright-core + Chromium against the real api)"
command -v "${CHROMIUM_PATH:-/usr/bin/chromium}" >/dev/null || {
  echo "FAIL: Chromium not found at ${CHROMIUM_PATH:-/usr/bin/chromium} (apt-get install -y chromium)" >&2
  exit 1
}
rm -rf test-results
npm run --silent e2e
echo "screenshots: $(ls test-results/*.png | wc -l) in mobile-client/test-results/"
