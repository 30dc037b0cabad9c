"""Architecture checks by import walking: a package imports only what it may."""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterable
from pathlib import Path


def imported_modules(path: Path, own_package: str) -> list[str]:
    """Every module a source file imports; relative imports count as ``own_package``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                names.append(own_package)
            elif node.module:
                names.append(node.module)
    return names


def _allowed(module: str, allowed: tuple[str, ...]) -> bool:
    if module.split(".")[0] in sys.stdlib_module_names:
        return True
    return any(module == prefix or module.startswith(prefix + ".") for prefix in allowed)


def assert_package_imports_only(package_dir: Path, own_package: str, allowed: Iterable[str]) -> None:
    """Every ``*.py`` under ``package_dir`` (the package ``own_package``) imports only the
    standard library, its own package and the ``allowed`` modules (each with its submodules)."""
    prefixes = (own_package, *allowed)
    files = sorted(package_dir.rglob("*.py"))
    assert files, f"no modules found under {package_dir}"
    offenders = sorted(
        f"{path.name}: {module}"
        for path in files
        for module in imported_modules(path, own_package)
        if not _allowed(module, prefixes)
    )
    assert offenders == [], offenders
