"""Every file under ontology/ parses, and the package holds no Python."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph

from graph.vocabulary import ontology_dir

TURTLE = sorted(ontology_dir().rglob("*.ttl"))


def test_there_are_turtle_files_to_check() -> None:
    assert len(TURTLE) >= 20


@pytest.mark.parametrize("path", TURTLE, ids=lambda p: str(p.relative_to(ontology_dir())))
def test_turtle_parses_with_oxigraph_and_rdflib(path: Path) -> None:
    quads = list(ox.parse(path=path, format=ox.RdfFormat.TURTLE))
    graph = Graph().parse(path, format="turtle")
    assert quads, "empty file"
    assert len(graph) == len({q.triple for q in quads})


def test_context_is_json_with_a_context() -> None:
    document = json.loads((ontology_dir() / "context.jsonld").read_text(encoding="utf-8"))
    assert set(document) == {"@context"}
    assert document["@context"]["@version"] == 1.1


def test_ontology_is_data_only() -> None:
    """ontology/ is a namespace package shipped as data: no Python, no __init__.py."""
    assert not list(ontology_dir().rglob("*.py"))


def test_no_other_file_kinds() -> None:
    suffixes = {p.suffix for p in ontology_dir().rglob("*") if p.is_file()}
    assert suffixes <= {".ttl", ".jsonld", ".md"}
