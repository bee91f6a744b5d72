"""The home page and the maps in headless Chromium: they load cleanly, draw the expected
nodes, filters change them, search and click work, and data text never runs as code."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.browser.conftest import ARTIFACTS, Watch
from tests.support.graphs import XSS

pytestmark = pytest.mark.browser

COUNT = """
PREFIX cg: <https://w3id.org/civicgraph/ns#>
PREFIX schema: <https://schema.org/>
SELECT (COUNT(DISTINCT ?o) AS ?orgs) (COUNT(DISTINCT ?sw) AS ?software) WHERE {
  ?u a cg:ToolUsage ; cg:organisation ?o ; cg:tool ?t .
  ?t cg:software? ?sw . ?sw a schema:SoftwareApplication .
}
"""


def drawn(frame: Any) -> int:
    """Wait until the map in ``frame`` is drawn; the number of nodes it holds."""
    frame.wait_for_selector("#cg-map[data-drawn='true']", state="attached")
    count: int = frame.evaluate("window.civicmap.nodes.length")
    return count


def map_frame(tab: Any) -> Any:
    frame = tab.wait_for_selector("#map-frame").content_frame()
    assert frame is not None
    return frame


def test_home_page_loads_cleanly(page: tuple[Any, Watch], example_server: Any) -> None:
    tab, watch = page
    tab.goto(example_server.url + "/?lang=fr", wait_until="networkidle")
    assert tab.locator("h1").inner_text().startswith("Quels outils")
    assert tab.locator("a[href^='/maps?']").count() >= 2
    tab.goto(example_server.url + "/maps?lang=en", wait_until="networkidle")
    images = tab.locator(".cards img")
    assert images.count() == 5
    for i in range(images.count()):
        assert images.nth(i).evaluate("img => img.complete && img.naturalWidth > 0")
        assert images.nth(i).get_attribute("alt")
    assert watch.problems == []


def test_map_draws_every_node_without_error(page: tuple[Any, Watch],
                                            example_server: Any) -> None:
    tab, watch = page
    row = next(iter(example_server.store.query(COUNT)))
    expected = int(row["orgs"].value) + int(row["software"].value)
    started = time.monotonic()
    tab.goto(example_server.url + "/maps/organisations-tools?lang=en")
    frame = map_frame(tab)
    assert drawn(frame) == expected
    elapsed = time.monotonic() - started
    assert elapsed < 10, f"the map took {elapsed:.1f} s to draw"
    assert frame.locator(".cg-legend li").count() >= 2
    tab.wait_for_load_state("networkidle")
    ARTIFACTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / "map-page.png"), full_page=True)
    assert watch.problems == []


def test_a_filter_changes_the_map_and_the_url(page: tuple[Any, Watch],
                                              example_server: Any) -> None:
    tab, watch = page
    tab.goto(example_server.url + "/maps/organisations-tools?lang=en")
    before = drawn(map_frame(tab))
    tab.select_option("#f-field", "health")
    with tab.expect_navigation():
        tab.click("form.filters button[type=submit]")
    assert "field=health" in tab.url
    after = drawn(map_frame(tab))
    assert 0 < after < before
    assert tab.locator("#f-field").input_value() == "health"
    assert watch.problems == []


def test_search_finds_a_node_and_a_click_opens_its_page(page: tuple[Any, Watch],
                                                        example_server: Any) -> None:
    tab, watch = page
    tab.goto(example_server.url + "/maps/tool-co-usage/embed?lang=en")
    drawn(tab)
    tab.fill("#cg-q", "loomio")
    tab.press("#cg-q", "Enter")
    assert "found: Loomio" in tab.locator("#cg-found").inner_text()
    selected = tab.evaluate("window.civicmap.network.getSelectedNodes()")
    assert len(selected) == 1
    point = tab.evaluate("""id => { const n = window.civicmap.network;
        return n.canvasToDOM(n.getPositions([id])[id]); }""", selected[0])
    box = tab.locator("#cg-map").bounding_box()
    tab.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    tab.wait_for_selector("#cg-panel", state="visible")
    assert tab.locator("#cg-panel-title").inner_text() == "Loomio"
    with tab.expect_navigation():
        tab.locator("#cg-panel-link").click()
    assert tab.url.endswith("/id/software/loomio")
    # the linked-data pages are another part of the site: only the map's own requests count
    assert [p for p in watch.problems if "/id/" not in p] == []


def test_a_malicious_label_is_shown_as_text(page: tuple[Any, Watch], tiny_server: Any) -> None:
    tab, watch = page
    for url in ("/maps/organisations-tools?lang=en", "/maps/tool/loomio?lang=en"):
        tab.goto(tiny_server.url + url)
        frame = map_frame(tab)
        drawn(frame)
        frame.fill("#cg-q", "onerror")
        frame.press("#cg-q", "Enter")
        assert XSS in frame.locator("#cg-found").inner_text()
        node = frame.evaluate("window.civicmap.network.getSelectedNodes()[0]")
        box = frame.locator("#cg-map").bounding_box()
        shown = ""
        # the pointer on the node's centre; an edge drawn over it may answer instead (its
        # tooltip says "weight …"): leave the map, let that tooltip go, come back (5 times
        # at most)
        for _ in range(5):
            point = frame.evaluate("""id => { const n = window.civicmap.network;
                return n.canvasToDOM(n.getPositions([id])[id]); }""", node)
            tab.mouse.move(box["x"] + point["x"], box["y"] + point["y"])
            frame.wait_for_selector("div.vis-tooltip", state="visible")
            shown = frame.locator("div.vis-tooltip").inner_text()
            if XSS in shown:
                break
            tab.mouse.move(0, 0)
            frame.wait_for_selector("div.vis-tooltip", state="hidden")
        assert XSS in shown
        frame.locator("details.cg-text summary").click()
        for where in (tab, frame):
            assert where.evaluate("document.querySelectorAll('img[src=\"x\"]').length") == 0
    assert watch.dialogs == []
    assert watch.problems == []


def test_above_the_budget_the_map_says_what_was_grouped(page: tuple[Any, Watch]) -> None:
    from tests.support.graphs import example_store
    from tests.support.live import running

    tab, watch = page
    with running(example_store(), node_budget=15) as live:
        tab.goto(live.url + "/maps/organisations-tools/embed?lang=en")
        assert drawn(tab) <= 15
        assert "This map groups" in tab.locator(".cg-notice").first.inner_text()
        physics = tab.evaluate("window.civicmap.network.physics.options.enabled")
        assert physics is False
    assert watch.problems == []
