"""The domain package imports only the standard library and the allowed ppcore modules."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import status_service.domain

ALLOWED_PPCORE = {"ppcore.errors", "ppcore.clock", "ppcore.calendar", "ppcore.policy"}


def _imported_modules(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _allowed(module: str) -> bool:
    top = module.split(".")[0]
    return (
        top in sys.stdlib_module_names
        or top == "__future__"
        or module in ALLOWED_PPCORE
        or module == "status_service.domain"
        or module.startswith("status_service.domain.")
    )


def test_domain_is_pure() -> None:
    """Architecture: the domain never imports SQLAlchemy, grpc, nats or generated protos."""
    package_dir = Path(status_service.domain.__file__).parent
    offenders = {
        f"{path.name}: {module}"
        for path in package_dir.rglob("*.py")
        for module in _imported_modules(ast.parse(path.read_text(encoding="utf-8")))
        if not _allowed(module)
    }
    assert not offenders, sorted(offenders)
