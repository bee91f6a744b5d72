"""Imports left to Oxigraph: triples kept as documents, checks run while the write is hidden."""

from __future__ import annotations

import io
import threading
from pathlib import Path

import pyoxigraph as ox
import pytest

from graph.engine.snapshots import VersionedStore
from graph.errors import ShapeViolation
from graph.ingest.loading import import_source
from graph.namespaces import graph_iri
from graph.store import Store, open_store
from graph.store.content import Serialized

GRAPH = graph_iri("native")
OLD = graph_iri("native-old")
EX = "https://example.org/"
ORG = "http://www.w3.org/ns/org#Organization"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def t(s: str, o: str) -> ox.Triple:
    return ox.Triple(ox.NamedNode(EX + s), ox.NamedNode(LABEL), ox.Literal(o))


def dump(store: Store) -> list[bytes]:
    out = io.BytesIO()
    store.dump(out, ox.RdfFormat.N_QUADS)
    return sorted(out.getvalue().splitlines())


def triples_of(store: Store, graph: str) -> set[str]:
    rows = store.query("SELECT ?s ?p ?o WHERE { ?s ?p ?o }", default_graph=[graph],
                       named_graphs=[])
    assert isinstance(rows, ox.QuerySolutions)
    return {f"{r['s']} {r['p']} {r['o']}" for r in rows}


# -- Serialized -----------------------------------------------------------------------------

def test_a_serialized_graph_reads_as_its_triples() -> None:
    source = ox.Store()
    source.extend(ox.Quad(x.subject, x.predicate, x.object)
                  for x in (t("a", "line\nbreak"), t("b", "β")))
    content = Serialized.dumped(source, ox.DefaultGraph())
    assert len(content) == 2   # the line break in the literal is escaped
    assert set(content) == {t("a", "line\nbreak"), t("b", "β")}
    assert content[0] in {t("a", "line\nbreak"), t("b", "β")}
    target = ox.Store()
    content.load_into(target, ox.NamedNode(GRAPH))
    assert {q.triple for q in target.quads_for_pattern(None, None, None,
                                                       ox.NamedNode(GRAPH))} == set(content)


def test_a_document_of_another_format_keeps_its_base_and_count() -> None:
    turtle = b'<a> <http://www.w3.org/2000/01/rdf-schema#label> "x" .'
    with pytest.raises(ValueError, match="count"):
        Serialized(turtle, format=ox.RdfFormat.TURTLE)
    content = Serialized(turtle, 1, format=ox.RdfFormat.TURTLE, base_iri=EX)
    assert list(content) == [t("a", "x")]
    target = ox.Store()
    content.load_into(target)
    assert [q.triple for q in target] == [t("a", "x")]


def test_the_parse_store_is_lent_once() -> None:
    parsed = ox.Store()
    content = Serialized(b"", 0, store=parsed)
    assert content.take_store() is parsed
    assert content.take_store() is None


# -- imports ----------------------------------------------------------------------------------

def test_relative_iris_of_a_turtle_import_are_resolved_against_the_base(store: Store) -> None:
    data = b'<org/a> <http://www.w3.org/2000/01/rdf-schema#label> "A" .'
    import_source(store, data, graph=GRAPH, format="turtle", imported_by="tests",
                  base_iri=EX, validate=False)
    assert triples_of(store, GRAPH) == {f"<{EX}org/a> <{LABEL}> \"A\""}


@pytest.mark.parametrize("format", ["turtle", "n-triples", "rdf/xml", "trig"])
def test_blank_nodes_of_an_import_hold_together_and_apart_from_another(
        store: Store, format: str) -> None:
    turtle = (f'<{EX}org> <{EX}address> _:x . _:x <{EX}city> "Lyon" . '
              f'<{EX}org> <{EX}contact> [ <{EX}city> "Nantes" ] .').encode()
    parsed = ox.parse(turtle, ox.RdfFormat.TURTLE)
    wanted = ox.RdfFormat.from_media_type({"turtle": "text/turtle",
                                           "n-triples": "application/n-triples",
                                           "rdf/xml": "application/rdf+xml",
                                           "trig": "application/trig"}[format])
    assert wanted is not None
    data = ox.serialize(parsed, format=wanted) if format != "trig" else turtle
    assert data is not None
    for graph in (GRAPH, OLD):
        import_source(store, data, graph=graph, format=format, imported_by="tests",
                      validate=False)
    rows = store.query(f"""SELECT ?city (COUNT(DISTINCT ?node) AS ?n) WHERE {{
        GRAPH ?g {{ <{EX}org> ?p ?node . ?node <{EX}city> ?city }} }} GROUP BY ?city""")
    assert isinstance(rows, ox.QuerySolutions)
    # each import's blank nodes are its own: two per city, each still joined to its org
    assert {(r["city"].value, int(r["n"].value)) for r in rows} == {("Lyon", 2), ("Nantes", 2)}


def test_a_refused_import_of_a_large_graph_changes_nothing(store: Store,
                                                           tmp_path: Path) -> None:
    good = "".join(f'<{EX}org/{i}> <{TYPE}> <{ORG}> .\n<{EX}org/{i}> <{LABEL}> "O{i}" .\n'
                   for i in range(3000))
    import_source(store, good.encode(), graph=OLD, format="n-triples", imported_by="tests")
    before = dump(store)
    # the last organisation has no name, against the core shapes (written alongside)
    bad = good.replace(f'<{EX}org/2999> <{LABEL}> "O2999" .\n', "").replace(
        f"<{EX}org/", f"<{EX}new/")
    with pytest.raises(ShapeViolation):
        import_source(store, bad.encode(), graph=GRAPH, format="n-triples",
                      imported_by="tests")
    with pytest.raises(ShapeViolation):
        import_source(store, bad.encode(), graph=OLD, format="n-triples",
                      imported_by="tests")
    assert dump(store) == before


# -- the store: checks alongside the hidden write ---------------------------------------------

@pytest.mark.parametrize("existing", [False, True], ids=["new graph", "replaced graph"])
def test_checks_run_while_the_new_content_is_hidden(store: Store, existing: bool) -> None:
    if existing:
        store.replace_graphs({GRAPH: [t("old", "old")]})
    content = Serialized(b"".join(f'<{EX}n{i}> <{LABEL}> "n" .\n'.encode()
                                  for i in range(5000)))
    seen: dict[str, object] = {}
    thread = threading.get_ident()

    def checking() -> None:
        seen["thread"] = threading.get_ident()
        seen["triples"] = triples_of(store, GRAPH)
        seen["graphs"] = store.graphs()
        seen["union"] = bool(store.query(f"ASK {{ <{EX}n1> ?p ?o }}"))

    store.replace_graphs({GRAPH: content}, checking=checking)
    assert seen["thread"] == thread
    assert seen["triples"] == ({f"<{EX}old> <{LABEL}> \"old\""} if existing else set())
    assert (GRAPH in seen["graphs"]) is existing   # type: ignore[operator]
    assert seen["union"] is False
    assert len(triples_of(store, GRAPH)) == 5000


@pytest.mark.parametrize("existing", [False, True], ids=["new graph", "replaced graph"])
def test_a_check_that_refuses_leaves_the_store_as_it_was(store: Store, existing: bool) -> None:
    if existing:
        store.replace_graphs({GRAPH: [t("old", "old")]})
    before = dump(store)
    content = Serialized(b"".join(f'<{EX}n{i}> <{LABEL}> "n" .\n'.encode()
                                  for i in range(5000)))

    def refuse() -> None:
        raise ShapeViolation([], source="test")

    with pytest.raises(ShapeViolation):
        store.replace_graphs({GRAPH: content, OLD: [t("x", "x")]}, checking=refuse)
    assert dump(store) == before
    store.replace_graphs({GRAPH: [t("after", "after")]})   # and the store still writes
    assert triples_of(store, GRAPH) == {f"<{EX}after> <{LABEL}> \"after\""}


def test_a_refused_write_is_no_new_version(tmp_path: Path) -> None:
    versioned = VersionedStore(open_store(str(tmp_path / "store")))

    def refuse() -> None:
        raise ShapeViolation([], source="test")

    with pytest.raises(ShapeViolation):
        versioned.replace_graphs({GRAPH: [t("a", "a")]}, checking=refuse)
    assert (versioned.version, versioned.changes, versioned.written) == (0, 0, {})
    versioned.replace_graphs({GRAPH: [t("a", "a")]}, checking=lambda: None)
    assert (versioned.version, versioned.changes, versioned.written) == (1, 1, {GRAPH: 1})
    versioned.close()
