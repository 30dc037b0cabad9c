#!/usr/bin/env bash
# buf breaking-change check of protos/ against the previous commit of main.
# Skipped only when there is no previous commit holding protos.
set -euo pipefail
cd "$(dirname "$0")/.."
BUF=node_modules/.bin/buf
if ! git rev-parse -q --verify 'HEAD~1^{commit}' >/dev/null; then
  echo "breaking check: skipped (no previous commit)"; exit 0
fi
if [ -z "$(git ls-tree -r --name-only HEAD~1 -- protos | grep '\.proto$' || true)" ]; then
  echo "breaking check: skipped (the previous commit has no protos)"; exit 0
fi
cd protos
../$BUF breaking --against '../.git#ref=HEAD~1,subdir=protos'
echo "breaking check: no breaking change against HEAD~1"
