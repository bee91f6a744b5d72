"""``Allow`` names every method a path answers: on a 405 (RFC 9110 §15.5.6: it MUST list the
methods the target resource supports) and on a plain ``OPTIONS`` (§9.3.7), as Fuseki does;
a CORS preflight is still ``CORSMiddleware``'s to answer.

Starlette's router puts in a 405's ``Allow`` the methods of the first route whose path
matches, only: ``/store`` is answered by five routes (HEAD, GET, PUT, POST, DELETE), and its
405 said ``GET``.
"""

from __future__ import annotations

import httpx
import pytest

from tests.support.live import Live

SPARQL = "GET, HEAD, POST, OPTIONS"
STORE = "GET, HEAD, POST, PUT, DELETE, OPTIONS"
READ_ONLY = "GET, HEAD, OPTIONS"


@pytest.mark.parametrize(("method", "path", "curator", "allow"), [
    ("PUT", "/sparql", False, SPARQL),
    ("PATCH", "/sparql", False, SPARQL),
    ("DELETE", "/sparql", False, SPARQL),
    ("PATCH", "/store?graph=urn:g:x", True, STORE),
    ("PATCH", "/store?default", True, STORE),
    ("PATCH", "/store/some/graph", True, STORE),
    ("DELETE", "/health", False, READ_ONLY),
    ("POST", "/", False, READ_ONLY),
    ("TRACE", "/", False, READ_ONLY),
    ("PUT", "/id/organisation/nowhere", False, READ_ONLY),
    ("GET", "/imports", False, "POST, OPTIONS"),
    ("HEAD", "/persons/forget", False, "POST, OPTIONS"),
])
def test_a_405_allows_every_method_of_its_path(live: Live, token: str, method: str, path: str,
                                               curator: bool, allow: str) -> None:
    headers = {"Authorization": f"Bearer {token}"} if curator else {}
    response = httpx.request(method, live.url + path, headers=headers, timeout=30)
    assert response.status_code == 405, response.text[:300]
    assert response.headers["allow"] == allow
    if method != "HEAD":
        assert response.json()["error"] == "MethodNotAllowed"


@pytest.mark.parametrize(("path", "allow"), [
    ("/sparql", SPARQL),
    ("/store?graph=urn:g:x", STORE),
    ("/store/some/graph", STORE),
    ("/health", READ_ONLY),
    ("/imports", "POST, OPTIONS"),
    ("/id/organisation/nowhere", READ_ONLY),
])
def test_a_plain_options_answers_with_allow(live: Live, path: str, allow: str) -> None:
    response = httpx.options(live.url + path, timeout=30)
    assert response.status_code == 200
    assert response.headers["allow"] == allow
    assert response.content == b"" and response.headers["content-length"] == "0"
    assert response.headers["x-content-type-options"] == "nosniff"


def test_options_on_an_unknown_path_is_a_404(live: Live) -> None:
    response = httpx.options(live.url + "/no/such/page", timeout=30)
    assert response.status_code == 404
    assert "allow" not in response.headers


def test_options_from_a_page_without_a_preflight_gets_allow_and_cors(live: Live) -> None:
    response = httpx.options(live.url + "/sparql",
                             headers={"Origin": "https://elsewhere.example"}, timeout=30)
    assert response.status_code == 200 and response.headers["allow"] == SPARQL
    assert response.headers["access-control-allow-origin"] == "*"


def test_a_cors_preflight_is_still_answered_by_the_cors_policy(live: Live) -> None:
    preflight = httpx.options(live.url + "/store?graph=urn:g:x", headers={
        "Origin": "https://elsewhere.example", "Access-Control-Request-Method": "POST"},
        timeout=30)
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-methods"] == "GET, HEAD, POST, OPTIONS"
    assert "allow" not in preflight.headers
    refused = httpx.options(live.url + "/sparql", headers={
        "Origin": "https://elsewhere.example", "Access-Control-Request-Method": "PUT"},
        timeout=30)
    assert refused.status_code == 400


def test_allow_follows_the_routes_of_the_application(live: Live) -> None:
    """Every path the application routes answers ``OPTIONS`` with at least the methods its
    routes declare (HEAD wherever GET: ``api.head``)."""
    declared: dict[str, set[str]] = {}
    for route in live.app.routes:
        # FastAPI >= 0.120 keeps an included router whole; its routes are its contexts
        contexts = getattr(route, "effective_route_contexts", None)
        for item in contexts() if contexts is not None else [route]:
            path, methods = getattr(item, "path", ""), getattr(item, "methods", None)
            if methods and path and "{" not in path:
                declared.setdefault(path, set()).update(methods)
    assert len(declared) > 20
    for path, methods in declared.items():
        response = httpx.options(live.url + path, timeout=30)
        assert response.status_code == 200, path
        allowed = set(response.headers["allow"].split(", "))
        assert methods | {"OPTIONS"} <= allowed, path
        assert ("HEAD" in allowed) == ("GET" in allowed), path
