"""A curator's write cannot put a person, a membership or a consent record into a public
graph by another vocabulary (schema.org, vCard, ORG's membership properties) or by naming
their IRIs: the Graph Store and SPARQL Update answer 422 naming the node and the rule, and
write nothing; anonymous readers still see only what consent allows."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from graph.namespaces import GRAPH, ID
from graph.store import Store
from tests.privacy.probes import Probe
from tests.support.live import CURATOR_TOKEN, TestClient, app_client
from tests.support.stores import load_example, memory_store, quads

AUTH = {"Authorization": f"Bearer {CURATOR_TOKEN}"}
TURTLE = {**AUTH, "Content-Type": "text/turtle"}
UPDATE = {**AUTH, "Content-Type": "application/sparql-update"}
TARGET = "http://example.org/h1/priv7"
PREFIXES = ("@prefix org: <http://www.w3.org/ns/org#> . "
            "@prefix schema: <https://schema.org/> . "
            "@prefix vcard: <http://www.w3.org/2006/vcard/ns#> . "
            "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n")
ASSO = f"<{ID}org/diabete-entraide-93>"
P2, P4, P5 = (f"<{ID}person/personne-{n:02d}>" for n in (2, 4, 5))

#: the hostile tester's file, as sent
PRIV7 = f"""{PREFIXES}
{P4} org:memberOf {ASSO} ; schema:name "Camille Durand" ; schema:email "camille@example.org" .
{ASSO} org:hasMember {P5} .
"""

#: name -> (triples in Turtle with the prefixes above, what the refusal names)
REFUSED = {
    "schema.org name and e-mail of a person": (
        f'{P4} schema:name "Camille Durand" ; schema:email "camille@example.org" .',
        "personne-04"),
    "schema:email of anyone": ('<https://example.org/c> schema:email "camille@example.org" .',
                               "schema.org/email"),
    "schema:telephone": ('<https://example.org/c> schema:telephone "+33 1 00 00 00 00" .',
                         "schema.org/telephone"),
    "vcard:fn": ('<https://example.org/c> vcard:fn "Camille Durand" .', "vcard"),
    "vcard:hasEmail": ("<https://example.org/c> vcard:hasEmail <mailto:camille@example.org> .",
                       "vcard"),
    "org:memberOf of a person": (f"{P4} org:memberOf {ASSO} .", "personne-04"),
    "org:memberOf of an unknown member": (
        f"<https://example.org/camille> org:memberOf {ASSO} .", "example.org/camille"),
    "org:hasMember of a person": (f"{ASSO} org:hasMember {P5} .", "personne-05"),
    "org:hasMembership": (f"{P4} org:hasMembership <{ID}membership/personne-04-x> .",
                          "personne-04"),
    "a person's rdfs:label": (f'{P2} rdfs:label "Camille" .', "personne-02"),
    "a membership's IRI": (f'<{ID}membership/personne-02-collectif-sante-belleville> '
                           'rdfs:comment "x" .', "membership/personne-02"),
    "a consent record's IRI": (f'<{ID}consent/personne-01-publication> rdfs:comment "x" .',
                               "consent/personne-01"),
}


@pytest.fixture(scope="module")
def opened() -> Iterator[tuple[TestClient, Store]]:
    store = load_example(memory_store())
    with app_client(store) as client:
        yield client, store


def test_the_testers_write_is_refused(opened: tuple[TestClient, Store], probe: Probe) -> None:
    client, store = opened
    before = quads(store)
    response = client.put("/store", params={"graph": TARGET}, content=PRIV7.encode(),
                          headers=TURTLE)
    assert response.status_code == 422, response.text
    assert "personne-04" in response.text and "restricted graph" in response.text
    assert quads(store) == before
    for page in ("/id/person/personne-04.nt", "/id/person/personne-05",
                 "/id/person/personne-05.nt"):
        assert client.get(page).status_code == 404, page
    dump = client.get("/dumps/" + client.get("/dumps", headers={"Accept": "application/json"})
                      .json()["dumps"][0]["name"])
    probe.check(dump.content, "the dump after a refused write")


#: the cases whose triples hold no personal property nor class, only a personal IRI or a
#: membership of a member not known as an organisation: a Graph Store POST and an update
#: (after its scratch run) hand the guard the triples they add past the write path's quick
#: test (graph.privacy.guard.may_be_personal), which must see them too
CASES = [pytest.param(*case, id=name) for name, case in REFUSED.items()]


@pytest.fixture
def fresh() -> Iterator[tuple[TestClient, Store]]:
    """For a write that might go through: a store of its own."""
    store = load_example(memory_store())
    with app_client(store) as client:
        yield client, store


def _refused(client: TestClient, store: Store, method: str, url: str, body: str,
             headers: dict[str, str], named: str) -> None:
    before = quads(store)
    response = client.request(method, url, content=body.encode(), headers=headers)
    assert response.status_code == 422, response.text
    assert named in response.text and "restricted graph" in response.text, response.text
    assert quads(store) == before


@pytest.mark.parametrize(("turtle", "named"), REFUSED.values(), ids=REFUSED.keys())
@pytest.mark.parametrize("graph", [TARGET, GRAPH + "example"], ids=["new", "example"])
def test_a_graph_store_put_is_refused(opened: tuple[TestClient, Store], graph: str,
                                      turtle: str, named: str) -> None:
    _refused(*opened, "PUT", f"/store?graph={graph}", PREFIXES + turtle, TURTLE, named)


@pytest.mark.parametrize(("turtle", "named"), CASES)
def test_a_graph_store_post_is_refused(fresh: tuple[TestClient, Store], turtle: str,
                                       named: str) -> None:
    _refused(*fresh, "POST", f"/store?graph={GRAPH}example", PREFIXES + turtle, TURTLE,
             named)


def _insert_data(turtle: str, graph: str) -> str:
    """The Turtle triples of a case as INSERT DATA into ``graph``."""
    prologue = "".join(f"PREFIX {line.split()[1]} {line.split()[2]}\n"
                       for line in PREFIXES.replace(" . ", " .\n").splitlines())
    return f"{prologue}INSERT DATA {{ GRAPH <{graph}> {{ {turtle} }} }}"


@pytest.mark.parametrize(("turtle", "named"), CASES)
def test_a_sparql_update_is_refused(fresh: tuple[TestClient, Store], turtle: str,
                                    named: str) -> None:
    _refused(*fresh, "POST", "/sparql", _insert_data(turtle, GRAPH + "example"), UPDATE,
             named)


#: updates whose text names no personal property nor class (the update guard lets them
#: through) but whose run copies persons out of the restricted members graph
COPIES = {
    "memberships as org:hasMember": f"""PREFIX org: <http://www.w3.org/ns/org#>
        INSERT {{ GRAPH <{GRAPH}example> {{ ?o org:hasMember ?p }} }}
        WHERE {{ GRAPH <{GRAPH}example-members> {{ ?m org:organization ?o ; org:member ?p }} }}""",
    "names as rdfs:label": f"""INSERT {{ GRAPH <{GRAPH}example> {{
        ?p <http://www.w3.org/2000/01/rdf-schema#label> ?n }} }}
        WHERE {{ GRAPH <{GRAPH}example-members> {{ ?p <http://xmlns.com/foaf/0.1/name> ?n }} }}""",
}


@pytest.mark.parametrize("update", COPIES.values(), ids=COPIES.keys())
def test_an_update_copying_persons_is_refused(fresh: tuple[TestClient, Store],
                                              update: str) -> None:
    _refused(*fresh, "POST", "/sparql", update, UPDATE, "personne-")


def test_the_testers_write_by_update_is_refused(opened: tuple[TestClient, Store]) -> None:
    client, store = opened
    before = quads(store)
    triples = PRIV7.removeprefix(PREFIXES).strip()
    response = client.post("/sparql", content=_insert_data(triples, TARGET), headers=UPDATE)
    assert response.status_code == 422, response.text
    assert "personne-04" in response.text
    assert quads(store) == before
    assert client.get("/id/person/personne-05").status_code == 404


def test_what_consent_allows_is_still_published(fresh: tuple[TestClient, Store]) -> None:
    """A network of organisations still goes into a public graph, restricted data into a
    restricted one, and the public view of persons still shows who consented."""
    client, _ = fresh
    network = (f"{PREFIXES}{ASSO} org:memberOf <{ID}org/reseau-sante-ville> . "
               f"<{ID}org/reseau-sante-ville> org:hasMember {ASSO} .").encode()
    assert client.put("/store", params={"graph": GRAPH + "networks"}, content=network,
                      headers=TURTLE).status_code == 201
    restricted = (PREFIXES + REFUSED["schema.org name and e-mail of a person"][0]).encode()
    assert client.put("/store", params={"graph": GRAPH + "restricted/priv7"},
                      content=restricted, headers=TURTLE).status_code == 201
    assert client.get("/id/person/personne-04.nt").status_code == 404
    consented = client.get("/id/person/personne-01.nt")
    assert consented.status_code == 200, consented.text
    assert b"http://xmlns.com/foaf/0.1/name" in consented.content
    membership = client.get("/id/membership/personne-01-collectif-sante-belleville.nt")
    assert membership.status_code == 200, membership.text
