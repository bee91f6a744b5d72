"""Security headers on every kind of answer, and the YASGUI styles the page policy allows."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from api.middleware import PAGE_CSP, YASGUI_STYLES
from tests.support.live import Live

YASGUI = Path(__file__).resolve().parents[2] / "api/static/vendor/yasgui/yasgui.min.js"


def test_the_page_policy_runs_only_this_servers_scripts() -> None:
    directives = dict(d.strip().split(" ", 1) for d in PAGE_CSP.split(";"))
    assert directives["script-src"] == "'self'"
    assert "unsafe" not in PAGE_CSP
    assert directives["default-src"] == "'none'" and directives["base-uri"] == "'none'"
    assert directives["frame-ancestors"] == "'self'"


def test_the_allowed_styles_are_the_ones_yasgui_inserts() -> None:
    """A new YASGUI that changes them fails here (and in the browser tests)."""
    code = YASGUI.read_text(encoding="utf-8")
    assert YASGUI_STYLES[0] in code
    assert "`*{cursor:`+" in code and "dragCursor:`col-resize`" in code
    assert YASGUI_STYLES[1] == "*{cursor:col-resize!important}"


@pytest.mark.parametrize(("path", "accept", "page"), [
    ("/", "text/html", True), ("/id/org/vecam", "text/html", True),
    ("/nowhere", "text/html", True), ("/query", "text/html", True),
    ("/id/org/vecam", "text/turtle", False), ("/health", "*/*", False),
    ("/sparql?query=ASK%7B%7D", "application/sparql-results+json", False),
    ("/static/site.css", "*/*", False),
])
def test_security_headers(live: Live, path: str, accept: str, page: bool) -> None:
    response = httpx.get(live.url + path, headers={"Accept": accept}, timeout=30)
    assert response.headers["x-content-type-options"] == "nosniff"
    assert ("content-security-policy" in response.headers) == page
    if page:
        assert response.headers["content-security-policy"] == PAGE_CSP
        assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"


def test_the_embed_view_keeps_its_own_policy(live: Live) -> None:
    from api.routes.maps import CSP

    response = httpx.get(f"{live.url}/maps/organisations-tools/embed", timeout=60)
    assert response.headers["content-security-policy"] == CSP
    assert "frame-ancestors" not in CSP  # any site may frame it
    assert "x-frame-options" not in response.headers


def test_errors_of_the_router_use_civicgraphs_format(live: Live) -> None:
    missing = httpx.get(f"{live.url}/no/such/page", timeout=30)
    assert missing.status_code == 404
    assert missing.json() == {"error": "NotFound", "status": 404, "message": "Not Found"}
    wrong = httpx.request("PATCH", f"{live.url}/sparql", timeout=30)
    assert wrong.status_code == 405 and wrong.json()["error"] == "MethodNotAllowed"
    assert "GET" in wrong.headers["allow"]
