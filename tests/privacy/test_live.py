"""End to end over a real socket: uvicorn on 127.0.0.1, an on-disk store, query worker
processes (the production set-up). Every kind of anonymous surface is read once before and
once after a curator withdraws a consent by a SPARQL update."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from graph.namespaces import ID
from graph.store import open_store
from tests.privacy.probes import CONSENTS, Probe, read_people
from tests.privacy.test_withdrawal import ORGANISATION, RECORD, sparql_withdrawal
from tests.support.stores import load_example

EVERYTHING = "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }"


def read_all(base: str) -> dict[str, httpx.Response]:
    """One answer from each kind of anonymous surface."""
    with httpx.Client(base_url=base, timeout=60) as http:
        answers = {
            "sparql": http.get("/sparql", params={"query": EVERYTHING},
                               headers={"Accept": "text/csv"}),
            "construct": http.post("/sparql", data={"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
                                   headers={"Accept": "application/n-triples"}),
            "catalogue": http.get("/queries/shared_spaces", params={"format": "json"}),
            "search": http.get("/search", params={"q": "sante"}),
            "org page": http.get(f"/id/{ORGANISATION[len(ID):]}"),
            "org document": http.get(f"/id/{ORGANISATION[len(ID):]}.ttl"),
            "person page": http.get("/id/person/personne-01"),
            "hidden person": http.get("/id/person/personne-02.jsonld"),
            "dump": http.get("/dumps/civicgraph.nq.gz"),
            "void": http.get("/.well-known/void"),
            "graph store": http.get("/store",
                                    headers={"Accept": "application/n-triples"}),
            "map": http.get("/maps/organisations-tools/export.json"),
            "neighbourhood": http.get("/maps/neighbourhood/export.gexf",
                                      params={"iri": ORGANISATION}),
            "ns": http.get("/ns.ttl"),
        }
    return answers


def check(answers: dict[str, httpx.Response], probe: Probe) -> None:
    for where, response in answers.items():
        if where in ("hidden person",) or (where == "person page" and
                                             "name" not in probe.consents.get(1, ())):
            assert response.status_code == 404, where
            continue
        assert response.status_code == 200, (where, response.status_code)
        body = gzip.decompress(response.content) if where == "dump" else response.content
        probe.check(body, f"{where} over HTTP")


@pytest.mark.slow
def test_every_surface_over_a_real_socket(serve: Callable[..., Any], probe: Probe,
                                          tmp_path: Path) -> None:
    from tests.support.live import CURATOR_TOKEN

    store = open_store(str(tmp_path / "store"))
    load_example(store)
    with serve(store, query_workers=2) as live:
        before = read_all(live.url)
        check(before, probe)
        assert b"Amina Belkacem" in before["sparql"].content
        with httpx.Client(base_url=live.url, timeout=60) as http:
            sparql_withdrawal(http, {"Authorization": f"Bearer {CURATOR_TOKEN}"})
        after = read_all(live.url)
    store.close()
    check(after, Probe(read_people(), {n: c for n, c in CONSENTS.items() if n != 1}))
    assert RECORD.encode() not in after["sparql"].content
