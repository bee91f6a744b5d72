"""SHACL validation: both engines agree with the examples' expectations and report fully."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from graph import validation
from graph.errors import Violation
from graph.validation import errors, validate
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


def test_auto_switches_to_pyshacl_above_the_rudof_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    used: list[str] = []
    real = validation._with_pyshacl

    def spy(data: Path, shapes: Path) -> list[Violation]:
        used.append("pyshacl")
        return real(data, shapes)

    monkeypatch.setattr(validation, "_with_pyshacl", spy)
    path = next(p for p in examples("invalid") if p.name == "wave-no-number.ttl")
    small = validate(triples(path), CORE)
    assert used == []
    monkeypatch.setattr(validation, "RUDOF_MAX_TRIPLES", 10)
    large = validate(triples(path), CORE)
    assert used == ["pyshacl"]
    assert {(v.focus_node, v.constraint) for v in errors(small)} == {
        (v.focus_node, v.constraint) for v in errors(large)}


def test_unknown_engine_is_refused() -> None:
    with pytest.raises(ValueError, match="engine"):
        validate([], CORE, engine="magic")  # type: ignore[arg-type]
