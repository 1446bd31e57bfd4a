#!/usr/bin/env bash
# The README's test command: installs everything the tests need (npm packages from the
# lockfile, moto's server in .venv, the distribution's Chromium for the HTML report's browser
# test), then type-checks, lints and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund
bash scripts/setup-moto.sh
bash scripts/setup-browser.sh
npx tsc -p tsconfig.json --noEmit
npx tsc -p bench/tsconfig.json
npx biome ci .
npx vitest run
