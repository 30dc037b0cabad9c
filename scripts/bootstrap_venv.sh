#!/usr/bin/env bash
# Creates .venv with the pinned dependencies and puts every source root of the suite on
# its path (one .pth file), so `python -m status_service` works from anywhere.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3.11}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip==25.3 >/dev/null 2>&1 || true
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
site=$(.venv/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
root=$(pwd)
{
  echo "$root/gen/python"
  echo "$root/libs/ppcore/src"
  for svc in status points licensing compliance; do echo "$root/services/$svc/src"; done
  echo "$root/gateway/src"
  echo "$root"
} > "$site/partnerprogram-dev.pth"
touch .venv/.installed
