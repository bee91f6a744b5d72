"""HTTP conventions of the service: HEAD for every GET route, /docs and /redoc without the
network, absolute URLs and client addresses behind trusted proxies only, updates read from
the body only, the bearer scheme in the OpenAPI description.

Fixtures (``live``, ``serve``, ``token``) come from the API tests' conftest.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pyoxigraph as ox
import pytest

from graph.namespaces import META_GRAPH
from graph.publishing.service import SD

#: answer headers that may differ between two requests for the same thing
VOLATILE = {"date", "x-request-id", "age", "server-timing", "content-length", "etag",
            "last-modified", "retry-after"}


def _concrete_get_paths(app: Any) -> list[str]:
    """The GET operations of ``app``'s OpenAPI description without path parameters, and the
    pages it leaves out."""
    described = {path for path, operations in app.openapi()["paths"].items()
                 if "get" in operations and "{" not in path}
    return sorted(described | {"/docs", "/redoc", "/openapi.json", "/map"})


#: GET routes with parameters, filled in (pages, /id/…, /ns, maps, dumps, /store, /sparql)
WITH_PARAMETERS = [
    "/id/org/vecam", "/id/org/vecam.ttl", "/ns", "/ns.ttl", "/ns/context.jsonld",
    "/maps/tools", "/sparql?query=ASK%7B%3Fs%20%3Fp%20%3Fo%7D",
    f"/store?graph={META_GRAPH}", "/static/site.css", "/no/such/page",
]


def _compare(live: Any, path: str, *, same_length: bool = False) -> None:
    got = httpx.get(f"{live.url}{path}", timeout=60)
    head = httpx.head(f"{live.url}{path}", timeout=60)
    assert head.status_code == got.status_code, path
    assert head.content == b"", path
    same = {k for k in got.headers if k not in VOLATILE}
    assert {k: head.headers.get(k) for k in same} == {k: got.headers[k] for k in same}, path
    if same_length:   # (other answers, e.g. blank node labels, vary in length)
        assert head.headers["content-length"] == got.headers["content-length"], path


@pytest.mark.slow
def test_head_answers_every_get_route_like_get(live: Any) -> None:
    for path in [*_concrete_get_paths(live.app), *WITH_PARAMETERS]:
        _compare(live, path)


def test_head_of_a_dump_has_its_length(live: Any) -> None:
    listed = httpx.get(f"{live.url}/dumps", headers={"Accept": "application/json"}, timeout=60)
    names = re.findall(r"/dumps/([\w.-]+\.gz)", listed.text)
    assert names, listed.text[:300]
    _compare(live, f"/dumps/{names[0]}", same_length=True)


# --- /docs and /redoc -----------------------------------------------------------------------

@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_api_pages_load_only_this_servers_assets(live: Any, page: str) -> None:
    response = httpx.get(f"{live.url}{page}", timeout=30)
    assert response.status_code == 200
    html = response.text
    assert not re.search(r"(?:src|href)=\"(?:https?:)?//", html), html
    assert "cdn" not in html and "fonts.googleapis" not in html
    assets = re.findall(r"(?:src|href)=\"(/[^\"]+)\"", html)
    assert any(a.endswith(".js") for a in assets)
    for asset in assets:
        served = httpx.get(f"{live.url}{asset}", timeout=30)
        assert served.status_code == 200, asset
        assert len(served.content) > 100, asset
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "http" not in policy and "*" not in policy
    assert "inline" not in policy.split("script-src")[1].split(";")[0]


def test_openapi_declares_the_bearer_scheme_on_every_write(live: Any) -> None:
    schema = httpx.get(f"{live.url}/openapi.json", timeout=30).json()
    assert schema["components"]["securitySchemes"]["curatorToken"] == {
        "type": "http", "scheme": "bearer",
        "description": schema["components"]["securitySchemes"]["curatorToken"]["description"]}
    writes = [(path, method, operation) for path, operations in schema["paths"].items()
              for method, operation in operations.items()
              if method in ("put", "post", "delete", "patch")]
    assert {(p, m) for p, m, _ in writes} >= {("/store", "put"), ("/store", "delete"),
                                             ("/sparql", "post")}
    for _path, _method, operation in writes:
        assert {"curatorToken": []} in operation["security"]


# --- updates ---------------------------------------------------------------------------------

@pytest.mark.parametrize("body", [
    {"content": b"", "headers": {"Content-Type": "application/sparql-update"}},
    {"data": {"nothing": "here"}},
])
def test_an_update_in_the_url_is_refused(live: Any, token: str, body: dict[str, Any]) -> None:
    update = "INSERT DATA { <http://example.org/u> <http://example.org/p> 1 }"
    response = httpx.post(f"{live.url}/sparql", params={"update": update},
                          headers={"Authorization": f"Bearer {token}",
                                   **body.pop("headers", {})}, timeout=30, **body)
    assert response.status_code == 400
    assert "request body" in response.text
    check = httpx.get(f"{live.url}/sparql", timeout=30, params={
        "query": "ASK { <http://example.org/u> ?p ?o }"}, headers={
        "Authorization": f"Bearer {token}"})
    assert check.json()["boolean"] is False


# --- absolute URLs and clients behind proxies ------------------------------------------------

def _endpoint(live: Any, headers: dict[str, str]) -> str:
    response = httpx.get(f"{live.url}/sparql", headers={"Accept": "application/n-triples",
                                                        **headers}, timeout=30)
    assert response.status_code == 200, response.text
    triples = list(ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES))
    return str(next(t.subject.value for t in triples if t.predicate.value == SD + "endpoint"))


FORWARDED = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "data.example.org",
             "X-Forwarded-For": "203.0.113.7"}


@pytest.mark.parametrize(("settings", "headers", "expected"), [
    ({"public_url": "https://public.example.net/"}, FORWARDED,
     "https://public.example.net/sparql"),
    ({"public_url": ""}, {"Host": "reached.example:8123"}, "http://reached.example:8123/sparql"),
    ({"public_url": ""}, FORWARDED, "{url}/sparql"),   # not a trusted proxy: ignored
    ({"public_url": "", "trusted_proxies": "10.0.0.0/8"}, FORWARDED, "{url}/sparql"),
    ({"public_url": "", "trusted_proxies": "127.0.0.1"}, FORWARDED,
     "https://data.example.org/sparql"),
    ({"public_url": "", "trusted_proxies": "127.0.0.0/8, ::1"},
     {"X-Forwarded-Host": "data.example.org:8443"}, "http://data.example.org:8443/sparql"),
])
def test_absolute_urls(serve: Any, settings: dict[str, str], headers: dict[str, str],
                       expected: str) -> None:
    from tests.support.stores import example_store

    with serve(example_store(), query_workers=0, **settings) as live:
        assert _endpoint(live, headers) == expected.format(url=live.url)
        void = httpx.get(f"{live.url}/.well-known/void", timeout=30,
                         headers={"Accept": "application/n-triples", **headers})
        assert expected.removesuffix("/sparql").format(url=live.url) + "/dumps/" in void.text


@pytest.mark.parametrize(("trusted", "forwarded", "expected"), [
    ("", "203.0.113.7", "127.0.0.1"),
    ("127.0.0.1", "203.0.113.7", "203.0.113.7"),
    ("127.0.0.1", "198.51.100.1, 203.0.113.7", "203.0.113.7"),   # the nearest hop counts
    ("127.0.0.1, 203.0.113.0/24", "198.51.100.1, 203.0.113.7", "198.51.100.1"),
])
def test_the_client_of_the_per_client_limits(serve: Any, trusted: str, forwarded: str,
                                             expected: str) -> None:
    from api.security import client_of
    from tests.support.stores import example_store

    seen: list[str] = []
    with serve(example_store(), query_workers=0, trusted_proxies=trusted) as live:
        limiter = live.app.state.client_limiter
        original = limiter.slot

        def recording(client: str) -> Any:
            seen.append(client)
            return original(client)

        limiter.slot = recording
        response = httpx.get(f"{live.url}/sparql", params={"query": "ASK {}"},
                             headers={"X-Forwarded-For": forwarded}, timeout=30)
        assert response.status_code == 200
    assert seen == [expected]
    assert client_of.__module__ == "api.security"


def test_using_graph_uri_scopes_an_updates_where(fresh_live: Any, token: str) -> None:
    curator = {"Authorization": f"Bearer {token}"}
    source, target = "http://example.org/using-source", "http://example.org/using-target"

    def update(text: str, **params: str) -> httpx.Response:
        return httpx.post(f"{fresh_live.url}/sparql", params=params, content=text, timeout=60,
                          headers={"Content-Type": "application/sparql-update", **curator})

    seed = update(f"INSERT DATA {{ GRAPH <{source}> {{ <http://example.org/u> "
                  "<http://example.org/p> 1 } }")
    assert seed.status_code == 204, seed.text
    copy = f"INSERT {{ GRAPH <{target}> {{ ?s ?p ?o }} }} WHERE {{ ?s ?p ?o }}"
    answer = update(copy, **{"using-graph-uri": source})
    assert answer.status_code == 204, answer.text
    count = httpx.get(f"{fresh_live.url}/sparql", headers=curator, timeout=60, params={
        "query": f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{target}> {{ ?s ?p ?o }} }}"})
    assert count.json()["results"]["bindings"][0]["n"]["value"] == "1"
    both = update(f"INSERT {{ ?s ?p ?o }} USING <{source}> WHERE {{ ?s ?p ?o }}",
                  **{"using-graph-uri": source})
    assert both.status_code == 400
