"""The lean path of one-subject lookups (``api.lookups.LookupPath``): the same answers, headers,
limits, logs and metrics as the ``/sparql`` route, and every other request left to the route."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from api import lookups
from api.routes import sparql
from tests.api.test_lookup_inline import ORG, PERSON, bindings
from tests.api.test_observability import metrics, sample
from tests.support.live import CURATOR_TOKEN, Live

JSON = "application/sparql-results+json"
LOOKUP = f"SELECT ?p ?o WHERE {{ <{ORG}> ?p ?o }}"
#: headers that differ from one answer to the next whoever gives it
VARYING = {"date", "x-request-id"}


def send(live: Live, method: str, params: dict[str, str] | None = None, **options: Any
         ) -> httpx.Response:
    return httpx.request(method, f"{live.url}/sparql", params=params, timeout=30, **options)


#: requests the lean path answers: (method, URL parameters, other httpx arguments)
LEAN: list[tuple[str, dict[str, str], dict[str, Any]]] = [
    ("GET", {"query": LOOKUP}, {"headers": {"Accept": JSON}}),
    ("GET", {"query": LOOKUP}, {}),
    ("GET", {"query": LOOKUP + " LIMIT 2"}, {"headers": {"Accept": "text/csv"}}),
    ("GET", {"query": LOOKUP, "format": "xml"}, {}),
    ("GET", {"query": LOOKUP, "output": "tsv"}, {"headers": {"Accept": "text/html"}}),
    ("GET", {"query": LOOKUP}, {"headers": {"Accept": "text/tab-separated-values"}}),
    ("POST", {}, {"data": {"query": LOOKUP}, "headers": {"Accept": JSON}}),
    ("POST", {}, {"content": LOOKUP.encode(),
                  "headers": {"Content-Type": "application/sparql-query", "Accept": JSON}}),
    ("POST", {"format": "csv"}, {"content": LOOKUP.encode(),
                                 "headers": {"Content-Type": "application/sparql-query"}}),
]


@pytest.fixture
def route_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every request goes to the application's route, as before the lean path."""
    monkeypatch.setattr(lookups.LookupPath, "_asked", lambda *args: None)
    yield


@pytest.fixture
def no_route(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The route refuses to answer lookups (so an answer proves the lean path gave it)."""
    def refuse(*args: Any) -> None:
        raise AssertionError("the route answered a lookup")

    monkeypatch.setattr(sparql, "_answer_lookup", refuse)
    yield


@pytest.mark.parametrize(("method", "params", "options"), LEAN)
def test_the_lean_path_answers_as_the_route(live: Live, monkeypatch: pytest.MonkeyPatch,
                                            method: str, params: dict[str, str],
                                            options: dict[str, Any]) -> None:
    lean = send(live, method, params, **options)
    with monkeypatch.context() as patched:
        patched.setattr(lookups.LookupPath, "_asked", lambda *args: None)
        routed = send(live, method, params, **options)
    assert lean.status_code == routed.status_code == 200
    assert lean.content == routed.content
    assert {k: v for k, v in lean.headers.items() if k not in VARYING} == \
        {k: v for k, v in routed.headers.items() if k not in VARYING}
    assert len(lean.headers["x-request-id"]) == 16


@pytest.mark.parametrize(("method", "params", "options"), LEAN)
def test_lookups_take_the_lean_path(live: Live, no_route: None, method: str,
                                    params: dict[str, str], options: dict[str, Any]) -> None:
    assert send(live, method, params, **options).status_code == 200


@pytest.mark.parametrize(("method", "params", "options", "status"), [
    # CORS: the route's middleware adds its headers
    ("GET", {"query": LOOKUP}, {"headers": {"Origin": "https://example.org"}}, 200),
    # a reader to recognise (the curator sees restricted graphs)
    ("GET", {"query": LOOKUP}, {"headers": {"Authorization": f"Bearer {CURATOR_TOKEN}"}}, 200),
    ("GET", {"query": LOOKUP}, {"headers": {"Authorization": "Bearer wrong"}}, 401),
    ("HEAD", {"query": LOOKUP}, {}, 200),
    ("GET", {"query": LOOKUP, "default-graph-uri": "https://w3id.org/civicgraph/graph/meta"},
     {}, 200),
    ("GET", {"query": LOOKUP, "query ": "x"}, {}, 200),
    ("GET", {"query": "SELECT ?p ?o WHERE { <https://w3id.org/x> ?p <relative> }"}, {}, 200),
    ("GET", {"query": LOOKUP}, {"headers": {"Accept": "text/html"}}, 303),   # a browser
    ("GET", {"query": LOOKUP}, {"headers": {"Accept": "image/png"}}, 406),
    ("GET", {"query": LOOKUP, "format": "png"}, {}, 406),
    ("GET", {"query": LOOKUP, "update": "CLEAR ALL"}, {}, 400),
    ("POST", {"query": LOOKUP}, {"content": LOOKUP.encode(),
                                 "headers": {"Content-Type": "application/sparql-query"}}, 400),
    ("POST", {}, {"data": {"query": LOOKUP, "update": "CLEAR ALL"}}, 400),
    ("POST", {}, {"content": LOOKUP.encode(), "headers": {"Content-Type": "text/plain"}}, 415),
])
def test_other_requests_go_to_the_route(live: Live, method: str, params: dict[str, str],
                                        options: dict[str, Any], status: int,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    answer = send(live, method, params, follow_redirects=False, **options)
    assert answer.status_code == status
    routed: list[bool] = []
    original = sparql._answer_query

    def spy(*args: Any) -> Any:
        routed.append(True)
        return original(*args)

    monkeypatch.setattr(sparql, "_answer_query", spy)
    if status == 200 and method != "HEAD":
        assert send(live, method, params, **options).status_code == 200
        assert routed
    if "origin" in {k.lower() for k in options.get("headers", {})}:
        assert answer.headers["access-control-allow-origin"] == "*"


def test_the_curator_still_reads_restricted_graphs(live: Live) -> None:
    query = {"query": f"SELECT ?p ?o WHERE {{ <{PERSON}> ?p ?o }}"}
    public = send(live, "GET", query, headers={"Accept": JSON})
    curator = send(live, "GET", query, headers={
        "Accept": JSON, "Authorization": f"Bearer {CURATOR_TOKEN}"})
    assert not bindings(public.content)
    assert bindings(curator.content)


def test_a_client_past_its_limit_gets_429(live: Live, no_route: None,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(live.app.state.client_limiter, "limit", 0)
    answer = send(live, "GET", {"query": LOOKUP}, headers={"Accept": JSON})
    assert answer.status_code == 429
    assert answer.headers["retry-after"] == "1"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.json()["error"] == "TooManyRequests"


def test_the_result_cap_holds_on_the_lean_path(serve: Any) -> None:
    from tests.support.stores import example_store

    with serve(example_store(), result_limit=2) as live:
        answer = send(live, "GET", {"query": LOOKUP}, headers={"Accept": JSON})
        assert answer.status_code == 503
        assert answer.json()["error"] == "ResultTooLarge"


def test_a_query_past_the_size_limit_is_refused(serve: Any) -> None:
    from tests.support.stores import example_store

    with serve(example_store(), max_query_bytes=len(LOOKUP) - 1) as live:
        for method, params, options in LEAN:
            assert send(live, method, params, **options).status_code == 413


def test_lean_answers_are_logged_and_counted_under_the_route(live: Live, no_route: None,
                                                             caplog: pytest.LogCaptureFixture
                                                             ) -> None:
    from tests.api.test_observability import records

    labels = {"route": "/sparql", "method": "GET", "status": "200"}
    before = metrics(live.url)
    with caplog.at_level("INFO", logger="civicgraph.access"):
        answer = send(live, "GET", {"query": LOOKUP}, headers={"Accept": JSON})
    after = metrics(live.url)
    assert sample(after, "civicgraph_http_requests_total", **labels) == \
        sample(before, "civicgraph_http_requests_total", **labels) + 1
    assert sample(after, "civicgraph_queries_total", outcome="ok") == \
        sample(before, "civicgraph_queries_total", outcome="ok") + 1
    logged = [r for r in records(caplog, "civicgraph.access")
              if r["request_id"] == answer.headers["x-request-id"]]
    assert len(logged) == 1
    assert logged[0]["route"] == "/sparql" and logged[0]["status"] == 200
