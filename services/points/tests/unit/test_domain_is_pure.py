import ast
import sys
from pathlib import Path

DOMAIN = Path(__file__).resolve().parents[2] / "src" / "points_service" / "domain"
ALLOWED_PREFIXES = ("ppcore.errors", "ppcore.clock", "ppcore.calendar", "ppcore.policy", "points_service.domain")


def _imported_modules(source: str) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def _allowed(module: str) -> bool:
    root = module.split(".")[0]
    if root in sys.stdlib_module_names:
        return True
    return any(module == p or module.startswith(p + ".") for p in ALLOWED_PREFIXES)


def test_domain_is_pure():
    """The domain imports only the stdlib and ppcore's errors, clock, calendar and policy (ARCHITECTURE)."""
    offenders = [
        f"{path.name}: {module}"
        for path in sorted(DOMAIN.glob("*.py"))
        for module in _imported_modules(path.read_text(encoding="utf-8"))
        if not _allowed(module)
    ]
    assert sorted(DOMAIN.glob("*.py")), "domain package not found"
    assert offenders == []
