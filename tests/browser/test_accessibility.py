"""axe-core (npm, installed by ``.ci/setup`` into ``node_modules/``) finds no serious or
critical violation on the home page, the gallery, every map page (and the map document of
each), a resource page, the query page, search and error pages, in French and in English;
every map page has a table alternative."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import opened

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"

#: error pages and their status (checked, so that axe reads the error page itself)
ERRORS = {"/nowhere": 404, "/queries/tool_usages?page=abc": 400}
PAGES = [
    "/", "/maps", "/maps/organisations-tools", "/maps/tool-co-usage", "/maps/organisations",
    "/maps/practices-tools", "/maps/tools", "/maps/tool/loomio", "/maps/geography",
    "/maps/waves", "/maps/neighbourhood?iri=https://w3id.org/civicgraph/id/software/loomio",
    "/maps/organisations-tools/embed", "/maps/tool/loomio/embed",
    "/id/resource/compte-rendu-seminaire-sante-2024", "/search?q=loomio",
    # YASGUI's editor, as api/static/query-page.js and pages.css set it up
    "/query",
    # story pages: a tool's lists, the data page's citation, a result page's views
    "/id/software/loomio", "/dumps",
    "/queries/tool_usages?tool=loomio",
    # error pages (a browser gets HTML: a 404 and a parameter refused)
    *ERRORS,
]
#: the map pages and where their table alternative is (in the page, or in its map document)
TABLES = {
    "/maps/organisations-tools": "table.cg-table",  # in the map document
    "/maps/tool/loomio": "table.cg-table",
    "/maps/geography": "table#geo-table",
    "/maps/waves": "table.waves-table",
}


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.exists():
        message = f"no axe-core at {AXE}: run .ci/setup --system (npm ci)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return AXE.read_text("utf-8")


@pytest.fixture
def tab(browser: Any) -> Iterator[Any]:
    # axe is injected as an inline script: the pages' CSP would (rightly) refuse it
    with opened(browser, viewport={"width": 1366, "height": 768}, bypass_csp=True) as page:
        yield page


def violations(tab: Any, axe_source: str) -> list[str]:
    """The serious and critical violations axe finds on the page open in ``tab`` and in its
    frames (each checked on its own)."""
    found = []
    for frame in tab.frames:
        frame.evaluate(axe_source)
        result = frame.evaluate("""() => axe.run(document, {resultTypes: ['violations']})
            .then(r => r.violations.filter(v => ['serious', 'critical'].includes(v.impact))
            .map(v => v.id + ' (' + v.impact + '): ' + v.help + ' — ' +
                 v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')))""")
        found += [f"{frame.url}: {v}" for v in result]
    return found


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("path", PAGES)
def test_no_serious_violation(tab: Any, example_server: Any, axe_source: str, path: str,
                              lang: str) -> None:
    separator = "&" if "?" in path else "?"
    response = tab.goto(f"{example_server.url}{path}{separator}lang={lang}")
    assert response is not None and response.status == ERRORS.get(path, 200)
    tab.wait_for_load_state("load")
    if "/maps/" in path and path not in ("/maps/tools", "/maps/waves"):
        selector = "#geo-map[data-drawn='true']" if "geography" in path else None
        if selector:
            tab.wait_for_selector(selector, state="attached")
        for frame in tab.frames:
            if frame.url.split("?")[0].endswith("/embed"):
                frame.wait_for_selector("#cg-map[data-drawn='true']", state="attached")
        if path.split("?")[0].endswith("/embed"):
            tab.wait_for_selector("#cg-map[data-drawn='true']", state="attached")
    found = violations(tab, axe_source)
    assert not found, "\n".join(found)


@pytest.mark.parametrize(("path", "table"), sorted(TABLES.items()))
def test_every_map_has_a_table_alternative(tab: Any, example_server: Any, path: str,
                                           table: str) -> None:
    tab.goto(f"{example_server.url}{path}?lang=en")
    where = tab.frame_locator("#map-frame") if table == "table.cg-table" else tab
    rows = where.locator(f"{table} tbody tr")
    rows.first.wait_for(state="attached")
    assert rows.count() >= 3


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_result_table_in_pages_has_no_serious_violation(
        tab: Any, example_server: Any, axe_source: str, lang: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from api.routes import queries

    monkeypatch.setattr(queries, "PAGE_ROWS", 4)   # the example's answers fit in one page
    # and the notice a page shows on an engine known to answer the query otherwise
    monkeypatch.setitem(queries.ANSWERED_OTHERWISE, example_server.app.state.engine.store.kind,
                        frozenset({"tool_usages"}))
    tab.goto(f"{example_server.url}/queries/tool_usages?lang={lang}&page=2")
    tab.wait_for_load_state("load")
    assert tab.locator("nav.pager a[rel=next]").count() == 2   # above and below the table
    assert tab.locator("p.notice").count() == 1
    found = violations(tab, axe_source)
    assert not found, "\n".join(found)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_query_page_after_a_query_ran_has_no_serious_violation(
        tab: Any, example_server: Any, axe_source: str, lang: str) -> None:
    """YASR's results, once a query ran: its page-size select had no name (``select-name``,
    serious: its visible label is a separate element)."""
    tab.goto(f"{example_server.url}/query?lang={lang}", wait_until="networkidle")
    tab.click(".tabPanel.active .yasqe_queryButton")
    tab.wait_for_selector(".tabPanel.active .yasr table.dataTable tbody tr")
    found = violations(tab, axe_source)
    assert not found, "\n".join(found)
