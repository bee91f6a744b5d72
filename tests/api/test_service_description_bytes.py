"""The Service Description at ``GET /sparql`` is the same bytes for the same request: its
blank nodes have stable labels (they were random, so two GETs differed and a HEAD's
Content-Length was not its GET's), and it still describes the dataset with blank nodes."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pyoxigraph as ox
import pytest

from tests.support.live import Live, running
from tests.support.stores import example_store

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = ["text/turtle", "application/n-triples", "application/ld+json",
           "application/rdf+xml"]


@pytest.fixture(scope="module")
def live() -> Iterator[Live]:
    with running(example_store()) as server:
        yield server


@pytest.mark.parametrize("accept", FORMATS)
def test_two_gets_are_the_same_bytes_and_head_says_their_length(live: Live,
                                                                accept: str) -> None:
    headers = {"Accept": accept}
    first = httpx.get(f"{live.url}/sparql", headers=headers)
    second = httpx.get(f"{live.url}/sparql", headers=headers)
    head = httpx.head(f"{live.url}/sparql", headers=headers)
    assert first.status_code == second.status_code == head.status_code == 200
    assert first.content == second.content
    assert head.headers["content-length"] == first.headers["content-length"] \
        == str(len(first.content))


def test_the_same_by_format_parameter(live: Live) -> None:
    url = f"{live.url}/sparql?format=turtle"
    assert httpx.get(url).content == httpx.get(url).content
    assert httpx.head(url).headers["content-length"] == str(len(httpx.get(url).content))


def test_the_dataset_is_still_described_by_blank_nodes(live: Live) -> None:
    response = httpx.get(f"{live.url}/sparql", headers={"Accept": "application/n-triples"})
    triples = list(ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES))
    dataset = [t.object for t in triples if t.predicate.value == SD + "defaultDataset"]
    assert len(dataset) == 1 and isinstance(dataset[0], ox.BlankNode)
    named = [t.object for t in triples
             if t.subject == dataset[0] and t.predicate.value == SD + "namedGraph"]
    assert named and all(isinstance(n, ox.BlankNode) for n in named)
    assert len(set(named)) == len(named)   # one node per named graph, none merged
