#!/usr/bin/env bash
# The README's main command on a machine with no AWS account: installs what it needs
# (npm packages, moto's server in .venv) if missing, then runs the demo collection.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci --no-audit --no-fund
[ -x .venv/bin/moto_server ] || bash scripts/setup-moto.sh
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
exec npx tsx scripts/demo.ts "$@"
