"""Linked-data pages: /id/{kind}/{slug} as HTML and as RDF, by Accept and by suffix."""

from __future__ import annotations

import html
import json
import re

import httpx
import pyoxigraph as ox
import pytest

from tests.support.live import Live

VECAM = "https://w3id.org/civicgraph/id/org/vecam"
ACTIVE = "https://w3id.org/civicgraph/id/status/active"
FORMATS = [("ttl", "text/turtle"), ("jsonld", "application/ld+json"),
           ("nt", "application/n-triples"), ("rdf", "application/rdf+xml")]


def parse(response: httpx.Response) -> list[ox.Triple]:
    fmt = ox.RdfFormat.from_media_type(response.headers["content-type"].split(";")[0])
    assert fmt is not None
    return [q.triple for q in ox.parse(response.content, format=fmt)]


@pytest.mark.parametrize(("suffix", "media_type"), FORMATS)
def test_rdf_by_suffix_and_by_accept(live: Live, suffix: str, media_type: str) -> None:
    by_suffix = httpx.get(f"{live.url}/id/org/vecam.{suffix}")
    by_accept = httpx.get(f"{live.url}/id/org/vecam", headers={"Accept": media_type})
    for response in (by_suffix, by_accept):
        assert response.status_code == 200
        assert response.headers["content-type"].split(";")[0] == media_type
        triples = parse(response)
        assert any(t.subject == ox.NamedNode(VECAM) and t.predicate.value.endswith("#label")
                   for t in triples)
    assert by_accept.headers["content-location"] == f"/id/org/vecam.{suffix}"
    assert len(parse(by_suffix)) == len(parse(by_accept))


def test_every_answer_lists_its_alternates(live: Live) -> None:
    for path in ("/id/org/vecam", "/id/org/vecam.ttl"):
        link = httpx.get(f"{live.url}{path}").headers["link"]
        for suffix, media_type in FORMATS:
            assert f'</id/org/vecam.{suffix}>; rel="alternate"; type="{media_type}"' in link
        assert '</id/org/vecam>; rel="alternate"; type="text/html"' in link


def test_html_page(live: Live) -> None:
    response = httpx.get(f"{live.url}/id/org/vecam", headers={"Accept": "text/html",
                                                              "Accept-Language": "en"})
    assert response.status_code == 200
    page = response.text
    assert "<h1>VECAM</h1>" in page
    assert 'href="/id/org-kind/association"' in page          # a linked value, opened here
    assert ">Association<" in page                            # ... shown by its label
    assert "Incoming links" in page and "Provenance" in page
    assert "civicgraph example dataset (public part)" in page
    assert 'id="neighbourhood-map"' in page
    assert "/maps/neighbourhood/embed?iri=https%3A%2F%2Fw3id.org" in page
    embedded = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert embedded is not None
    document = json.loads(embedded.group(1))
    assert any(node.get("@id") == VECAM for node in document)
    as_json_ld = parse(httpx.get(f"{live.url}/id/org/vecam.jsonld"))
    assert len(list(ox.parse(embedded.group(1).encode(), format=ox.RdfFormat.JSON_LD))) \
        == len(as_json_ld)


@pytest.mark.parametrize(("headers", "params", "expected"), [
    ({"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"}, {}, "Actif"),
    ({"Accept-Language": "en-GB,en;q=0.9"}, {}, "Active"),
    ({"Accept-Language": "en"}, {"lang": "fr"}, "Actif"),
    ({"Accept-Language": "de"}, {}, "Active"),
])
def test_labels_follow_the_reader_language(live: Live, headers: dict[str, str],
                                           params: dict[str, str], expected: str) -> None:
    response = httpx.get(f"{live.url}/id/status/active", params=params,
                         headers={"Accept": "text/html", **headers})
    assert f"<h1>{expected}</h1>" in response.text


def test_incoming_links_are_paged(live: Live) -> None:
    def subjects(page: int) -> set[str]:
        text = httpx.get(f"{live.url}/id/status/active", params={"page": page},
                         headers={"Accept": "text/html"}).text
        section = text.split('id="incoming"', 1)[1].split("</section>", 1)[0]
        return set(re.findall(r'href="(/id/[^"]+)"', section))

    first, second = subjects(1), subjects(2)
    assert len(first) == 50 and len(second) == 50 and not first & second
    page = httpx.get(f"{live.url}/id/status/active", headers={"Accept": "text/html"}).text
    assert "page 1 / 6" in page and 'rel="next"' in page
    assert subjects(7) == set()


@pytest.mark.parametrize("path", ["/id/person/personne-01",
                                  "/id/membership/personne-30-reseau-sante-ville",
                                  "/id/person/personne-01.ttl", "/id/org/no-such-org"])
def test_restricted_and_unknown_resources_are_404(live: Live, path: str) -> None:
    assert httpx.get(f"{live.url}{path}", headers={"Accept": "text/html"}).status_code == 404
    assert httpx.get(f"{live.url}{path}",
                     headers={"Accept": "text/turtle"}).status_code == 404


def test_a_curator_sees_restricted_resources(live: Live, token: str) -> None:
    response = httpx.get(f"{live.url}/id/person/personne-01.ttl",
                         headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert parse(response)


def test_unacceptable_and_malformed(live: Live) -> None:
    assert httpx.get(f"{live.url}/id/org/vecam",
                     headers={"Accept": "image/png"}).status_code == 406
    assert httpx.get(f"{live.url}/id/org/%3Cscript%3E").status_code == 404
    assert httpx.get(f"{live.url}/id/org/vecam", params={"page": 0}).status_code == 400


def test_values_are_escaped(live: Live) -> None:
    response = httpx.get(f"{live.url}/id/org/vecam", headers={"Accept": "text/html"})
    label = html.escape("Île-de-France")
    assert "Île-de-France" in response.text or label in response.text
    assert "<script>" not in response.text
