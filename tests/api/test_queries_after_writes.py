"""Catalogue answers after a write: kept when the write cannot change them, fresh otherwise
(``graph.queries.kept`` behind ``GET /queries/{name}``)."""

from __future__ import annotations

import httpx

from graph.namespaces import graph_iri
from graph.queries.kept import kept_answers
from tests.support.live import Live

GUIDE = b"""
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix schema: <https://schema.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix cg: <https://w3id.org/civicgraph/ns#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<https://w3id.org/civicgraph/id/resource/kept-guide> a schema:CreativeWork ;
  rdfs:label "A guide written after the answers were kept"@en ;
  dcterms:type <https://w3id.org/civicgraph/id/resource-type/guide> ;
  dcterms:license <https://creativecommons.org/licenses/by/4.0/> ;
  schema:about <https://w3id.org/civicgraph/id/practice/instant-messaging> ;
  dcterms:issued "2026-01-01"^^xsd:date ;
  cg:isFictional true .
"""


def _resources(live: Live) -> int:
    rows = httpx.get(f"{live.url}/queries/resources_by_licence_and_topic",
                     timeout=60).json()["results"]["bindings"]
    return sum(int(row["resources"]["value"]) for row in rows)


def test_a_write_changes_the_answers_it_can_change_and_keeps_the_others(
        fresh_live: Live, token: str) -> None:
    tools = f"{fresh_live.url}/queries/tools_by_practice"
    before_tools = httpx.get(tools, timeout=60).content
    before = _resources(fresh_live)
    kept = kept_answers(fresh_live.app.state.engine.store)
    carried = kept.carried
    response = httpx.put(f"{fresh_live.url}/store", params={"graph": graph_iri("test/guide")},
                         content=GUIDE, headers={"Authorization": f"Bearer {token}",
                                                 "Content-Type": "text/turtle"})
    assert response.status_code == 201, response.text
    assert _resources(fresh_live) == before + 1    # the answer that changed is fresh
    assert httpx.get(tools, timeout=60).content == before_tools
    assert kept.carried > carried                  # ... and the one that could not was kept
