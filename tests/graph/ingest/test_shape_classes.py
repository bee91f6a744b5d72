"""``sh:class`` as the compiled shapes test it: one ``NOT EXISTS`` per class and subclass
(``graph.ingest.shape_patterns``, written out by ``shape_queries.run``), against pyrudof.

The test was ``NOT EXISTS { ?v a ?k FILTER(?k IN (...)) }`` until its time grew faster than
the data where many nodes point at one value (bench/RESULTS.md, "where the checks grow faster
than the data"); these cases check that the rewrite finds the same violations: a value typed
with a subclass of a subclass (declared in the data), one typed with a superclass only, an
untyped one, a literal, and the class tested inside ``sh:node`` and ``sh:or``, on a value many
nodes share.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from graph.errors import Violation
from graph.ingest import validation
from graph.ingest.validation import validate
from graph.vocabulary import shapes_path

EX = "http://example.org/"
CG = "https://w3id.org/civicgraph/ns#"
PROV = "http://www.w3.org/ns/prov#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .

ex:ItemShape a sh:NodeShape ; sh:targetClass ex:Item ;
    sh:property [ sh:path ex:madeBy ; sh:class ex:Maker ] ;
    sh:property [ sh:path ex:sortOf ; sh:node ex:MakerNode ] ;
    sh:property [ sh:path ex:either ; sh:or ( [ sh:class ex:Maker ] [ sh:class ex:Place ] ) ] .

ex:MakerNode a sh:NodeShape ; sh:class ex:Maker .
"""

DATA = """
@prefix ex: <http://example.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

ex:Maker rdfs:subClassOf ex:Agent .
ex:Studio rdfs:subClassOf ex:Maker .
ex:Workshop rdfs:subClassOf ex:Studio .

ex:hub a ex:Workshop .
ex:place a ex:Place .
ex:agent a ex:Agent .
ex:other a ex:Other .

ex:untyped-maker a ex:Item ; ex:madeBy ex:nobody .
ex:literal-maker a ex:Item ; ex:madeBy "a workshop" .
ex:super-maker a ex:Item ; ex:madeBy ex:agent .
ex:other-sort a ex:Item ; ex:sortOf ex:other .
ex:neither a ex:Item ; ex:either ex:agent .
ex:place-either a ex:Item ; ex:either ex:place .
"""

#: the items sharing ``ex:hub`` (as maker, sort and either): all conform
SHARED = 60


def _data() -> list[ox.Quad]:
    quads = list(ox.parse(DATA, format=ox.RdfFormat.TURTLE))
    hub = ox.NamedNode(EX + "hub")
    for n in range(SHARED):
        item = ox.NamedNode(f"{EX}item-{n}")
        quads.append(ox.Quad(item, ox.NamedNode(RDF_TYPE), ox.NamedNode(EX + "Item")))
        for predicate in ("madeBy", "sortOf", "either"):
            quads.append(ox.Quad(item, ox.NamedNode(EX + predicate), hub))
    return quads


def _keys(results: list[Violation]) -> set[tuple[str, str | None, str, str | None]]:
    return {(v.focus_node, v.path, v.constraint, v.value) for v in results}


def test_a_class_is_found_through_subclasses_and_missed_as_rudof_misses_it(
        tmp_path: Path) -> None:
    shapes = tmp_path / "classes.ttl"
    shapes.write_text(SHAPES)
    compiled = _keys(validate(_data(), shapes, engine="sparql", vocabulary=[]))
    assert compiled == _keys(validate(_data(), shapes, engine="pyrudof", vocabulary=[]))
    assert {(focus.removeprefix(EX), constraint) for focus, _, constraint, _ in compiled} == {
        ("untyped-maker", "sh:ClassConstraintComponent"),
        ("literal-maker", "sh:ClassConstraintComponent"),
        ("super-maker", "sh:ClassConstraintComponent"),
        ("other-sort", "sh:NodeConstraintComponent"),
        ("neither", "sh:OrConstraintComponent"),
    }


def test_every_node_pointing_at_a_value_of_the_wrong_class_is_reported() -> None:
    """The generated data's survey of 2024 generated many usages: typed as something else,
    each of them breaks ``sh:class`` on ``prov:wasGeneratedBy``."""
    from graph.samples.synthetic import generate

    survey = ox.NamedNode("https://w3id.org/civicgraph/id/activity/s-enquete-2024")
    triples = [t for t in generate(4, seed=1)
               if not (t.subject == survey and t.predicate.value == RDF_TYPE)]
    triples.append(ox.Triple(survey, ox.NamedNode(RDF_TYPE), ox.NamedNode(CG + "Need")))
    generated = {t.subject.value for t in triples
                 if t.predicate.value == PROV + "wasGeneratedBy" and t.object == survey}
    assert len(generated) > 10
    store = ox.Store()
    store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    compiled = validation.errors(validate(store, shapes_path("core"), engine="sparql"))
    classes = {v.focus_node for v in compiled if v.constraint == "sh:ClassConstraintComponent"
               and v.path == PROV + "wasGeneratedBy"}
    assert generated <= classes
    assert _keys(compiled) == _keys(validation.errors(
        validate(store, shapes_path("core"), engine="pyrudof")))
