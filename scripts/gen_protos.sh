#!/usr/bin/env bash
# Generates Python code, message stubs (.pyi) and typed service stubs from protos/ into
# gen/python. Generated code is not committed: `make` targets regenerate it when a
# .proto is newer than the stamp.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
final=gen/python
out=gen/python.tmp.$$
rm -rf "$out"
mkdir -p "$out"
grpc_include=$($PY -c 'import grpc_tools, os; print(os.path.join(os.path.dirname(grpc_tools.__file__), "_proto"))')
mapfile -t files < <(cd protos && find partnerprogram -name '*.proto' | sort)
(cd protos && ../$PY -m grpc_tools.protoc \
  -I . -I "$grpc_include" \
  --python_out="../$out" \
  --mypy_out="../$out" \
  --grpc_python_out="../$out" \
  --mypy_grpc_out="../$out" \
  --plugin=protoc-gen-mypy=../.venv/bin/protoc-gen-mypy \
  --plugin=protoc-gen-mypy_grpc=../.venv/bin/protoc-gen-mypy_grpc \
  "${files[@]}")
# Packages, so that mypy and importers treat the tree as regular packages.
find "$out/partnerprogram" -type d -exec touch {}/__init__.py \;
touch "$out/partnerprogram/py.typed"
touch "$out/.stamp"
# Swap in one step so a concurrent reader never sees a half-written tree.
rm -rf "$final.old"; [ -d "$final" ] && mv "$final" "$final.old"; mv "$out" "$final"; rm -rf "$final.old"
# The gateway's OpenAPI document is generated from the same protos (its messages embed the
# services' messages): keep the committed copy in step, so a proto change shows it in the diff.
$PY scripts/gen_openapi.py >/dev/null
