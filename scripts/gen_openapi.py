"""Writes the gateway's OpenAPI document from the protos: `python scripts/gen_openapi.py [--check]`.

The descriptors come from the generated code (what the process transcodes); the
descriptions are the proto comments, read from a descriptor set compiled with source
info. `--check` exits 1 when the committed document is not current (a test runs it).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from google.protobuf import descriptor_pb2
from grpc_tools import protoc

from gateway_service.http.openapi import Comments, build_openapi
from gateway_service.http.routes import OPENAPI_FILE, api_services, public_methods

ROOT = Path(__file__).resolve().parents[1]
PROTOS = ROOT / "protos"


def comments() -> Comments:
    include = Path(protoc.__file__).parent / "_proto"
    files = sorted(str(p.relative_to(PROTOS)) for p in (PROTOS / "partnerprogram").rglob("*.proto"))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "set.binpb"
        code = protoc.main(
            ["protoc", f"-I{PROTOS}", f"-I{include}", "--include_source_info", f"--descriptor_set_out={out}", *files]
        )
        if code != 0:
            raise SystemExit(f"protoc failed ({code})")
        fds = descriptor_pb2.FileDescriptorSet.FromString(out.read_bytes())
    return Comments(list(fds.file))


def render() -> str:
    document = build_openapi(api_services(), public_methods=public_methods(), comments=comments())
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail when the committed document is not current")
    args = parser.parse_args()
    text = render()
    if args.check:
        if not OPENAPI_FILE.exists() or OPENAPI_FILE.read_text() != text:
            sys.stderr.write(f"{OPENAPI_FILE.relative_to(ROOT)} is not current: run `make openapi`\n")
            raise SystemExit(1)
        return
    OPENAPI_FILE.parent.mkdir(parents=True, exist_ok=True)
    OPENAPI_FILE.write_text(text)
    print(f"wrote {OPENAPI_FILE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
