"""Privacy probes from the outside: with the example dataset loaded, no anonymous surface
returns the name, e-mail or phone of a person who did not consent, nor any membership of theirs.

Surfaces probed: the SPARQL endpoint (anonymous, over a real socket), the public dump (what
``civicgraph export`` and the dump routes write: the public graphs), and the "public profile"
SHACL shapes on that dump. Pages, REST and maps are probed in the same way by their own test
modules once they exist (see the list in ``PERSONAL_QUERIES``).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from pyshacl import validate

from graph.namespaces import FOAF, GRAPH, ORG
from graph.privacy.access import public_graphs
from graph.store import Store
from graph.vocabulary import shapes_path

CONSENTED = {1, 3, 8, 14, 16, 21, 30}          # graph/samples/data/example_people.py
EMAIL_CONSENTED = {21}
MEMBERSHIP_CONSENTED = {1, 8, 16, 30}

#: queries an anonymous visitor may try; none may return a non-consenting person's data
PERSONAL_QUERIES = [
    "SELECT ?s ?p ?o WHERE { ?s ?p ?o }",
    "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }",
    f"SELECT ?s ?p ?o WHERE {{ GRAPH <{GRAPH}example-members> {{ ?s ?p ?o }} }}",
    f"SELECT ?s ?p ?o FROM <{GRAPH}example-members> FROM <{GRAPH}example-consent> "  # noqa: S608
    "WHERE { ?s ?p ?o }",
    f"SELECT ?s ?p ?o FROM NAMED <{GRAPH}example-members> "  # noqa: S608
    "WHERE { GRAPH ?g { ?s ?p ?o } }",
    f"SELECT ?p ?n WHERE {{ ?p <{FOAF}name> ?n }}",
    "DESCRIBE <https://w3id.org/civicgraph/id/person/personne-02>",
    f"CONSTRUCT {{ ?m ?p ?o }} WHERE {{ ?m a <{ORG}Membership> ; ?p ?o }}",
]


def example_people(store: Store) -> dict[int, dict[str, set[str]]]:
    """Person number -> their names, e-mails and phones, read from the restricted graph."""
    result = store.query(f"""SELECT ?person ?p ?v WHERE {{ ?person ?p ?v
        VALUES ?p {{ <{FOAF}name> <{FOAF}mbox> <{FOAF}phone> }} }}""",
                         default_graph=[GRAPH + "example-members"])
    assert isinstance(result, ox.QuerySolutions)
    people: dict[int, dict[str, set[str]]] = {}
    for row in result:
        number = int(row["person"].value.rsplit("-", 1)[-1])
        kind = row["p"].value.rsplit("/", 1)[-1]
        people.setdefault(number, {}).setdefault(kind, set()).add(row["v"].value)
    assert len(people) == 30
    return people


def forbidden(store: Store) -> list[str]:
    """Every string an anonymous surface must never show."""
    out: list[str] = []
    for number, data in example_people(store).items():
        if number not in CONSENTED:
            out += [*data.get("name", ()), *data.get("mbox", ()), *data.get("phone", ())]
        else:
            out += list(data.get("phone", ()))
            if number not in EMAIL_CONSENTED:
                out += list(data.get("mbox", ()))
        if number not in MEMBERSHIP_CONSENTED:
            out.append(f"membership/personne-{number:02d}-")
    return out


def assert_no_leak(text: str, store: Store) -> None:
    leaked = [value for value in forbidden(store) if value in text]
    assert not leaked, f"anonymous surface shows {leaked[:5]}"


@pytest.mark.parametrize("query", PERSONAL_QUERIES)
def test_sparql_endpoint_shows_no_personal_data_without_consent(
        serve: Callable[..., Any], example: Store, query: str) -> None:
    with serve(example) as live:
        response = httpx.post(f"{live.url}/sparql", data={"query": query},
                              headers={"Accept": "application/sparql-results+json, "
                                                 "application/n-triples"}, timeout=60)
    assert response.status_code in (200, 400), response.text
    assert_no_leak(response.text, example)


def test_sparql_endpoint_shows_consented_names(serve: Callable[..., Any],
                                               example: Store) -> None:
    with serve(example) as live:
        response = httpx.post(f"{live.url}/sparql", timeout=60,
                              data={"query": f"SELECT ?n WHERE {{ ?p <{FOAF}name> ?n }}"},
                              headers={"Accept": "application/sparql-results+json"})
    names = {b["n"]["value"] for b in response.json()["results"]["bindings"]}
    assert "Amina Belkacem" in names and len(names) == len(CONSENTED)


def public_dump(store: Store) -> bytes:
    out = io.BytesIO()
    store.dump(out, ox.RdfFormat.N_QUADS, graphs=public_graphs(store))
    return out.getvalue()


def test_public_dump_shows_no_personal_data_without_consent(example: Store) -> None:
    dump = public_dump(example)
    assert b"Amina Belkacem" in dump      # consented: the probe can see what is there
    assert_no_leak(dump.decode("utf-8"), example)


def public_union(store: Store) -> rdflib.Graph:
    """The public dump as one rdflib graph (the union of the public graphs)."""
    quads = ox.parse(public_dump(store), ox.RdfFormat.N_QUADS)
    triples = ox.serialize((q.triple for q in quads), format=ox.RdfFormat.N_TRIPLES)
    return rdflib.Graph().parse(data=triples, format="nt")


def test_public_dump_conforms_to_the_public_profile_shapes(example: Store) -> None:
    union = public_union(example)
    shapes = rdflib.Graph().parse(shapes_path("public"), format="turtle")
    conforms, _, text = validate(union, shacl_graph=shapes, inference="none")
    assert conforms, text


def test_the_shapes_catch_a_leak(example: Store) -> None:
    """The probe above can fail: a name without consent breaks the public profile."""
    data = public_union(example)
    person = rdflib.URIRef("https://w3id.org/civicgraph/id/person/personne-02")
    data.add((person, rdflib.RDF.type, rdflib.URIRef(FOAF + "Person")))
    data.add((person, rdflib.URIRef(FOAF + "name"), rdflib.Literal("Julien Marchand")))
    shapes = rdflib.Graph().parse(shapes_path("public"), format="turtle")
    conforms, _, _ = validate(data, shacl_graph=shapes, inference="none")
    assert not conforms


def test_withdrawal_reaches_the_endpoint_at_once(serve: Callable[..., Any],
                                                 example: Store) -> None:
    from tests.support.live import CURATOR_TOKEN

    sheet = (b"person,status,data,given on,withdrawn on\n"
             b"personne-01,withdrawn,name,2024-03-02,2026-02-01\n")
    with serve(example) as live:
        imported = httpx.post(f"{live.url}/imports", timeout=60,
                              files={"file": ("consent.csv", sheet)},
                              data={"source": "withdrawal"},
                              headers={"Authorization": f"Bearer {CURATOR_TOKEN}"})
        assert imported.status_code == 200, imported.text
        response = httpx.post(f"{live.url}/sparql", timeout=60,
                              data={"query": f"SELECT ?n WHERE {{ ?p <{FOAF}name> ?n }}"},
                              headers={"Accept": "application/sparql-results+json"})
    names = {b["n"]["value"] for b in response.json()["results"]["bindings"]}
    assert "Amina Belkacem" not in names and "Fatou Diallo" in names
