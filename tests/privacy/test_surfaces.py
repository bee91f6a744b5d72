"""Every other anonymous surface of the running application, over the example dataset: the
query catalogue in every format, search, the vocabulary, the dumps, VoID, the Graph Store on
every graph, every map with its embed view, thumbnail and exports, and the remaining pages.
None shows anything of a person who did not consent.
"""

from __future__ import annotations

import gzip
import re
from urllib.parse import quote, quote_plus

import pyoxigraph as ox
import pytest

from graph.namespaces import GRAPH, ID
from graph.publishing.service import DUMPS
from graph.queries.catalogue import list_queries
from tests.privacy.probes import Probe
from tests.support.live import TestClient
from visualisations.export import FORMATS
from visualisations.maps import GALLERY

QUERY_FORMATS = ("json", "csv", "tsv", "xml", "html")
MAP_SUFFIXES = ("", "/embed", "/thumbnail.svg", *(f"/export.{f}" for f in FORMATS))


def get(client: TestClient, url: str, **options: object) -> bytes:
    response = client.get(url, **options)  # type: ignore[arg-type]
    assert response.status_code == 200, (url, response.status_code, response.text[:200])
    return response.content


@pytest.mark.slow
@pytest.mark.parametrize("name", [q.name for q in list_queries()])
def test_catalogue_queries_in_every_format(client: TestClient, probe: Probe, name: str) -> None:
    query = next(q for q in list_queries() if q.name == name)
    for fmt in QUERY_FORMATS:
        for lang in ("fr", "en"):
            probe.check(get(client, f"/queries/{name}", params={"format": fmt},
                            headers={"Accept-Language": lang}), f"{name} as {fmt} ({lang})")
    probe.check(get(client, f"/queries/{name}.rq"), f"{name}.rq")
    # an IRI parameter set to a restricted resource answers as for an IRI that never was
    hidden = probe.hidden()[0]
    targets = [hidden.iri, sorted(hidden.memberships)[0], sorted(hidden.consents or {""})[0]]
    for param in (p for p in query.params if p.type == "iri"):
        for iri in filter(None, targets):
            asked = client.get(f"/queries/{name}", params={param.name: iri, "format": "csv"})
            never = iri.rsplit("/", 1)[0] + "/never-existed"
            same = client.get(f"/queries/{name}", params={param.name: never, "format": "csv"})
            assert asked.status_code == same.status_code
            slug = iri.rsplit("/", 1)[-1]
            assert asked.text.replace(slug, "never-existed") == same.text, (name, param.name)


def test_the_catalogue_listing_and_query_page(client: TestClient, probe: Probe) -> None:
    for url, accept in (("/queries", "application/json"), ("/queries", "text/html"),
                        ("/query", "text/html")):
        probe.check(get(client, url, headers={"Accept": accept}), url)


def search_terms(probe: Probe) -> list[str]:
    terms = ["example.org", "@example", "personne", "person/personne-02", "membership", "tel:"]
    for person in probe.hidden():
        for name in person.names:
            terms += [name, name.split()[-1], name.split()[0]]
        terms += [m.removeprefix("mailto:").split("@")[0] for m in person.emails]
        terms += [m.removeprefix("mailto:") for m in person.emails]
    return terms


@pytest.mark.slow
def test_search_by_name_and_e_mail(client: TestClient, probe: Probe) -> None:
    from graph.publishing.search import KINDS

    terms = search_terms(probe)
    assert len(terms) > 90
    for term in terms:
        for kinds in ([], list(KINDS)):
            for accept in ("application/json", "text/html"):
                response = client.get("/search", params={"q": term, "kind": kinds, "limit": 100},
                                      headers={"Accept": accept})
                assert response.status_code == 200, (term, response.text[:200])
                body = response.text
                # the text asked for is echoed (in the box, and URL-encoded in the links that
                # keep the page's parameters, such as the language switch): not a leak
                for echo in (term, term.lower(), quote_plus(term), quote(term, safe="")):
                    body = body.replace(echo, "")
                probe.check(body, f"search {term!r}")
                if accept == "application/json" and term.split()[-1] in ("Marchand", "Robert"):
                    assert response.json()["results"] == []


def test_search_does_find_things(client: TestClient) -> None:
    """The search probes above search something: public names are found."""
    found = client.get("/search", params={"q": "loomio"}).json()["results"]
    assert found


def test_vocabulary(client: TestClient, probe: Probe) -> None:
    for url in ("/ns", "/ns.ttl", "/ns.jsonld", "/ns.nt", "/ns.rdf", "/ns/context.jsonld"):
        probe.check(get(client, url), url)
    for media in ("text/html", "text/turtle", "application/ld+json", "application/rdf+xml"):
        probe.check(get(client, "/ns", headers={"Accept": media}), f"/ns as {media}")


def test_dumps_and_void(client: TestClient, probe: Probe) -> None:
    for accept in ("application/json", "text/html"):
        probe.check(get(client, "/dumps", headers={"Accept": accept}), "/dumps")
    for dump in DUMPS:
        body = get(client, f"/dumps/{dump.name}")
        text = gzip.decompress(body)
        assert b"Amina Belkacem" in text  # consented: the dump is read for real
        probe.check(text, dump.name)
    for media in ("text/turtle", "application/ld+json", "application/n-triples",
                  "application/rdf+xml"):
        probe.check(get(client, "/.well-known/void", headers={"Accept": media}),
                    f"VoID as {media}")


def test_graph_store_on_every_graph(client: TestClient, probe: Probe,
                                    curator: dict[str, str]) -> None:
    everything = client.get("/sparql", params={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g "
                                                         "{ ?s ?p ?o } }"},
                            headers={"Accept": "text/csv", **curator})
    graphs = everything.text.split()[1:]
    assert GRAPH + "example-members" in graphs and len(graphs) >= 6
    restricted = {GRAPH + "example-members", GRAPH + "example-consent"}
    for graph in [*graphs, GRAPH + "restricted/nothing"]:
        for media in ("text/turtle", "application/n-triples", "application/ld+json",
                      "application/rdf+xml"):
            response = client.get("/store", params={"graph": graph}, headers={"Accept": media})
            if graph in restricted or "restricted/" in graph:
                assert response.status_code == 404, graph
                assert response.text.replace(graph, "G") == client.get(
                    "/store", params={"graph": GRAPH + "never-existed"},
                    headers={"Accept": media}).text.replace(GRAPH + "never-existed", "G")
            else:
                assert response.status_code == 200, graph
                probe.check(response.content, f"/store?graph={graph} as {media}")
        assert client.head("/store", params={"graph": graph}).status_code == (
            404 if graph in restricted or "restricted/" in graph else 200)
    default = get(client, "/store", headers={"Accept": "application/n-triples"})
    assert ox.parse(default, ox.RdfFormat.N_TRIPLES) is not None
    probe.check(default, "/store")


def map_urls(client: TestClient) -> list[str]:
    urls = ["/", "/maps", "/maps/tools"]
    for spec in GALLERY:
        urls += [f"/maps/{spec.name}{s}" for s in MAP_SUFFIXES]
        urls += [f"/maps/{spec.name}/export.json?full=1",
                 f"/maps/{spec.name}/embed?group=kind&colour=field",
                 f"/maps/{spec.name}/export.nodes.csv?group=dep"]
    tools = get(client, "/maps/tools").decode()
    slugs = sorted(set(re.findall(r'href="/maps/tool/([a-z0-9-]+)[?"]', tools)))
    assert len(slugs) > 20
    for slug in slugs:
        urls += [f"/maps/tool/{slug}{s}" for s in MAP_SUFFIXES]
    return urls


@pytest.mark.slow
def test_every_map_view_and_export(client: TestClient, probe: Probe) -> None:
    for url in map_urls(client):
        for lang in ("fr", "en"):
            probe.check(get(client, url, headers={"Accept-Language": lang}), url)


def test_the_remaining_pages(client: TestClient, probe: Probe) -> None:
    for url in ("/health", "/openapi.json", "/docs", "/sparql", "/search"):
        response = client.get(url, headers={"Accept": "text/html"} if url == "/search" else {})
        assert response.status_code in (200, 400), url
        probe.check(response.content, url)
    description = client.get("/sparql", headers={"Accept": "text/turtle"})
    probe.check(description.content, "the service description")
    assert f"{ID}person/" not in description.text
