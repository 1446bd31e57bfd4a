#!/usr/bin/env bash
# The README's test command: installs everything the tests need (npm packages from the
# lockfile, moto's server in .venv, the distribution's Chromium for the HTML report's browser
# test), then type-checks, checks the public API against api/, lints and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund
bash scripts/setup-moto.sh
bash scripts/setup-browser.sh
npx tsc -p tsconfig.json --noEmit
npx tsc -p bench/tsconfig.json
# The public API: builds, then fails naming each entry point whose surface changed without its
# report in api/ (npm run api regenerates them when the change is deliberate).
npm run api:check
npx biome ci .
npx vitest run
