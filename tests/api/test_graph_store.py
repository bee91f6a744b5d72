"""The Graph Store Protocol at /store, over a real socket."""

from __future__ import annotations

import httpx
import pyoxigraph as ox
import pytest

from graph.namespaces import CG, META_GRAPH
from graph.samples.example import EXAMPLE_GRAPHS
from tests.support.live import Live

PUBLIC = EXAMPLE_GRAPHS[0].iri
MEMBERS = EXAMPLE_GRAPHS[1].iri
NOTES = "https://w3id.org/civicgraph/graph/notes"
TURTLE = (b"@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
          b"<https://w3id.org/civicgraph/id/org/vecam> rdfs:comment \"checked\" , \"twice\" .\n")


def store_url(live: Live) -> str:
    return f"{live.url}/store"


def auth(token: str, content_type: str | None = "text/turtle") -> dict[str, str]:
    headers = {"Authorization": f"Bearer {token}"}
    if content_type:
        headers["Content-Type"] = content_type
    return headers


def triples_of(response: httpx.Response) -> list[ox.Triple]:
    fmt = ox.RdfFormat.from_media_type(response.headers["content-type"].split(";")[0])
    assert fmt is not None
    return [q.triple for q in ox.parse(response.content, format=fmt)]


@pytest.mark.parametrize("accept", ["text/turtle", "application/n-triples",
                                    "application/ld+json", "application/rdf+xml"])
def test_get_a_public_graph(live: Live, accept: str) -> None:
    response = httpx.get(store_url(live), params={"graph": META_GRAPH},
                         headers={"Accept": accept}, timeout=30)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(accept)
    assert len(triples_of(response)) == live.store.count(META_GRAPH)


def test_restricted_graph_is_404_for_the_public_and_readable_by_a_curator(live: Live,
                                                                           token: str) -> None:
    anonymous = httpx.get(store_url(live), params={"graph": MEMBERS}, timeout=30)
    assert anonymous.status_code == 404
    curator = httpx.get(store_url(live), params={"graph": MEMBERS}, timeout=30,
                        headers=auth(token, None))
    assert curator.status_code == 200
    assert len(triples_of(curator)) == live.store.count(MEMBERS)


def test_get_the_default_graph_is_the_public_union(live: Live) -> None:
    response = httpx.get(store_url(live), params={"default": ""}, timeout=60,
                         headers={"Accept": "application/n-triples"})
    assert response.status_code == 200
    subjects = {t.subject.value for t in triples_of(response)}
    assert not any("/id/person/" in s for s in subjects)


def test_not_an_iri_is_400_and_unacceptable_is_406(live: Live) -> None:
    assert httpx.get(store_url(live), params={"graph": "not an iri"}).status_code == 400
    assert httpx.get(store_url(live), params={"graph": PUBLIC},
                     headers={"Accept": "image/png"}).status_code == 406


def test_put_post_delete_with_the_token(fresh_live: Live, token: str) -> None:
    url = store_url(fresh_live)
    created = httpx.put(url, params={"graph": NOTES}, content=TURTLE, headers=auth(token))
    assert created.status_code == 201
    assert fresh_live.store.count(NOTES) == 2
    replaced = httpx.put(url, params={"graph": NOTES}, headers=auth(token),
                         content=TURTLE.replace(b', "twice"', b""))
    assert replaced.status_code == 204
    assert fresh_live.store.count(NOTES) == 1
    line = (b"<https://w3id.org/civicgraph/id/org/vecam> "
            b"<http://www.w3.org/2000/01/rdf-schema#seeAlso> <http://x.org/> .\n")
    added = httpx.post(url, params={"graph": NOTES}, content=line,
                       headers=auth(token, "application/n-triples"))
    assert added.status_code == 204
    assert fresh_live.store.count(NOTES) == 2
    deleted = httpx.delete(url, params={"graph": NOTES}, headers=auth(token, None))
    assert deleted.status_code == 204
    assert fresh_live.store.count(NOTES) == 0
    again = httpx.delete(url, params={"graph": NOTES}, headers=auth(token, None))
    assert again.status_code == 404


def test_writing_a_public_graph_keeps_it_public_with_its_new_size(fresh_live: Live,
                                                                  token: str) -> None:
    url = store_url(fresh_live)
    response = httpx.put(url, params={"graph": PUBLIC}, content=TURTLE, headers=auth(token))
    assert response.status_code == 204
    read = httpx.get(url, params={"graph": PUBLIC}, headers={"Accept": "text/turtle"})
    assert read.status_code == 200 and len(triples_of(read)) == 2
    size = fresh_live.store.query(
        f"SELECT ?n WHERE {{ GRAPH <{META_GRAPH}> {{ <{PUBLIC}> <http://rdfs.org/ns/void#triples> "
        "?n } }")
    assert [row["n"].value for row in size] == ["2"]  # type: ignore[union-attr]
    access = fresh_live.store.query(
        f"ASK {{ GRAPH <{META_GRAPH}> {{ <{PUBLIC}> <{CG}access> <{CG}Public> }} }}")
    assert bool(access)


def test_post_without_a_graph_creates_one(fresh_live: Live, token: str) -> None:
    response = httpx.post(store_url(fresh_live), content=TURTLE, headers=auth(token))
    assert response.status_code == 201
    graph = response.headers["location"]   # the new graph's IRI, as graph= takes it
    assert fresh_live.store.count(graph) == 2
    # a new graph is described at the default access level: public unless set otherwise
    assert httpx.get(store_url(fresh_live), params={"graph": graph}).status_code == 200


@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE"])
@pytest.mark.parametrize("headers", [{"Content-Type": "text/turtle"},
                                     {"Content-Type": "text/turtle",
                                      "Authorization": "Bearer wrong"}])
def test_writes_without_the_token_are_401_and_change_nothing(fresh_live: Live, method: str,
                                                             headers: dict[str, str]) -> None:
    before = fresh_live.store.count()
    response = httpx.request(method, store_url(fresh_live), params={"graph": PUBLIC},
                             content=TURTLE if method != "DELETE" else None, headers=headers)
    assert response.status_code == 401
    assert fresh_live.store.count() == before


def test_bad_bodies(fresh_live: Live, token: str) -> None:
    url = store_url(fresh_live)
    before = fresh_live.store.count()
    wrong_type = httpx.put(url, params={"graph": NOTES}, content=b"x",
                           headers=auth(token, "application/x-yaml"))
    assert wrong_type.status_code == 415
    broken = httpx.put(url, params={"graph": NOTES}, content=b"<a> <b> .\n",
                       headers=auth(token))
    assert broken.status_code == 400
    assert broken.json()["line"] == 1
    meta = httpx.put(url, params={"graph": META_GRAPH}, content=TURTLE, headers=auth(token))
    assert meta.status_code == 400
    both = httpx.put(url, params={"default": "", "graph": NOTES}, content=TURTLE,
                     headers=auth(token))
    assert both.status_code == 400
    assert fresh_live.store.count() == before
