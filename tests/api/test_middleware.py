"""Security headers on every kind of answer, and the YASGUI styles the page policy allows."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

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


# --- BodyLimits at the ASGI level --------------------------------------------------------------

def _body_limits_answer(messages: list[dict[str, Any]], max_bytes: int) -> tuple[int, int]:
    """Run ``BodyLimits`` over an app that reads the whole body, with a client that sends
    ``messages`` and then waits for the answer (a later ``receive`` never returns, as a
    server's waits for a disconnect that does not come); the status sent and the number of
    ``receive`` calls made."""
    from api.middleware import BodyLimits

    async def app(scope: Any, receive: Any, send: Any) -> None:
        while (await receive()).get("more_body", False):
            pass
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    pending = list(messages)
    calls = 0
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        nonlocal calls
        calls += 1
        if pending:
            return pending.pop(0)
        await asyncio.Event().wait()   # the client sent all it had
        raise AssertionError("unreachable")

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "PUT", "path": "/store", "headers": [],
             "query_string": b""}
    guarded = BodyLimits(app, max_bytes=max_bytes, timeout=30.0)
    asyncio.run(asyncio.wait_for(guarded(scope, receive, send), 5))
    return sent[0]["status"], calls


@pytest.mark.parametrize("last", [b"xxx", b"x" * 100], ids=["just-past", "far-past"])
def test_a_streamed_body_whose_last_message_passes_the_limit_is_refused_at_once(
        last: bytes) -> None:
    """Its end is already in: nothing more is waited for (the 413 used to wait for the
    drain's whole time, 10 s, for a message that never comes)."""
    status, calls = _body_limits_answer(
        [{"type": "http.request", "body": b"x" * 8, "more_body": True},
         {"type": "http.request", "body": last, "more_body": False}], max_bytes=10)
    assert (status, calls) == (413, 2)


def test_a_streamed_body_at_the_limit_is_read_whole() -> None:
    status, calls = _body_limits_answer(
        [{"type": "http.request", "body": b"x" * 8, "more_body": True},
         {"type": "http.request", "body": b"xx", "more_body": False}], max_bytes=10)
    assert (status, calls) == (200, 2)


def test_a_streamed_body_past_the_limit_before_its_end_reads_what_follows() -> None:
    status, calls = _body_limits_answer(
        [{"type": "http.request", "body": b"x" * 12, "more_body": True},
         {"type": "http.request", "body": b"xx", "more_body": False}], max_bytes=10)
    assert (status, calls) == (413, 2)
