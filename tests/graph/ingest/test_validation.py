"""SHACL validation: both engines agree with the examples' expectations and report fully."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from graph.errors import Violation
from graph.ingest import validation
from graph.ingest.validation import errors, validate
from graph.vocabulary import examples, shapes_path

CORE = shapes_path("core")
USAGE = "https://w3id.org/civicgraph/id/usage/example"
_EXPECT = re.compile(r"^# expect: (sh:\w+) on <([^>]+)>", re.MULTILINE)

CONCEPT_WITHOUT_DEFINITION = b"""
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<https://w3id.org/civicgraph/id/practice/undefined-practice> a skos:Concept ;
    skos:prefLabel "pratique sans definition"@fr , "practice without a definition"@en ;
    skos:inScheme <https://w3id.org/civicgraph/id/scheme/practice> ;
    skos:broader <https://w3id.org/civicgraph/id/practice/decision-making> .
"""


def triples(path: Path) -> list[ox.Quad]:
    return list(ox.parse(path=path, format=ox.RdfFormat.TURTLE))


def core_examples(kind: str) -> list[Path]:
    """The examples of the core shapes (the public-profile ones are another shape set)."""
    return [p for p in examples(kind) if not p.name.startswith("public")]


@pytest.mark.parametrize("path", core_examples("valid"), ids=lambda p: p.stem)
def test_valid_examples_conform_with_rudof(path: Path) -> None:
    assert errors(validate(triples(path), CORE, engine="pyrudof")) == []


@pytest.mark.parametrize("path", core_examples("invalid"), ids=lambda p: p.stem)
def test_invalid_examples_report_the_expected_constraint_with_rudof(path: Path) -> None:
    found = errors(validate(triples(path), CORE, engine="pyrudof"))
    assert found, f"{path.name} should not conform"
    for constraint, focus in _EXPECT.findall(path.read_text()):
        assert any(v.constraint == constraint and v.focus_node == focus for v in found), (
            path.name, [str(v) for v in found])


@pytest.mark.slow
@pytest.mark.parametrize("path", core_examples("valid") + core_examples("invalid"),
                         ids=lambda p: p.stem)
def test_pyshacl_agrees_with_rudof_on_every_example(path: Path) -> None:
    def key(results: list[Violation]) -> set[tuple[str, str]]:
        return {(v.focus_node, v.constraint) for v in errors(results)}

    data = triples(path)
    assert key(validate(data, CORE, engine="pyshacl")) == key(
        validate(data, CORE, engine="pyrudof"))


@pytest.mark.parametrize("engine", ["pyrudof", "pyshacl"])
def test_a_violation_names_node_path_constraint_shape_message_and_value(engine: str) -> None:
    path = next(p for p in examples("invalid") if p.name == "tool-usage-observed-datetime.ttl")
    (violation,) = errors(validate(triples(path), CORE, engine=engine))  # type: ignore[arg-type]
    assert violation.focus_node == USAGE
    assert violation.path == "https://w3id.org/civicgraph/ns#observedOn"
    assert violation.constraint == "sh:DatatypeConstraintComponent"
    assert violation.shape
    assert violation.message == "a tool usage has exactly one cg:observedOn, an xsd:date"
    assert violation.value == "2024-05-14T10:00:00"
    assert violation.severity == "Violation"
    assert USAGE in str(violation) and "sh:DatatypeConstraintComponent" in str(violation)


@pytest.mark.parametrize("engine", ["pyrudof", "pyshacl"])
def test_warnings_are_results_but_not_errors(engine: str) -> None:
    data = list(ox.parse(CONCEPT_WITHOUT_DEFINITION, ox.RdfFormat.TURTLE))
    results = validate(data, CORE, engine=engine)  # type: ignore[arg-type]
    assert results and errors(results) == []
    assert {r.severity for r in results} == {"Warning"}


def test_the_vocabulary_is_part_of_the_data() -> None:
    path = next(p for p in examples("valid") if p.name == "tool-usage.ttl")
    # without the vocabulary, cg:Survey is not known to be a cg:ObservationActivity
    assert errors(validate(triples(path), CORE, vocabulary=[], engine="pyrudof"))
    assert errors(validate(triples(path), CORE, engine="pyrudof")) == []


def _key(v: Violation) -> tuple[str, str | None, str, str | None, str]:
    # the shape of a result may be a blank node, named anew on every run
    return (v.focus_node, v.path, v.constraint, v.value, v.message)


def _broken_synthetic(organisations: int) -> ox.Store:
    """Generated data with faults of several kinds, in several parts of the data."""
    from graph.samples.synthetic import generate

    store = ox.Store()
    cg = "https://w3id.org/civicgraph/ns#"
    for number, triple in enumerate(generate(organisations, seed=3)):
        predicate = triple.predicate.value
        if predicate == cg + "observedOn" and number % 7 == 0:
            continue                                   # a missing value (minCount)
        if predicate == cg + "tool" and number % 11 == 0:
            triple = ox.Triple(triple.subject, triple.predicate,  # a tool of the wrong class
                               ox.NamedNode("https://w3id.org/civicgraph/id/org/nowhere"))
        store.add(ox.Quad(triple.subject, triple.predicate, triple.object))
    usage = ox.BlankNode("loose")                      # a blank focus node hanging from nothing
    store.add(ox.Quad(usage, ox.NamedNode(RDF_TYPE), ox.NamedNode(cg + "ToolUsage")))
    return store


RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def _uncompilable(monkeypatch: pytest.MonkeyPatch) -> None:
    """Shapes the SPARQL compiler refuses, so that ``auto`` falls back to pyrudof."""
    from graph.ingest import shape_queries

    def refuse(files: object) -> None:
        raise shape_queries.Unsupported("sh:sparql", "a test shape")

    monkeypatch.setattr(shape_queries, "compile_shapes", refuse)


def test_validation_in_parts_gives_the_results_of_the_whole(
        monkeypatch: pytest.MonkeyPatch) -> None:
    _uncompilable(monkeypatch)
    store = _broken_synthetic(60)
    whole = validate(store, CORE, engine="pyrudof")
    assert len(errors(whole)) > 50
    constraints = {v.constraint for v in whole}
    assert {"sh:MinCountConstraintComponent", "sh:OrConstraintComponent"} <= constraints
    monkeypatch.setattr(validation, "PART_TRIPLES", 500)   # many small parts
    seen: list[int] = []
    real = validation._with_rudof

    def spy(data: Path, shapes: Path) -> list[Violation]:
        seen.append(1)
        return real(data, shapes)

    monkeypatch.setattr(validation, "_with_rudof", spy)
    parted = validate(store, CORE)
    assert len(seen) > 5
    assert {_key(v) for v in parted} == {_key(v) for v in whole}


def test_parts_fall_back_to_pyshacl_when_paths_are_not_plain(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from graph.ingest.partitioning import partitionable
    from graph.vocabulary import shapes_path

    _uncompilable(monkeypatch)
    assert partitionable(CORE)
    assert not partitionable(shapes_path("public"))   # inverse and sequence paths
    used: list[str] = []
    real = validation._with_pyshacl

    def spy(data: Path, shapes: Path) -> list[Violation]:
        used.append("pyshacl")
        return real(data, shapes)

    monkeypatch.setattr(validation, "_with_pyshacl", spy)
    monkeypatch.setattr(validation, "PART_TRIPLES", 10)
    path = next(p for p in examples("invalid") if p.name == "wave-no-number.ttl")
    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples(path))
    validate(store, shapes_path("public"))
    assert used == ["pyshacl"]


def test_unknown_engine_is_refused() -> None:
    with pytest.raises(ValueError, match="engine"):
        validate([], CORE, engine="magic")  # type: ignore[arg-type]
