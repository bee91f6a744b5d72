"""The house's import rules: no cycle anywhere, and the layers point one way.

``api`` -> ``visualisations`` -> ``graph`` -> ``ontology``; ``graph`` never imports the web
framework nor reads the environment (configuration is read once, in ``api/settings.py``).
Imports inside functions and under ``TYPE_CHECKING`` count: grimp reads every import
statement of every module.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import grimp
import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("graph", "api", "visualisations")


@cache
def imports() -> grimp.ImportGraph:
    return grimp.build_graph(*PACKAGES, include_external_packages=True, cache_dir=None)


def _edges() -> nx.DiGraph:
    found = imports()
    edges = nx.DiGraph()
    for module in found.modules:
        if module.split(".")[0] in PACKAGES:
            edges.add_edges_from((module, target)
                                 for target in found.find_modules_directly_imported_by(module))
    return edges


def _where(importer: str, imported: str) -> str:
    details = imports().get_import_details(importer=importer, imported=imported)
    return "; ".join(f"{importer}:{d['line_number']} {d['line_contents']}" for d in details)


def test_no_module_takes_part_in_an_import_cycle() -> None:
    edges = _edges()
    cycles = [sorted(group) for group in nx.strongly_connected_components(edges)
              if len(group) > 1]
    shown = []
    for group in cycles:
        members = set(group)
        shown.append(" <-> ".join(group) + "\n    " + "\n    ".join(
            _where(a, b) for a, b in edges.subgraph(members).edges))
    assert not cycles, "import cycles:\n" + "\n".join(shown)


@pytest.mark.parametrize(("layer", "forbidden"), [
    ("graph", ("api", "visualisations", "fastapi", "starlette", "uvicorn")),
    ("visualisations", ("api", "fastapi", "starlette", "uvicorn")),
])
def test_layers_point_one_way(layer: str, forbidden: tuple[str, ...]) -> None:
    found = imports()
    wrong = [_where(module, target)
             for module in sorted(found.modules) if module.split(".")[0] == layer
             for target in sorted(found.find_modules_directly_imported_by(module))
             if target.split(".")[0] in forbidden]
    assert not wrong, f"{layer} imports what it must not:\n" + "\n".join(wrong)


#: what the store (interface and backends) may import of graph: nothing above it
STORE_MAY_IMPORT = ("graph.store", "graph.errors", "graph.namespaces", "graph.sparql.lexer")


def test_the_store_imports_nothing_above_it() -> None:
    found = imports()
    wrong = [_where(module, target)
             for module in sorted(found.modules) if module.startswith("graph.store")
             for target in sorted(found.find_modules_directly_imported_by(module))
             if target.split(".")[0] == "graph"
             and not any(target == m or target.startswith(m + ".") for m in STORE_MAY_IMPORT)]
    assert not wrong, "the store reaches above itself:\n" + "\n".join(wrong)


def _reads_environment(tree: ast.AST) -> list[int]:
    """Lines that read the process environment: ``os.environ``, ``os.getenv``, or those
    names imported from ``os``."""
    names = ("environ", "getenv", "environb")

    def reads(node: ast.AST) -> bool:
        if isinstance(node, ast.Attribute):
            return node.attr in names and isinstance(node.value, ast.Name) \
                and node.value.id == "os"
        if isinstance(node, ast.ImportFrom):
            return node.module == "os" and any(a.name in names for a in node.names)
        return False

    return [node.lineno for node in ast.walk(tree) if reads(node)]  # type: ignore[attr-defined]


def test_graph_never_reads_the_environment() -> None:
    found = [f"{path.relative_to(ROOT)}:{line}"
             for path in sorted((ROOT / "graph").rglob("*.py"))
             for line in _reads_environment(ast.parse(path.read_text(encoding="utf-8")))]
    assert not found, "graph reads the environment (read it in api/settings.py):\n" + \
        "\n".join(found)


@pytest.mark.parametrize(("source", "reads"), [
    ("import os\nos.environ['X']", True),
    ("import os\nos.getenv('X')", True),
    ("from os import environ", True),
    ("import os\nos.path.join('a')", False),
])
def test_the_environment_check_sees_what_it_must(source: str, reads: bool) -> None:
    assert bool(_reads_environment(ast.parse(source))) is reads
