"""The provenance list of a resource page says a graph's title and source in the reader's
language when the meta graph gives them in several (the public view of consented persons)."""

from __future__ import annotations

from graph.privacy.persons import PUBLIC_PERSONS_GRAPH, refresh_public_view
from graph.publishing.describe import _sources
from tests.support.graphs import example_store


def test_the_public_view_is_described_in_the_readers_language() -> None:
    store = example_store()
    refresh_public_view(store, threshold=5)
    found = store.query(
        f"SELECT ?s WHERE {{ GRAPH <{PUBLIC_PERSONS_GRAPH}> {{ ?s ?p ?o }} }} LIMIT 1")
    iri = next(iter(found))["s"].value
    said = {lang: {s.graph: (s.title, s.source) for s in _sources(store, iri, lang)}
            for lang in ("fr", "en")}
    assert said["fr"][PUBLIC_PERSONS_GRAPH] == (
        "Personnes ayant consenti et effectifs des membres",
        "tiré des registres de consentement à accès restreint")
    assert said["en"][PUBLIC_PERSONS_GRAPH] == (
        "Consented persons and membership figures",
        "derived from the restricted consent records")
