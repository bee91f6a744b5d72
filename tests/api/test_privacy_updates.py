"""A curator's SPARQL Update may not put personal data into a public graph: refused with a
422 naming the graph and the triple, and the store is left as it was."""

from __future__ import annotations

import pytest

from graph.namespaces import FOAF, GRAPH, ID, ORG, VOCABULARY_GRAPH
from graph.privacy.persons import PUBLIC_PERSONS_GRAPH
from graph.store import Store
from tests.support.live import CURATOR_TOKEN, TestClient, app_client
from tests.support.stores import load_example, memory_store

CURATOR = {"Authorization": f"Bearer {CURATOR_TOKEN}",
           "Content-Type": "application/sparql-update"}
PUBLIC = GRAPH + "example"
MEMBERS = GRAPH + "example-members"
PERSON = ID + "person/intruder"
PERSONS = PUBLIC_PERSONS_GRAPH
COMMENT = "<http://www.w3.org/2000/01/rdf-schema#comment>"
NOTE = "<http://www.w3.org/2004/02/skos/core#note>"

REFUSED = {
    "INSERT DATA, a person": f"""INSERT DATA {{ GRAPH <{PUBLIC}> {{
        <{PERSON}> a <{FOAF}Person> }} }}""",
    "INSERT DATA, a name": f"""PREFIX foaf: <{FOAF}> INSERT DATA {{ GRAPH <{PUBLIC}> {{
        <{PERSON}> foaf:name "Ina Truse" }} }}""",
    "INSERT WHERE, names copied": f"""PREFIX foaf: <{FOAF}>
        INSERT {{ GRAPH <{PUBLIC}> {{ ?p foaf:name ?n }} }}
        WHERE {{ GRAPH <{MEMBERS}> {{ ?p foaf:name ?n }} }}""",
    "INSERT WHERE, WITH a public graph": f"""WITH <{PUBLIC}>
        INSERT {{ ?m <{ORG}member> ?p }} WHERE {{ GRAPH <{MEMBERS}> {{ ?m <{ORG}member> ?p }} }}""",
    "INSERT WHERE, a whole graph copied": f"""INSERT {{ GRAPH <{PUBLIC}> {{ ?s ?p ?o }} }}
        WHERE {{ GRAPH <{MEMBERS}> {{ ?s ?p ?o }} }}""",
    "INSERT WHERE, any graph": f"""INSERT {{ GRAPH ?g {{ ?s a <{FOAF}Person> }} }}
        WHERE {{ GRAPH ?g {{ ?s <{FOAF}name> ?n }} }}""",
    "COPY from a restricted graph": f"COPY <{MEMBERS}> TO <{PUBLIC}>",
    "INSERT WHERE, the public view of persons copied": f"""INSERT {{ GRAPH <{PUBLIC}> {{
        ?s ?p ?o }} }} WHERE {{ GRAPH <{PERSONS}> {{ ?s ?p ?o }} }}""",
    "INSERT WHERE, a predicate made up": f"""INSERT {{ GRAPH <{PUBLIC}> {{ ?s ?p "x" }} }}
        WHERE {{ GRAPH <{PUBLIC}> {{ ?s a <{ORG}FormalOrganization> }}
        BIND (IRI("{FOAF}name") AS ?p) }}""",
    "INSERT WHERE, a class from the default graph": f"""INSERT {{ GRAPH <{PUBLIC}> {{
        ?s a ?c }} }} WHERE {{ ?s a ?c }}""",
    "after a harmless operation": f"""INSERT DATA {{ GRAPH <{PUBLIC}> {{ <{ID}org/x>
        <http://www.w3.org/2000/01/rdf-schema#comment> "fine" }} }} ;
        INSERT DATA {{ GRAPH <{PUBLIC}> {{ <{PERSON}> <{FOAF}mbox> <mailto:i@example.org> }} }}""",
}


def quads(store: Store) -> set[str]:
    return {str(q) for q in store.query(  # type: ignore[union-attr]
        "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }")}


@pytest.fixture(scope="module")
def opened() -> tuple[TestClient, Store]:
    store = load_example(memory_store())
    with app_client(store) as client:
        yield client, store  # type: ignore[misc]


@pytest.mark.parametrize("update", REFUSED.values(), ids=REFUSED.keys())
def test_personal_data_into_a_public_graph_is_refused(opened: tuple[TestClient, Store],
                                                       update: str) -> None:
    client, store = opened
    before = quads(store)
    response = client.post("/sparql", content=update, headers=CURATOR)
    assert response.status_code == 422, response.text
    body = response.json()
    text = str(body)
    assert "restricted graph" in text or "not public" in text, body
    assert PUBLIC in text or "GRAPH ?g" in text, body
    assert quads(store) == before


ALLOWED = {
    "a comment on an organisation": (f"""INSERT DATA {{ GRAPH <{PUBLIC}> {{ <{ID}org/vecam>
        {COMMENT} "checked in 2026" }} }}""", f'<{ID}org/vecam> {COMMENT} "checked in 2026"'),
    "a person into a restricted graph": (f"""INSERT DATA {{ GRAPH <{MEMBERS}> {{
        <{PERSON}> a <{FOAF}Person> ; <{FOAF}name> "Ina Truse" }} }}""",
                                         f'<{PERSON}> <{FOAF}name> "Ina Truse"'),
    "INSERT WHERE of labels into a public graph": (f"""
        INSERT {{ GRAPH <{PUBLIC}> {{ ?o {NOTE} "seen" }} }}
        WHERE {{ GRAPH <{PUBLIC}> {{ ?o a <{ORG}FormalOrganization> }} }} """,
        f'<{ID}org/vecam> {NOTE} "seen"'),
}


@pytest.mark.parametrize(("update", "written"), ALLOWED.values(), ids=ALLOWED.keys())
def test_a_legitimate_update_still_works(opened: tuple[TestClient, Store], update: str,
                                         written: str) -> None:
    client, store = opened
    response = client.post("/sparql", content=update, headers=CURATOR)
    assert response.status_code == 204, response.text
    assert bool(store.query(f"ASK {{ GRAPH ?g {{ {written} }} }}"))


def test_a_malformed_update_is_a_syntax_error(opened: tuple[TestClient, Store]) -> None:
    client, _ = opened
    response = client.post("/sparql", content="INSERT DATA { <a> ", headers=CURATOR)
    assert response.status_code == 400


@pytest.mark.parametrize("update", [
    f"WITH <{PUBLIC}> DELETE {{ <{ID}org/gone> ?p ?o }} WHERE {{ <{ID}org/gone> ?p ?o }}",
    f"DELETE {{ GRAPH <{PUBLIC}> {{ <{ID}org/gone> ?p ?o }} }} "
    f"WHERE {{ GRAPH <{PUBLIC}> {{ <{ID}org/gone> ?p ?o }} }}",
], ids=["WITH", "GRAPH"])
def test_a_deletion_with_a_variable_predicate_is_no_disclosure(
        opened: tuple[TestClient, Store], update: str) -> None:
    """What rdflib's SPARQLUpdateStore sends for graph.remove((s, None, None))."""
    client, store = opened
    written = client.post("/sparql", headers=CURATOR, content=f"""INSERT DATA {{ GRAPH
        <{PUBLIC}> {{ <{ID}org/gone> {COMMENT} "to be removed" }} }}""")
    assert written.status_code == 204, written.text
    response = client.post("/sparql", content=update, headers=CURATOR)
    assert response.status_code == 204, response.text
    assert not store.query(f"ASK {{ GRAPH ?g {{ <{ID}org/gone> ?p ?o }} }}")


def test_public_data_copied_between_public_graphs_is_no_disclosure(
        opened: tuple[TestClient, Store]) -> None:
    """Variable predicates and classes, read only from public graphs by matching."""
    client, store = opened
    before = store.count(PUBLIC)
    response = client.post("/sparql", headers=CURATOR, content=f"""
        INSERT {{ GRAPH <{PUBLIC}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH <{VOCABULARY_GRAPH}> {{
        ?s a <http://www.w3.org/2004/02/skos/core#ConceptScheme> ; ?p ?o }} }}""")
    assert response.status_code == 204, response.text
    assert store.count(PUBLIC) > before
