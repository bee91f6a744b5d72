"""The house rules of the tests: plain helpers are shared through ``tests/support/``, so no
module imports another folder's ``conftest.py``, and ``bench/`` imports nothing from ``tests/``
(what the benchmarks share with the tests is in ``bench/servers.py``)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in ``path``, relative ones resolved."""
    package = ".".join(path.relative_to(ROOT).parent.parts)
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1]
            prefix = ".".join(base) + "." if node.level else ""
            module = prefix + (node.module or "")
            # ``from tests.x import conftest`` names the module in the alias
            found += [(node.lineno, module)]
            found += [(node.lineno, f"{module}.{alias.name}") for alias in node.names
                      if alias.name == "conftest"]
    return found


def python_files(folder: str) -> list[Path]:
    return sorted(p for p in (ROOT / folder).rglob("*.py") if "__pycache__" not in p.parts)


def foreign_conftests(path: Path) -> list[str]:
    own = ".".join(path.relative_to(ROOT).parent.parts) + ".conftest"
    return [f"{path.relative_to(ROOT)}:{line} imports {module}"
            for line, module in imported_modules(path)
            if module.endswith(".conftest") and module != own]


def test_the_rule_sees_imports() -> None:
    # the check below must recognise the imports it forbids, or it proves nothing
    sample = ROOT / "tests" / "api" / "test_sparql.py"
    modules = {module for _, module in imported_modules(sample)}
    assert "tests.support.live" in modules


@pytest.mark.parametrize("path", python_files("tests"), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_imports_another_folders_conftest(path: Path) -> None:
    found = foreign_conftests(path)
    assert not found, f"move the helper into tests/support/ and import it from there: {found}"


@pytest.mark.parametrize("path", python_files("bench"), ids=lambda p: str(p.relative_to(ROOT)))
def test_bench_imports_nothing_from_tests(path: Path) -> None:
    found = [f"line {line}: {module}" for line, module in imported_modules(path)
             if module == "tests" or module.startswith("tests.")]
    assert not found, (f"{path.relative_to(ROOT)} imports from tests/ (share it through "
                       f"bench/servers.py instead): {found}")
