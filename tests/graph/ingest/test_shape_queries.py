"""The shapes compiled to SPARQL (``engine="sparql"``) against pyrudof, the reference engine.

Results are compared on what identifies them: focus node, path, constraint component, value
and severity (a property shape is a blank node, named anew on every parse, and rudof sometimes
generates its own message where the shape declares one).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.errors import Violation
from graph.ingest import shape_queries, validation
from graph.ingest.validation import validate
from graph.vocabulary import examples, shapes_path

CORE = shapes_path("core")
PUBLIC = shapes_path("public")
EXTRA = Path(__file__).parent / "shapes" / "extra.ttl"
CG = "https://w3id.org/civicgraph/ns#"
ID = "https://w3id.org/civicgraph/id/"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

Key = tuple[str, str | None, str, str | None, str]


def keys(results: list[Violation]) -> set[Key]:
    return {(v.focus_node, v.path, v.constraint, v.value, v.severity) for v in results}


def both(data: list[ox.Quad] | ox.Store, shapes: Path,
         vocabulary: list[ox.Triple] | None = None) -> tuple[set[Key], set[Key]]:
    """The results of the compiled shapes and of pyrudof on the same data."""
    return (keys(validate(data, shapes, engine="sparql", vocabulary=vocabulary)),
            keys(validate(data, shapes, engine="pyrudof", vocabulary=vocabulary)))


def parsed(path: Path) -> list[ox.Quad]:
    return list(ox.parse(path=path, format=ox.RdfFormat.TURTLE))


@pytest.mark.parametrize("path", examples("valid") + examples("invalid"), ids=lambda p: p.stem)
def test_the_compiled_shapes_agree_with_rudof_on_every_example(path: Path) -> None:
    public = path.name.startswith("public")
    compiled, reference = both(parsed(path), PUBLIC if public else CORE,
                               [] if public else None)
    assert compiled == reference
    assert bool(compiled) == (path.parent.name == "invalid")


def test_a_compiled_violation_names_node_path_constraint_shape_message_and_value() -> None:
    path = next(p for p in examples("invalid") if p.name == "tool-usage-observed-datetime.ttl")
    (violation,) = validation.errors(validate(parsed(path), CORE, engine="sparql"))
    assert violation == Violation(
        focus_node=f"{ID}usage/example", path=CG + "observedOn",
        constraint="sh:DatatypeConstraintComponent", shape=violation.shape,
        message="a tool usage has exactly one cg:observedOn, an xsd:date",
        value="2024-05-14T10:00:00", severity="Violation")
    assert violation.shape and violation.shape.startswith("_:")


# -- one fault of each kind the core shapes check, in generated data ---------------------------

def _replace(predicate: str, value: ox.NamedNode | ox.Literal) -> Callable[
        [list[ox.Triple], int], list[ox.Triple]]:
    """The ``n``-th triple of ``predicate`` gets ``value`` as its object."""
    def fault(triples: list[ox.Triple], n: int) -> list[ox.Triple]:
        found = [i for i, t in enumerate(triples) if t.predicate.value == predicate]
        i = found[n % len(found)]
        triples[i] = ox.Triple(triples[i].subject, triples[i].predicate, value)
        return triples
    return fault


def _drop(predicate: str) -> Callable[[list[ox.Triple], int], list[ox.Triple]]:
    def fault(triples: list[ox.Triple], n: int) -> list[ox.Triple]:
        found = [i for i, t in enumerate(triples) if t.predicate.value == predicate]
        del triples[found[n % len(found)]]
        return triples
    return fault


def _second(predicate: str, value: ox.NamedNode | ox.Literal) -> Callable[
        [list[ox.Triple], int], list[ox.Triple]]:
    """The subject of the ``n``-th triple of ``predicate`` gets a second value."""
    def fault(triples: list[ox.Triple], n: int) -> list[ox.Triple]:
        found = [t for t in triples if t.predicate.value == predicate]
        triples.append(ox.Triple(found[n % len(found)].subject, ox.NamedNode(predicate), value))
        return triples
    return fault


def _date(text: str, datatype: str = "date") -> ox.Literal:
    return ox.Literal(text, datatype=ox.NamedNode(XSD + datatype))


#: fault -> (how to make it, the constraint it breaks)
FAULTS: dict[str, tuple[Callable[[list[ox.Triple], int], list[ox.Triple]], str]] = {
    "no observation date": (_drop(CG + "observedOn"), "sh:MinCountConstraintComponent"),
    "no label": (_drop("http://www.w3.org/2000/01/rdf-schema#label"),
                 "sh:MinCountConstraintComponent"),
    "two statuses": (_second(CG + "status", ox.NamedNode(ID + "status/trial")),
                     "sh:MaxCountConstraintComponent"),
    "organisation is software": (_replace(CG + "organisation", ox.NamedNode(
        ID + "software/loomio")), "sh:ClassConstraintComponent"),
    "tool is an organisation": (_replace(CG + "tool", ox.NamedNode(ID + "org/vecam")),
                                "sh:OrConstraintComponent"),
    "observed at a moment": (_replace(CG + "observedOn", _date("2024-05-14T10:00:00",
                                                               "dateTime")),
                             "sh:DatatypeConstraintComponent"),
    "ill-formed boolean": (_replace(CG + "isFreeSoftware", _date("maybe", "boolean")),
                           "sh:DatatypeConstraintComponent"),
    "practice of another scheme": (_replace(CG + "practice", ox.NamedNode(
        ID + "tool-category/pad")), "sh:NodeConstraintComponent"),
    "licence as text": (_replace("https://schema.org/license", ox.Literal("MIT")),
                        "sh:NodeKindConstraintComponent"),
    "short INSEE code": (_replace("http://rdf.insee.fr/def/geo#codeINSEE",
                                  ox.Literal("9348")), "sh:PatternConstraintComponent"),
    "unknown hosting": (_replace(CG + "hostingKind", ox.NamedNode(CG + "Public")),
                        "sh:InConstraintComponent"),
    "ends before it starts": (_replace("https://schema.org/endDate", _date("1990-01-01")),
                              "sh:LessThanOrEqualsConstraintComponent"),
    "wave zero": (_replace(CG + "waveNumber", ox.Literal(0)),
                  "sh:MinInclusiveConstraintComponent"),
}


def _generated() -> list[ox.Triple]:
    from graph.samples.synthetic import generate

    return list(generate(4, seed=1))


def _store(triples: list[ox.Triple]) -> ox.Store:
    store = ox.Store()
    store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    return store


def test_generated_data_conforms() -> None:
    compiled, reference = both(_store(_generated()), CORE)
    assert compiled == reference
    assert not validation.errors([Violation(k[0], k[1], k[2], None, "", k[3], k[4])
                                  for k in compiled])


@pytest.mark.parametrize("fault", FAULTS, ids=str)
def test_each_fault_is_found_as_rudof_finds_it(fault: str) -> None:
    make, constraint = FAULTS[fault]
    compiled, reference = both(_store(make(_generated(), 0)), CORE)
    assert constraint in {k[2] for k in compiled}, sorted(compiled)
    assert compiled == reference


@pytest.mark.slow
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(sorted(FAULTS)), st.integers(0, 40)), max_size=5))
def test_the_compiled_shapes_agree_with_rudof_on_generated_faults(
        faults: list[tuple[str, int]]) -> None:
    triples = _generated()
    for fault, n in faults:
        triples = FAULTS[fault][0](triples, n)
    compiled, reference = both(_store(triples), CORE)
    assert compiled == reference


# -- the features the shapes civicgraph ships do not use, on shapes of the tests' own ----------

EXTRA_CASES = {
    # focus (under http://example.org/) -> the one constraint it breaks; the others conform
    "disjoint-bad": "sh:DisjointConstraintComponent",
    "less-than-bad": "sh:LessThanConstraintComponent",
    "lengths-short": "sh:MinLengthConstraintComponent",
    "lengths-long": "sh:MaxLengthConstraintComponent",
    "range-low": "sh:MinExclusiveConstraintComponent",
    "range-high": "sh:MaxInclusiveConstraintComponent",
    "language-bad": "sh:LanguageInConstraintComponent",
    "not-bad": "sh:NotConstraintComponent",
    "and-bad": "sh:AndConstraintComponent",
    "unique-bad": "sh:UniqueLangConstraintComponent",
    "qualified-many": "sh:QualifiedMaxCountConstraintComponent",
    '"named-target"': "sh:NodeKindConstraintComponent",   # a literal focus node
    "subject-target": "sh:MaxCountConstraintComponent",
    "object-target": "sh:ClassConstraintComponent",
    "alternative-bad": "sh:MinCountConstraintComponent",
    "closure-bad": "sh:HasValueConstraintComponent",
    "implicit-bad": "sh:MinCountConstraintComponent",
    "blank-kind-bad": "sh:NodeKindConstraintComponent",
}


def test_every_extra_feature_is_found_as_rudof_finds_it() -> None:
    data = parsed(EXTRA.with_name("extra-data.ttl"))
    compiled, reference = both(data, EXTRA, [])
    assert compiled == reference
    found = {(k[0].removeprefix("http://example.org/"), k[2]) for k in compiled}
    assert found == set(EXTRA_CASES.items())


# -- what is not compiled falls back; the data is left as it was -------------------------------

UNSUPPORTED = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
<http://example.org/S> a sh:NodeShape ; sh:targetNode <http://example.org/a> ;
    sh:sparql [ sh:select "SELECT $this WHERE { $this ?p ?o }" ] .
"""


def test_a_feature_not_compiled_falls_back_to_rudof(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    shapes = tmp_path / "sparql-constraint.ttl"
    shapes.write_text(UNSUPPORTED)
    with pytest.raises(shape_queries.Unsupported, match="sh:sparql"):
        validate([], shapes, engine="sparql")
    used: list[str] = []
    real = validation._with_rudof

    def spy(data: Path, shapes: Path) -> list[Violation]:
        used.append("pyrudof")
        return real(data, shapes)

    monkeypatch.setattr(validation, "_with_rudof", spy)
    validate([], shapes, vocabulary=[])
    assert used == ["pyrudof"]


def test_the_default_engine_is_the_compiled_one(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object) -> None:
        raise AssertionError("pyrudof was run")

    monkeypatch.setattr(validation, "_with_rudof", refuse)
    path = next(p for p in examples("invalid") if p.name == "wave-no-number.ttl")
    assert validation.errors(validate(parsed(path), CORE))
    public = next(p for p in examples("invalid") if p.name == "public-withdrawn-consent.ttl")
    assert validation.errors(validate(parsed(public), PUBLIC, vocabulary=[]))


def test_a_store_validated_is_left_as_it_was() -> None:
    store = _store(_generated())
    before = set(store)
    validate(store, CORE, engine="sparql")
    assert set(store) == before
    assert list(store.named_graphs()) == []
