"""A SPARQL query or update sent as the body (``application/sparql-query``,
``application/sparql-update``) may open with a UTF-8 byte order mark, as editors on some
systems save files: it is no part of the text (Jena skips it; it was a 400 pointing at a
column the client could not see)."""

from __future__ import annotations

import httpx

from tests.support.live import CURATOR_TOKEN, Live

BOM = "\ufeff".encode()


def test_a_query_body_opening_with_a_byte_order_mark_is_read(live: Live) -> None:
    response = httpx.post(f"{live.url}/sparql", content=BOM + b"ASK { }",
                          headers={"Content-Type": "application/sparql-query",
                                   "Accept": "application/sparql-results+json"}, timeout=60)
    assert response.status_code == 200, response.text
    assert response.json()["boolean"] is True


def test_an_update_body_opening_with_a_byte_order_mark_is_read(live: Live) -> None:
    graph = "http://example.org/bom"
    response = httpx.post(f"{live.url}/sparql",
                          content=BOM + f"INSERT DATA {{ GRAPH <{graph}> {{ <urn:e:a> "
                                        "<urn:e:p> 1 } }".encode(),
                          headers={"Content-Type": "application/sparql-update",
                                   "Authorization": f"Bearer {CURATOR_TOKEN}"}, timeout=60)
    assert response.status_code in (200, 204), response.text
    assert live.store.count(graph) == 1


def test_a_byte_order_mark_inside_the_text_is_still_an_error(live: Live) -> None:
    response = httpx.post(f"{live.url}/sparql", content=b"ASK " + BOM + b"{ }",
                          headers={"Content-Type": "application/sparql-query"}, timeout=60)
    assert response.status_code == 400


def test_an_empty_query_or_update_says_so(live: Live) -> None:
    """An empty text was a 400 saying "expected [_]"."""
    for name in ("query", "update"):
        response = httpx.post(f"{live.url}/sparql", data={name: "  \n"},
                              headers={"Authorization": f"Bearer {CURATOR_TOKEN}"}, timeout=60)
        assert response.status_code == 400
        assert f"the {name} is empty" in response.json()["message"]
