"""What the store would hold but not give back is refused at every door
(``graph.ingest.checking._refuse_unreadable``): a triple term (RDF 1.2), which the privacy
guard, the shapes and the erasure of a person do not read, and a term longer than a query
worker reads back, which an update can build at run time."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from graph.errors import BoundExceeded, InputError
from graph.ingest import writing
from graph.namespaces import GRAPH
from tests.graph.ingest.test_writing import state
from tests.support.stores import load_example, memory_store

NOTES = GRAPH + "notes-terms"
PERSON = "https://w3id.org/civicgraph/id/person/personne-02"
FOAF = "http://xmlns.com/foaf/0.1/"
TERM = ox.Triple(ox.NamedNode(PERSON), ox.NamedNode(FOAF + "name"), ox.Literal("Name Of 02"))
SAYS = ox.Triple(ox.NamedNode("urn:e:x"), ox.NamedNode("urn:e:says"), TERM)


@pytest.mark.parametrize("door", ["replace", "add", "update data", "update", "update at random"])
def test_a_triple_term_is_refused_at_every_door(door: str) -> None:
    store = load_example(memory_store())
    before = state(store)
    # an update with a template is refused by the privacy guard's reading (rdflib reads no
    # triple term); data, by what the store would hold
    with pytest.raises(InputError, match="triple term" if door != "update" and
                       "random" not in door else None):
        if door == "update data":
            writing.apply_update(store, f"""INSERT DATA {{ GRAPH <{NOTES}> {{ <urn:e:x>
                <urn:e:says> <<( <{PERSON}> <{FOAF}name> "Name Of 02" )>> }} }}""", who="tests")
        elif door == "replace":
            writing.replace(store, {NOTES: [SAYS]}, None, source="test", who="tests")
        elif door == "add":
            writing.add(store, NOTES, [SAYS], who="tests", source="test")
        else:
            value = "RAND()" if door == "update at random" else "1"
            writing.apply_update(store, f"""INSERT {{ GRAPH <{NOTES}> {{ <urn:e:x> <urn:e:says>
                <<( <{PERSON}> <{FOAF}name> "Name Of 02" )>> ; <urn:e:n> ?v }} }}
                WHERE {{ BIND({value} AS ?v) }}""", who="tests")
    assert state(store) == before


def test_a_literal_an_update_builds_past_what_a_query_reads_back_is_refused() -> None:
    """738 bytes of update make a 32 MiB literal by CONCAT: written, it made every later
    query of the store fail."""
    store = memory_store()
    binds = " ".join(f"BIND(CONCAT(?v{n}, ?v{n}) AS ?v{n + 1})" for n in range(21))
    with pytest.raises(BoundExceeded, match="N-Triples"):
        writing.apply_update(store, f"""INSERT {{ GRAPH <{NOTES}> {{ <urn:s> <urn:p> ?v21 }} }}
            WHERE {{ BIND("aaaaaaaaaaaaaaaa" AS ?v0) {binds} }}""", who="tests")
    assert NOTES not in store.graphs()
    assert bool(store.query("ASK {}"))


def test_a_literal_of_a_few_mebibytes_is_still_written() -> None:
    store = memory_store()
    big = ox.Triple(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.Literal("a" * (4 << 20)))
    writing.replace(store, {NOTES: [big]}, None, source="test", who="tests", validate=False)
    assert store.count(NOTES) == 1


@pytest.mark.parametrize(("fmt", "body"), [
    ("text/turtle", f'<urn:e:x> <urn:e:says> <<( <{PERSON}> <{FOAF}name> "N" )>> .'),
    ("application/n-triples", f'<urn:e:x> <urn:e:says> <<( <{PERSON}> <{FOAF}name> "N" )>> .'),
])
def test_a_triple_term_in_a_document_is_refused(fmt: str, body: str) -> None:
    from graph.ingest.graphstore import parse_triples

    store = load_example(memory_store())
    before = state(store)
    triples = parse_triples(body.encode(), fmt)
    assert any(isinstance(t.object, ox.Triple) for t in triples)
    with pytest.raises(InputError, match="triple term"):
        writing.replace(store, {NOTES: triples}, None, source="test", who="tests")
    assert state(store) == before
