"""The house rules of architecture.md, checked mechanically."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "dm_bot"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_domain_imports_only_the_standard_library_and_itself() -> None:
    offenders = []
    for path in sorted((PACKAGE / "domain").rglob("*.py")):
        for name in _imports(path):
            top = name.split(".")[0]
            if name.startswith("dm_bot.domain") or top == "__future__" or top in sys.stdlib_module_names:
                continue
            offenders.append(f"{path.name}: {name}")
    assert offenders == []


def test_only_the_composition_roots_are_loose_at_the_top() -> None:
    loose = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert loose == ["__init__.py", "__main__.py", "app.py", "cli.py", "settings.py"]


def test_the_driving_adapters_read_the_store_by_role_and_never_hold_it_whole() -> None:
    whole = [
        str(path.relative_to(PACKAGE))
        for folder in ("web", "telegram_bot")
        for path in sorted((PACKAGE / folder).rglob("*.py"))
        if "SqlStore" in path.read_text(encoding="utf-8") or "dm_bot.app" in _imports(path)
    ]
    assert whole == []


def test_no_module_is_longer_than_300_lines() -> None:
    long = [
        f"{p.relative_to(PACKAGE)}: {n}"
        for p in sorted(PACKAGE.rglob("*.py"))
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 300
    ]
    assert long == []


def test_only_the_clock_reads_the_wall_clock() -> None:
    readers = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "clock.py" or "bench" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        if "datetime.now(" in text or "datetime.utcnow(" in text:
            readers.append(str(path.relative_to(PACKAGE)))
    assert readers == []


def _import_time_statements(body: list[ast.stmt]) -> list[ast.stmt]:
    """Statements that run when the module is imported (function bodies do not)."""
    out: list[ast.stmt] = []
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            out.extend(ast.Expr(d) for d in node.decorator_list)
        elif isinstance(node, ast.ClassDef):
            out.extend(_import_time_statements(node.body))
        else:
            out.append(node)
    return out


def test_nothing_reads_the_environment_at_import_time() -> None:
    readers = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in _import_time_statements(tree.body):
            if "os.environ" in ast.unparse(node) or "getenv" in ast.unparse(node):
                readers.append(str(path.relative_to(PACKAGE)))
    assert readers == []
