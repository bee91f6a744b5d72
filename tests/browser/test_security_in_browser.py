"""Security in a real browser: every page and map holding script injections in its data (labels,
descriptions, graph titles, IRIs) or in its URL runs none of them, and works under its
Content-Security-Policy without a single violation; the policy really blocks inline script;
the map embed view may be framed by another site, the other pages only by this one."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.browser.conftest import Watch
from tests.support.hostile import PAGES, PAYLOADS, hostile_store

pytestmark = pytest.mark.browser

WATCH_VIOLATIONS = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', e => window.__violations.push(
  e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sample || '')));
"""
HANDLERS = """() => Array.from(document.querySelectorAll('*')).flatMap(
  el => Array.from(el.attributes).filter(a => a.name.startsWith('on'))
        .map(a => el.tagName + ' ' + a.name + '=' + a.value))"""


@pytest.fixture(scope="module")
def hostile_server() -> Iterator[Any]:
    from tests.support.live import running

    with running(hostile_store()) as live:
        live.app.state.maps.table()
        yield live


def _frames_report(tab: Any) -> tuple[list[str], list[str]]:
    violations: list[str] = []
    handlers: list[str] = []
    for frame in tab.frames:
        if frame.url.startswith(("about:", "chrome-error:")):
            continue
        violations += frame.evaluate("() => window.__violations || []")
        handlers += frame.evaluate(HANDLERS)
    return violations, handlers


@pytest.mark.parametrize("path", PAGES)
def test_no_injected_script_runs_and_no_policy_is_violated(
        page: tuple[Any, Watch], hostile_server: Any, path: str) -> None:
    tab, watch = page
    tab.add_init_script(WATCH_VIOLATIONS)
    response = tab.goto(hostile_server.url + path, wait_until="networkidle")
    assert response is not None and response.status < 500
    if "/embed" in path:
        tab.locator("#cg-map[data-drawn='true']").wait_for(state="attached")
    elif tab.locator("#map-frame").count():
        tab.frame_locator("#map-frame").locator("#cg-map[data-drawn='true']").wait_for(
            state="attached")
    violations, handlers = _frames_report(tab)
    assert watch.dialogs == [], watch.dialogs
    assert violations == [], violations
    assert handlers == [], handlers
    # the only failures allowed are the page's own 4xx (a reflected injection in its URL)
    own = response.url
    assert [p for p in watch.problems if not (p.startswith("HTTP 4") and own in p)
            and not (p.startswith("console error: Failed to load resource") and
                     response.status >= 400)] == []


def test_the_policy_blocks_inline_script(page: tuple[Any, Watch],
                                        hostile_server: Any) -> None:
    tab, watch = page
    tab.add_init_script(WATCH_VIOLATIONS)
    tab.goto(hostile_server.url + "/id/org/xss", wait_until="networkidle")
    csp = tab.evaluate("() => fetch(location.href).then(r => r.headers.get("
                       "'content-security-policy'))")
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    tab.evaluate("""() => { const d = document.createElement('div');
        d.innerHTML = '<img src="data:," onerror="window.__ran = 1">';
        document.body.appendChild(d);
        const s = document.createElement('script'); s.textContent = 'window.__ran = 2';
        document.body.appendChild(s); }""")
    tab.wait_for_function("() => window.__violations.length >= 2")
    assert tab.evaluate("() => window.__ran") is None
    assert all("script-src" in v for v in tab.evaluate("() => window.__violations"))
    watch.problems.clear()  # the violations just provoked


def test_the_query_page_works_under_its_policy(page: tuple[Any, Watch],
                                              example_server: Any) -> None:
    tab, watch = page
    tab.add_init_script(WATCH_VIOLATIONS)
    tab.goto(example_server.url + "/query?lang=en")
    tab.wait_for_selector(".yasqe .CodeMirror")
    tab.click(".tabPanel.active .yasqe_queryButton")
    tab.wait_for_selector(".tabPanel.active .yasr table.dataTable tbody tr")
    grip = tab.locator(".grip-resizable").first  # column resizing inserts a <style>
    box = grip.bounding_box()
    assert box is not None
    tab.mouse.move(box["x"] + 2, box["y"] + 5)
    tab.mouse.down()
    tab.mouse.move(box["x"] + 60, box["y"] + 5)
    tab.mouse.up()
    tab.click(".tabPanel.active .select_response")
    tab.wait_for_selector(".tabPanel.active .yasr .CodeMirror")
    assert tab.evaluate("() => window.__violations") == []
    assert watch.problems == []


def test_query_results_holding_script_stay_text(page: tuple[Any, Watch],
                                               hostile_server: Any) -> None:
    """YASGUI shows each literal escaped; its sanitiser (DOMPurify) parses the text in an
    inert document, where Chromium reports the blocked handler as a violation: no script
    runs, none is left in the page."""
    tab, watch = page
    tab.add_init_script(WATCH_VIOLATIONS)
    tab.goto(hostile_server.url + "/query?lang=en")
    tab.wait_for_selector(".yasqe .CodeMirror")
    tab.click(".tabPanel.active .yasqe_queryButton")
    tab.wait_for_selector(".tabPanel.active .yasr table.dataTable tbody tr")
    cells = tab.locator(".tabPanel.active .yasr td .nonIri").all_inner_texts()
    assert PAYLOADS[0] in cells
    assert watch.dialogs == []
    assert tab.evaluate(HANDLERS) == []
    assert tab.locator(".yasr img[src='x']").count() == 0
    assert {v.split()[0] for v in tab.evaluate("() => window.__violations")} <= \
        {"script-src-attr"}
    watch.problems.clear()  # the sanitiser's reports of what it removed


class _Framer(BaseHTTPRequestHandler):
    """Another site: a page that frames civicgraph's embed view and one of its pages."""

    target = ""

    def do_GET(self) -> None:
        body = (f'<!doctype html><iframe id="embed" src="{self.target}/maps/organisations/'
                f'embed" width="600" height="400"></iframe><iframe id="page" '
                f'src="{self.target}/maps/organisations" width="600" height="400"></iframe>'
                ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_only_the_embed_view_may_be_framed_by_another_site(
        page: tuple[Any, Watch], hostile_server: Any) -> None:
    tab, watch = page
    handler = type("Framer", (_Framer,), {"target": hostile_server.url})
    other = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=other.serve_forever, daemon=True)
    thread.start()
    try:
        tab.goto(f"http://127.0.0.1:{other.server_address[1]}/", wait_until="networkidle")
        embed = tab.frame_locator("#embed")
        embed.locator("#cg-map[data-drawn='true']").wait_for(state="attached")
        framed = tab.frame_locator("#page")
        assert framed.locator("#map-frame").count() == 0  # refused: frame-ancestors 'self'
    finally:
        other.shutdown()
        other.server_close()
        thread.join(10)
    assert any("frame-ancestors" in p for p in watch.problems), watch.problems
