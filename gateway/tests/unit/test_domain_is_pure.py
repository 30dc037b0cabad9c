from __future__ import annotations

import ast
import sys
from pathlib import Path

import gateway_service.domain as domain_package

ALLOWED_THIRD_PARTY = {"ppcore.errors", "ppcore.clock", "ppcore.calendar", "ppcore.policy"}
OWN_PACKAGE = "gateway_service.domain"
_STDLIB = set(sys.stdlib_module_names)


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                names.add(OWN_PACKAGE)
            elif node.module:
                names.add(node.module)
    return names


def _allowed(module: str) -> bool:
    root = module.split(".")[0]
    return (
        module == "__future__"
        or root in _STDLIB
        or module in ALLOWED_THIRD_PARTY
        or module == OWN_PACKAGE
        or module.startswith(OWN_PACKAGE + ".")
    )


def test_domain_is_pure():
    """ARCHITECTURE: the domain imports only stdlib and ppcore errors, clock, calendar and policy."""
    package_dir = Path(domain_package.__file__).parent
    offenders = {
        f"{path.name}: {module}"
        for path in package_dir.rglob("*.py")
        for module in _imported_modules(path)
        if not _allowed(module)
    }
    assert not offenders, sorted(offenders)
