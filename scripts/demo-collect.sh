#!/usr/bin/env bash
# Shows the collector for real without an AWS account: installs what it needs (npm packages,
# moto's server in .venv) if missing, then collects a 15-key scenario from a local moto server.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci --no-audit --no-fund
[ -x .venv/bin/moto_server ] || bash scripts/setup-moto.sh
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
exec npx tsx scripts/demo-collect.ts "$@"
