"""The domain package imports nothing but the standard library and the allowed ppcore modules."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

DOMAIN = Path(__file__).resolve().parents[2] / "src" / "compliance_service" / "domain"
ALLOWED_PROJECT_MODULES = (
    "ppcore.errors",
    "ppcore.clock",
    "ppcore.calendar",
    "ppcore.policy",
    "compliance_service.domain",
)


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                names.append("compliance_service.domain")  # relative: inside the package
            elif node.module:
                names.append(node.module)
    return names


def _allowed(module: str) -> bool:
    top = module.split(".")[0]
    if top in sys.stdlib_module_names:
        return True
    return any(module == allowed or module.startswith(allowed + ".") for allowed in ALLOWED_PROJECT_MODULES)


def test_domain_is_pure() -> None:
    """ARCHITECTURE: domain imports only stdlib and ppcore.errors/clock/calendar/policy."""
    files = sorted(DOMAIN.rglob("*.py"))
    assert files, f"no domain modules found under {DOMAIN}"
    offending = [f"{path.name}: {module}" for path in files for module in _imports(path) if not _allowed(module)]
    assert offending == []
