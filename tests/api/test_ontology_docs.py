"""The namespace /ns: documentation for people, the ontology for programs."""

from __future__ import annotations

import html
import json
import re

import httpx
import pyoxigraph as ox
import pytest

from graph.publishing.documentation import documentation
from graph.vocabulary import vocabulary_triples
from tests.support.live import Live

FORMATS = [("ttl", "text/turtle"), ("jsonld", "application/ld+json"),
           ("nt", "application/n-triples"), ("rdf", "application/rdf+xml")]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_term_and_scheme_is_documented(live: Live, lang: str) -> None:
    page = html.unescape(httpx.get(f"{live.url}/ns", params={"lang": lang},
                                   headers={"Accept": "text/html"}).text)
    docs = documentation()
    assert docs.terms and docs.schemes
    for term in docs.terms:
        assert f'id="{term.name}"' in page, term.name
        assert term.label(lang) in page, term.name
        definition = term.definition(lang)
        assert definition is not None and definition in page
    for scheme in docs.schemes:
        assert f'id="scheme-{scheme.kind}"' in page
        concepts = re.findall(rf'id="concept-{re.escape(scheme.kind)}-[^"]+"', page)
        assert len(set(concepts)) == scheme.size, scheme.kind
    assert f'<html lang="{lang}">' in page


def test_labels_follow_accept_language(live: Live) -> None:
    fr = httpx.get(f"{live.url}/ns", headers={"Accept": "text/html", "Accept-Language": "fr"})
    en = httpx.get(f"{live.url}/ns", headers={"Accept": "text/html", "Accept-Language": "en"})
    assert "Vocabulaire civicgraph" in fr.text and "<h1>civicgraph vocabulary</h1>" in en.text


@pytest.mark.parametrize(("suffix", "media_type"), FORMATS)
def test_the_ontology_by_accept_and_by_suffix(live: Live, suffix: str, media_type: str) -> None:
    by_accept = httpx.get(f"{live.url}/ns", headers={"Accept": media_type})
    by_suffix = httpx.get(f"{live.url}/ns.{suffix}")
    expected = len(set(vocabulary_triples()))
    for response in (by_accept, by_suffix):
        assert response.status_code == 200
        assert response.headers["content-type"].split(";")[0] == media_type
        fmt = ox.RdfFormat.from_media_type(media_type)
        assert fmt is not None
        parsed = {q.triple for q in ox.parse(response.content, format=fmt)}
        # blank nodes are relabelled by every writer: compare sizes
        assert len(parsed) == expected
        assert '</ns.ttl>; rel="alternate"; type="text/turtle"' in response.headers["link"]


def test_context_version_and_errors(live: Live) -> None:
    context = httpx.get(f"{live.url}/ns/context.jsonld")
    assert context.status_code == 200 and "@context" in json.loads(context.content)
    version = documentation().version
    redirect = httpx.get(f"{live.url}/ns/{version}")
    assert redirect.status_code == 303 and redirect.headers["location"] == "/ns"
    assert httpx.get(f"{live.url}/ns/9.9.9").status_code == 404
    assert httpx.get(f"{live.url}/ns.yaml").status_code == 404
    assert httpx.get(f"{live.url}/ns", headers={"Accept": "image/png"}).status_code == 406
