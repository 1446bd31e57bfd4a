#!/usr/bin/env bash
# Makes sure the distribution's Chromium is installed for the HTML report's browser test
# (test/browser). Idempotent: does nothing when it is there. playwright-core drives it; no
# browser is downloaded from anywhere else. CHROMIUM_PATH points the test at another binary.
set -euo pipefail
if [ -n "${CHROMIUM_PATH:-}" ]; then
  [ -x "$CHROMIUM_PATH" ] || { echo "setup-browser: CHROMIUM_PATH=$CHROMIUM_PATH is not an executable" >&2; exit 1; }
  echo "setup-browser: using $CHROMIUM_PATH"
  exit 0
fi
if command -v chromium >/dev/null 2>&1; then
  echo "setup-browser: chromium ready at $(command -v chromium)"
  exit 0
fi
install='apt-get update && apt-get install -y chromium'
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "setup-browser: installing chromium: $install"
  DEBIAN_FRONTEND=noninteractive apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y chromium
  command -v chromium >/dev/null 2>&1 || { echo "setup-browser: chromium is still not on PATH" >&2; exit 1; }
  echo "setup-browser: chromium ready at $(command -v chromium)"
  exit 0
fi
echo "setup-browser: chromium is not installed; the HTML report's browser test needs it. Install it with:" >&2
echo "    sudo sh -c '$install'" >&2
echo "(or set CHROMIUM_PATH to a Chromium or Chrome executable)" >&2
exit 1
