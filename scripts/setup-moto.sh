#!/usr/bin/env bash
# Installs moto's server into a project-local virtual environment (.venv) for the integration
# tests and the demo. Idempotent: does nothing when the pinned version is already there.
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-python3}
command -v "$python" >/dev/null || { echo "setup-moto: $python not found; install Python 3.9+ (or set PYTHON)" >&2; exit 1; }
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
if ! .venv/bin/python -m pip install --disable-pip-version-check -q -r test/requirements.txt; then
  echo "setup-moto: could not install moto[server] into .venv (see above)" >&2
  exit 1
fi
.venv/bin/moto_server --help >/dev/null
echo "setup-moto: moto_server ready at .venv/bin/moto_server"
