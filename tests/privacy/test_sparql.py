"""The anonymous SPARQL endpoint, probed with every query we could think of: every form
(SELECT, ASK, CONSTRUCT, DESCRIBE), every result format, every way of naming a dataset (FROM,
FROM NAMED, GRAPH, VALUES over graph names, BASE and prefixed names, ``\\u`` escapes, the
protocol's ``default-graph-uri`` / ``named-graph-uri``), by GET and both kinds of POST.

Two kinds of probe: the answer's text must show nothing of a person who did not consent
(``Probe``), and oracle queries (ASK, COUNT) must answer as if the restricted graphs did
not exist — an answer of ``true`` would tell a membership without showing a name.
"""

# SPARQL is written by hand here, with constants only: not SQL (S608)
# ruff: noqa: S608
from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from graph.namespaces import DPV, FOAF, GRAPH, ID, META_GRAPH, ORG
from tests.privacy.probes import CONSENTS, Probe
from tests.support.live import TestClient, app_client
from tests.support.stores import load_example

MEMBERS, CONSENT = GRAPH + "example-members", GRAPH + "example-consent"
RESTRICTED = (MEMBERS, CONSENT)
P = f"PREFIX foaf: <{FOAF}> PREFIX org: <{ORG}> PREFIX dpv: <{DPV}> PREFIX id: <{ID}>\n"

#: queries whose answer is read for personal data
READ_QUERIES: dict[str, str] = {
    "everything": "SELECT * WHERE { ?s ?p ?o }",
    "every graph": "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }",
    "GRAPH restricted": f"SELECT * WHERE {{ GRAPH <{MEMBERS}> {{ ?s ?p ?o }} }}",
    "VALUES over graphs": f"SELECT * WHERE {{ VALUES ?g {{ <{MEMBERS}> <{CONSENT}> }} "
                          "GRAPH ?g { ?s ?p ?o } }",
    "FROM restricted": f"SELECT * FROM <{MEMBERS}> FROM <{CONSENT}> "
                       "WHERE { ?s ?p ?o }",
    "FROM NAMED restricted": f"SELECT * FROM NAMED <{MEMBERS}> "
                             f"FROM NAMED <{CONSENT}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
    "FROM and FROM NAMED": f"SELECT * FROM <{MEMBERS}> FROM NAMED <{MEMBERS}> "
                           "WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }",
    "FROM by BASE": f"BASE <{GRAPH}> SELECT * FROM <example-members> "
                    "WHERE { ?s ?p ?o }",
    "FROM by prefix": f"PREFIX gr: <{GRAPH}> SELECT * FROM gr:example-members "
                      "WHERE { ?s ?p ?o }",
    "FROM with escapes": f"SELECT * FROM <{GRAPH}example\\u002Dmembers> "
                         "WHERE { ?s ?p ?o }",
    "names": P + "SELECT ?p ?n WHERE { ?p foaf:name ?n }",
    "e-mails and phones": P + "SELECT * WHERE { { ?p foaf:mbox ?m } UNION "
                              "{ ?p foaf:phone ?t } }",
    "persons any graph": P + "SELECT * WHERE { GRAPH ?g { ?p a foaf:Person ; ?x ?v } }",
    "memberships": P + "SELECT * WHERE { ?m a org:Membership ; ?p ?o }",
    "members of an org": P + "SELECT ?person ?org WHERE { ?m org:member ?person ; "
                             "org:organization ?org }",
    "consent records": P + "SELECT * WHERE { ?c dpv:hasDataSubject ?who ; ?p ?o }",
    "labels of anything": "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
                          "SELECT ?s ?l WHERE { ?s rdfs:label ?l }",
    "text search": "SELECT ?s ?o WHERE { ?s ?p ?o FILTER(isLiteral(?o) && "
                   "REGEX(STR(?o), \"marchand|robert|example\\\\.org\", \"i\")) }",
    "IRIs by pattern": "SELECT DISTINCT ?s WHERE { { ?s ?p ?o } UNION { ?x ?p ?s } "
                       "FILTER(isIRI(?s) && CONTAINS(STR(?s), \"personne-\")) }",
    "inverse path": P + "SELECT ?o ?p ?n WHERE { ?o ^org:organization/org:member ?p "
                        "OPTIONAL { ?p foaf:name ?n } }",
    "closure over memberships": P + "SELECT DISTINCT ?x ?o WHERE { ?x a org:Organization . "
                                    "?x (org:member|^org:member|org:organization|"
                                    "^org:organization)+ ?o }",
    "meta graph": f"SELECT * WHERE {{ GRAPH <{META_GRAPH}> {{ ?g ?p ?o }} }}",
    "sub-select": "SELECT * WHERE { { SELECT ?s (COUNT(*) AS ?n) WHERE { GRAPH ?g "
                  "{ ?s ?p ?o } } GROUP BY ?s } }",
    "describe persons": P + "DESCRIBE ?p WHERE { ?p a foaf:Person }",
    "describe an IRI": f"DESCRIBE <{ID}person/personne-02> <{ID}person/personne-19>",
    "describe from": f"DESCRIBE ?s FROM <{MEMBERS}> WHERE {{ ?s ?p ?o }}",
    "construct everything": "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }",
    "construct short": "CONSTRUCT WHERE { ?s ?p ?o }",
    "construct memberships": P + "CONSTRUCT { ?m ?p ?o } WHERE { ?m a org:Membership ; "
                                 "?p ?o }",
    "construct from": f"CONSTRUCT {{ ?s ?p ?o }} FROM <{MEMBERS}> "
                      f"FROM NAMED <{CONSENT}> WHERE {{ {{ ?s ?p ?o }} UNION "
                      "{ GRAPH ?g { ?s ?p ?o } } }",
}

#: oracle queries and the answer they must give (as if no restricted graph existed)
ORACLES: dict[str, tuple[str, object]] = {
    "a name": (P + 'ASK { ?s foaf:name "Julien Marchand" }', False),
    "a name in any graph": (P + 'ASK { GRAPH ?g { ?s foaf:name "Julien Marchand" } }', False),
    "a name, FROM": (P + f'ASK FROM <{MEMBERS}> {{ ?s foaf:name ?n '
                     'FILTER(CONTAINS(?n, "Marchand")) }', False),
    "a name, FROM NAMED": (P + f'ASK FROM NAMED <{MEMBERS}> {{ GRAPH ?g '
                           '{ ?s foaf:name "Julien Marchand" } }', False),
    "the withdrawn person": (P + f"ASK {{ {{ <{ID}person/personne-19> ?p ?o }} UNION "
                             f"{{ ?s ?p <{ID}person/personne-19> }} }}", False),
    "the withdrawn person's membership": (
        P + f"ASK {{ GRAPH ?g {{ ?m org:member <{ID}person/personne-19> }} }}", False),
    "the withdrawn person's consent": (
        P + f"ASK {{ ?c dpv:hasDataSubject <{ID}person/personne-19> }}", False),
    "a person without consent": (P + f"ASK {{ GRAPH ?g {{ <{ID}person/personne-02> ?p ?o }} }}",
                                 False),
    "any phone": (P + "ASK { GRAPH ?g { ?s foaf:phone ?t } }", False),
    "a restricted graph": (f"ASK {{ GRAPH <{MEMBERS}> {{ ?s ?p ?o }} }}", False),
    "EXISTS over a restricted graph": (
        f"ASK {{ FILTER EXISTS {{ GRAPH <{CONSENT}> {{ ?s ?p ?o }} }} }}", False),
    "a member's e-mail domain": (P + 'ASK { GRAPH ?g { ?p foaf:mbox ?m FILTER(CONTAINS(STR(?m), '
                                 '"julien")) } }', False),
    "persons": (P + "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { GRAPH ?g { ?p a foaf:Person } }",
                len(CONSENTS)),
    "names": (P + "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p foaf:name ?x }", len(CONSENTS)),
    "e-mails": (P + "SELECT (COUNT(*) AS ?n) WHERE { ?p foaf:mbox ?x }",
                sum("email" in c for c in CONSENTS.values())),
    "memberships": (P + "SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { GRAPH ?g { ?m org:member ?p } }",
                    "consented"),
    "members of an organisation": (
        P + f"SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE {{ ?m org:member ?p ; "
        f"org:organization <{ID}org/atelier-urbanisme-plaine> }}", 0),
    "consent records": (P + "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a dpv:Consent }",
                        len(CONSENTS)),
}

SELECT_FORMATS = ("application/sparql-results+json", "application/sparql-results+xml",
                  "text/csv", "text/tab-separated-values")
GRAPH_FORMATS = ("text/turtle", "application/n-triples", "application/n-quads",
                 "application/trig", "application/ld+json", "application/rdf+xml")


def formats(query: str) -> tuple[str, ...]:
    return GRAPH_FORMATS if ("DESCRIBE" in query or "CONSTRUCT" in query) else SELECT_FORMATS


def ask(client: TestClient, query: str, *, method: str = "GET", accept: str | None = None,
        params: list[tuple[str, str]] | None = None) -> bytes:
    """The body of the answer to ``query`` (200 expected)."""
    headers = {"Accept": accept or formats(query)[0]}
    pairs = [("query", query), *(params or [])]
    if method == "GET":
        response = client.get("/sparql", params=pairs, headers=headers)
    elif method == "POST form":
        response = client.post("/sparql", data=dict(pairs), headers=headers)
    else:
        response = client.post("/sparql", content=query.encode(), params=params,
                               headers={**headers, "Content-Type": "application/sparql-query"})
    assert response.status_code == 200, (response.status_code, response.text[:300])
    return response.content


@pytest.mark.slow
@pytest.mark.parametrize("name", READ_QUERIES)
def test_no_query_shows_personal_data_in_any_format(client: TestClient, probe: Probe,
                                                    name: str) -> None:
    query = READ_QUERIES[name]
    for media in formats(query):
        probe.check(ask(client, query, accept=media), f"{name!r} as {media}")
    for method in ("POST form", "POST query"):
        probe.check(ask(client, query, method=method), f"{name!r} by {method}")
    for params in ([("default-graph-uri", MEMBERS), ("default-graph-uri", CONSENT)],
                   [("named-graph-uri", MEMBERS), ("named-graph-uri", CONSENT)],
                   [("default-graph-uri", MEMBERS), ("named-graph-uri", CONSENT)]):
        probe.check(ask(client, query, params=params), f"{name!r} with {params}")


def test_the_read_queries_do_see_the_public_data(client: TestClient, probe: Probe) -> None:
    """The probes above read real answers: the consented names are in them."""
    body = ask(client, READ_QUERIES["names"]).decode()
    assert all(name in body for name in probe.visible_names())
    body = ask(client, READ_QUERIES["construct memberships"], accept="application/n-triples")
    assert b"membership/personne-01-" in body


def expected(value: object, probe: Probe) -> object:
    if value == "consented":
        return sum(len(p.memberships) for p in probe.people.values()
                   if "membership" in CONSENTS.get(p.number, ()))
    return value


@pytest.mark.parametrize("name", ORACLES)
@pytest.mark.parametrize("dataset", [
    [], [("default-graph-uri", MEMBERS)], [("named-graph-uri", MEMBERS)],
    [("default-graph-uri", MEMBERS), ("default-graph-uri", GRAPH + "example"),
     ("named-graph-uri", CONSENT), ("named-graph-uri", MEMBERS)],
], ids=["own dataset", "default-graph-uri", "named-graph-uri", "both"])
def test_oracle_queries_answer_as_if_no_restricted_graph_existed(
        client: TestClient, probe: Probe, name: str, dataset: list[tuple[str, str]]) -> None:
    query, answer = ORACLES[name]  # the protocol's graphs, if any, override FROM clauses
    body = json.loads(ask(client, query, params=dataset))
    if "boolean" in body:
        assert body["boolean"] is answer
    else:
        value = int(body["results"]["bindings"][0]["n"]["value"])
        # with a protocol dataset the public graphs may be left out: never more than public
        if dataset:
            assert value <= expected(answer, probe)  # type: ignore[operator]
        else:
            assert value == expected(answer, probe)


def test_the_oracles_can_tell(client: TestClient, curator: dict[str, str]) -> None:
    """A curator asking the same oracles gets the other answer: they do probe something."""
    response = client.get("/sparql", params={"query": ORACLES["a name"][0]},
                          headers={"Accept": "application/sparql-results+json", **curator})
    assert response.json()["boolean"] is True


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { SERVICE <http://127.0.0.1:7878/query> { ?s ?p ?o } }",
    "select * where { service <http://127.0.0.1:7878/query> { ?s ?p ?o } }",
    "SELECT * WHERE { \\u0053ERVICE <http://127.0.0.1:7878/query> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE SILENT <http://127.0.0.1:8000/sparql> { ?s ?p ?o } }",
])
def test_federated_queries_are_refused(client: TestClient, query: str) -> None:
    """SERVICE could ask the store's own server (which sees every graph) from inside."""
    response = client.get("/sparql", params={"query": query})
    assert response.status_code in (400, 403)


@pytest.mark.parametrize("graph", [*RESTRICTED, GRAPH + "restricted/anything",
                                   GRAPH + "staging/anything"])
def test_an_anonymous_update_is_refused(client: TestClient, graph: str) -> None:
    update = f"INSERT DATA {{ GRAPH <{graph}> {{ <urn:a> <urn:b> <urn:c> }} }}"
    assert client.post("/sparql", data={"update": update}).status_code in (401, 403)


@pytest.fixture(scope="module")
def remote_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The application over a real Oxigraph server holding the example (a remote store:
    the scoping is sent to the server as the protocol's dataset, not applied in process)."""
    from bench.servers import start_server, stop_server
    from graph.store import open_store

    server = start_server(tmp_path_factory.mktemp("privacy-oxigraph"))
    try:
        with open_store(server.url) as store, app_client(load_example(store)) as opened:
            yield opened
    finally:
        stop_server(server.process)


@pytest.mark.slow
def test_the_endpoint_over_a_remote_store(remote_client: TestClient, probe: Probe) -> None:
    for name, query in READ_QUERIES.items():
        probe.check(ask(remote_client, query), f"{name!r} over a remote store")
        probe.check(ask(remote_client, query, params=[("named-graph-uri", MEMBERS)]),
                    f"{name!r} with named-graph-uri over a remote store")
    for name, (query, answer) in ORACLES.items():
        body = json.loads(ask(remote_client, query))
        value = body["boolean"] if "boolean" in body else int(
            body["results"]["bindings"][0]["n"]["value"])
        assert value == expected(answer, probe), name
    assert b"Amina Belkacem" in ask(remote_client, READ_QUERIES["names"])
