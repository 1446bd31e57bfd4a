#!/usr/bin/env bash
# The README's main command on a machine with no AWS account: installs the npm packages if
# they are missing, then writes the monthly report of the sample account (kms-report --demo).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci --no-audit --no-fund
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
# Every format, report.html included, so the demo shows all a user can attach.
exec npx tsx src/cli/main.ts --demo --format md,csv,json,html "$@"
