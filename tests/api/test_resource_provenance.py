"""The page of a resource says, for each fact, which of its sources states it: a numbered
note on the value, pointing at the source in the provenance list."""

from __future__ import annotations

import re

from tests.support.live import CURATOR_TOKEN, app_client
from tests.support.stores import load_example, memory_store

SHEET = (b"id,organisation,tool,practices,status,observed on\n"
         b"u-note-1,VECAM,Loomio,voting,active,2026-03-14\n")
EXAMPLE = "https://w3id.org/civicgraph/graph/example"
SURVEY = "https://w3id.org/civicgraph/graph/contrib/survey-2026"


def notes_of(row: str) -> set[str]:
    return set(re.findall(r'<sup class="source"><a href="#source-(\d+)"', row))


def test_each_value_points_at_the_graph_that_states_it() -> None:
    with app_client(load_example(memory_store())) as client:
        imported = client.post("/imports", files={"file": ("usages.csv", SHEET)},
                               data={"source": "survey 2026", "kind": "usages"},
                               headers={"Authorization": f"Bearer {CURATOR_TOKEN}"})
        assert imported.status_code == 200, imported.text
        page = client.get("/id/org/vecam", headers={"Accept": "text/html"}).text
        usage = client.get("/id/usage/u-note-1", headers={"Accept": "text/html"}).text
    sources = {graph: n for n, graph in re.findall(
        r'<li id="source-(\d+)">.*?<code>([^<]+)</code>', page, re.S)}
    assert set(sources) == {EXAMPLE, SURVEY}
    rows = re.findall(r"<tr>.*?</tr>", page, re.S)
    imported_row = next(r for r in rows if "/id/usage/u-note-1" in r)
    assert sources[SURVEY] in notes_of(imported_row.split("/id/usage/u-note-1")[1][:200])
    own = next(r for r in rows if "dcterms:description" in r)
    assert notes_of(own) == {sources[EXAMPLE]}
    usage_sources = dict(re.findall(r'<li id="source-(\d+)">.*?<code>([^<]+)</code>',
                                    usage, re.S))
    assert set(usage_sources.values()) == {SURVEY}
    assert notes_of(usage) == set(usage_sources)
