"""Catalogue answers after a write: kept when the write cannot change them, fresh otherwise
(``graph.queries.kept`` behind ``GET /queries/{name}``)."""

from __future__ import annotations

import concurrent.futures
import gzip
import json
import re
import threading
from typing import Any

import httpx
import pytest

from api.routes import queries as queries_route
from api.routes.queries import JSON, catalogue_job
from api.templating import LANGUAGES
from graph.namespaces import graph_iri
from graph.queries import kept as kept_module
from graph.queries.catalogue import get_query, list_queries, parse_query
from graph.queries.kept import kept_answers
from graph.queries.refreshing import refresher_of
from graph.sparql.request import QueryJob
from tests.support.live import Live, running
from tests.support.stores import example_store

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


def _default_jobs(live: Live) -> list[QueryJob]:
    """The jobs the server maintains from its start: every catalogue query with its default
    parameters, in JSON, in each language of the site."""
    engine = live.app.state.engine
    jobs = []
    for query in list_queries():
        languages = LANGUAGES if any(p.name == "lang" for p in query.params) else (None,)
        for lang in languages:
            terms = query.bind({"lang": lang} if lang else {}, base=live.settings.base_iri)
            jobs.append(catalogue_job(engine, query, terms, "public", JSON))
    return jobs


def test_the_default_answers_are_ready_before_the_first_ask_and_again_after_a_write(
        token: str) -> None:
    with running(example_store(), maintain_catalogue=True) as live:
        _ready_before_and_after_a_write(live, token)


def _ready_before_and_after_a_write(fresh_live: Live, token: str) -> None:
    store = fresh_live.app.state.engine.store
    kept = kept_answers(store)
    jobs = _default_jobs(fresh_live)
    found = refresher_of(kept)
    assert found is not None and found.maintained == len(jobs) > len(list_queries())
    assert found.wait(store.version, 120), "the first round did not end"
    assert [job for job in jobs if not kept.holds(job)] == []   # nothing asked yet
    before = _resources(fresh_live)
    response = httpx.put(f"{fresh_live.url}/store", params={"graph": graph_iri("test/guide")},
                         content=GUIDE, headers={"Authorization": f"Bearer {token}",
                                                 "Content-Type": "text/turtle"})
    assert response.status_code == 201, response.text
    assert found.wait(store.version, 120), "no round after the write"
    assert [job for job in jobs if not kept.holds(job)] == []
    assert found.refreshed > len(jobs)   # some answers the write changed were evaluated again
    assert _resources(fresh_live) == before + 1


def test_the_page_and_the_api_share_one_kept_answer() -> None:
    with running(example_store(), maintain_catalogue=False) as live:
        kept = kept_answers(live.app.state.engine.store)
        query = get_query("shared_spaces")
        terms = query.bind({"lang": "fr"}, base=live.settings.base_iri)
        job = catalogue_job(live.app.state.engine, query, terms, "public", JSON)
        assert refresher_of(kept) is None and not kept.holds(job)   # nothing asked yet
        page = httpx.get(f"{live.url}/queries/shared_spaces",
                         headers={"Accept": "text/html", "Accept-Language": "fr"}, timeout=60)
        assert page.status_code == 200
        assert kept.holds(job)   # the page's answer is the API's


def test_a_large_kept_answer_goes_gzipped_to_a_client_that_takes_gzip(
        live: Live, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kept_module, "COMPRESS_FROM", 100)   # the example's answers are small
    url = f"{live.url}/queries/tool_usages"
    first = httpx.get(url, headers={"Accept-Encoding": "gzip"}, timeout=60)
    zipped = httpx.get(url, headers={"Accept-Encoding": "gzip"}, timeout=60)   # kept now
    plain = httpx.get(url, headers={"Accept-Encoding": "identity"}, timeout=60)
    page = httpx.get(url, headers={"Accept-Encoding": "gzip", "Accept": "text/html"},
                     timeout=60)
    assert "content-encoding" not in first.headers   # evaluated for this ask: as written
    assert zipped.headers["content-encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["vary"]
    assert int(zipped.headers["content-length"]) < len(zipped.content)   # decoded by httpx
    assert zipped.json() == first.json() == plain.json() and len(first.json()["results"][
        "bindings"]) > 0
    assert "content-encoding" not in plain.headers
    assert page.status_code == 200 and "<table" in page.text   # HTML, whatever its coding


def test_the_page_of_a_large_kept_answer_reads_its_rows_without_decompressing_it_whole(
        fresh_live: Live, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kept_module, "COMPRESS_FROM", 100)   # the example's answers are small
    monkeypatch.setattr(queries_route, "PAGE_ROWS", 3)
    url = f"{fresh_live.url}/queries/tool_usages"
    every = httpx.get(url, params={"lang": "en"}, timeout=60).json()["results"]["bindings"]
    kept = kept_answers(fresh_live.app.state.engine.store)
    assert any(answer.compressed for answer in kept._answers.values())

    def whole(body: bytes) -> bytes:
        raise AssertionError("the page decompressed the whole answer")

    monkeypatch.setattr(kept_module, "decompressed", whole)
    page = httpx.get(url, params={"lang": "en", "page": "2"},
                     headers={"Accept": "text/html", "Accept-Encoding": "gzip"}, timeout=60)
    assert page.status_code == 200, page.text
    shown = re.search(r'id="results-json">(.*?)</script>', page.text, re.S)
    assert shown is not None
    assert [row["usage"]["value"] for row in json.loads(shown.group(1))["results"][
        "bindings"]] == [row["usage"]["value"] for row in every[3:6]]
    assert f"Rows 4–6 of {len(every)}" in page.text


def test_only_the_languages_of_the_site_are_maintained(fresh_live: Live) -> None:
    url = f"{fresh_live.url}/queries/tool_usages"
    assert httpx.get(url, params={"lang": "fr"}, timeout=60).status_code == 200
    found = refresher_of(kept_answers(fresh_live.app.state.engine.store))
    assert found is not None and found.maintained == 1
    for lang in ("FR", "fr-x-one", "fr-CA"):   # any tag: each would be a job more
        assert httpx.get(url, params={"lang": lang}, timeout=60).status_code == 200
    # one the site has not is refused (its labels would mix languages): no job either
    assert httpx.get(url, params={"lang": "de"}, timeout=60).status_code == 400
    assert httpx.get(url, params={"lang": "en"}, timeout=60).status_code == 200
    assert found.maintained == 2


def test_only_the_json_answer_is_maintained_whatever_format_is_asked(fresh_live: Live) -> None:
    # the page and the API share the SPARQL JSON answer; CSV, TSV and XML asks are answered
    # and kept, but a client asking each once must not make every round after a write
    # evaluate each query four times
    url = f"{fresh_live.url}/queries/tool_usages"
    for name in ("csv", "tsv", "xml"):
        assert httpx.get(url, params={"lang": "fr", "format": name},
                         timeout=60).status_code == 200
    found = refresher_of(kept_answers(fresh_live.app.state.engine.store))
    assert found is None or found.maintained == 0
    assert httpx.get(url, params={"lang": "fr"}, headers={"Accept": "text/html"},
                     timeout=60).status_code == 200
    assert httpx.get(url, params={"lang": "fr"}, timeout=60).status_code == 200   # the same
    found = refresher_of(kept_answers(fresh_live.app.state.engine.store))
    assert found is not None and found.maintained == 1


def test_a_query_that_needs_a_value_has_no_default_answer_to_maintain(
        fresh_live: Live, monkeypatch: pytest.MonkeyPatch) -> None:
    needing = parse_query("usages_of_a_tool", """#+ title.en: Usages of a tool
#+ title.fr: Usages d'un outil
#+ description.en: The usages of the tool given.
#+ description.fr: Les usages de l'outil donné.
#+ param: tool iri kind=software label.en=Tool label.fr=Outil
PREFIX cg: <https://w3id.org/civicgraph/ns#>
SELECT ?usage WHERE { ?usage cg:tool ?tool }
""")
    assert needing.params[0].required
    monkeypatch.setattr(queries_route, "list_queries", lambda: [*list_queries(), needing])
    maintained = queries_route.maintain_defaults(fresh_live.app.state.engine,
                                                 fresh_live.settings.base_iri)
    assert maintained == len(_default_jobs(fresh_live))   # the others, and the server starts
    store = fresh_live.app.state.engine.store
    found = refresher_of(kept_answers(store))
    assert found is not None and found.wait(store.version, 120)   # the round, before the end


def test_a_client_that_sends_accept_encoding_on_two_lines_gets_gzip(
        live: Live, monkeypatch: pytest.MonkeyPatch) -> None:
    # RFC 9110 §5.3: the lines are one list; the first alone says "identity" only
    monkeypatch.setattr(kept_module, "COMPRESS_FROM", 100)   # the example's answers are small
    url = f"{live.url}/queries/tool_usages"
    lines = [("Accept-Encoding", "identity"), ("Accept-Encoding", "gzip")]
    plain = httpx.get(url, params={"lang": "en"}, headers=lines, timeout=60)
    zipped = httpx.get(url, params={"lang": "en"}, headers=lines, timeout=60)   # kept now
    assert zipped.headers.get("content-encoding") == "gzip"
    assert zipped.content == plain.content   # as httpx decoded it


def test_a_head_of_a_gzipped_answer_gives_the_headers_a_get_gives(
        live: Live, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kept_module, "COMPRESS_FROM", 100)   # the example's answers are small
    url = f"{live.url}/queries/tool_usages?lang=fr&format=csv"
    httpx.get(url, timeout=60)   # kept from now
    with httpx.Client(timeout=60) as client:
        for coding in ("gzip", "identity"):
            head = client.head(url, headers={"Accept-Encoding": coding})
            with client.stream("GET", url, headers={"Accept-Encoding": coding}) as get:
                sent = b"".join(get.iter_raw())   # the bytes on the wire, not decoded
            assert head.status_code == get.status_code == 200 and head.content == b""
            assert head.headers.get("content-encoding") == get.headers.get(
                "content-encoding") == ("gzip" if coding == "gzip" else None)
            assert head.headers["content-length"] == get.headers["content-length"] == str(
                len(sent))


def test_reading_the_page_out_of_an_answer_holds_the_clients_query_slot(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # a kept answer comes at once, but reading its last page parses every row before it
    # (seconds for a large gzipped answer): one client's asks for it are bounded as queries
    reading, release = threading.Event(), threading.Event()
    read = queries_route._read

    def held(answer: Any, coding: str | None) -> Any:
        reading.set()
        release.wait(30)
        return read(answer, coding)

    monkeypatch.setattr(queries_route, "_read", held)
    with running(example_store(), client_concurrency=1) as live, \
            concurrent.futures.ThreadPoolExecutor(1) as pool:
        url = f"{live.url}/queries/tool_usages"
        try:
            page = pool.submit(httpx.get, url, headers={"Accept": "text/html"}, timeout=60)
            assert reading.wait(30), "the page was not read"
            other = httpx.get(url, timeout=60)
        finally:
            release.set()
        assert page.result().status_code == 200
        assert other.status_code == 429


def test_the_result_page_goes_gzipped_to_a_browser_that_takes_gzip(live: Live) -> None:
    # 500 rows make a page of 1.2 MB (the table and its rows as JSON for the views), 70 kB
    # gzipped: what a phone downloads
    url = f"{live.url}/queries/tool_usages?lang=fr"
    html = {"Accept": "text/html"}
    with httpx.Client(timeout=60) as client:
        plain = client.get(url, headers={**html, "Accept-Encoding": "identity"})
        with client.stream("GET", url, headers={**html, "Accept-Encoding": "gzip"}) as zipped:
            sent = b"".join(zipped.iter_raw())
        head = client.head(url, headers={**html, "Accept-Encoding": "gzip"})
    assert zipped.status_code == 200 and zipped.headers["content-encoding"] == "gzip"
    assert gzip.decompress(sent) == plain.content and len(sent) < len(plain.content) / 3
    assert zipped.headers["content-length"] == head.headers["content-length"] == str(len(sent))
    assert "Accept-Encoding" in zipped.headers["vary"]
    assert "content-encoding" not in plain.headers
