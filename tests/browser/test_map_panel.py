"""The side panel of a map: a click or Enter opens it inside the map without moving the
page, on a laptop screen and on a phone; the arrow keys reach every node."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import Watch, opened
from tests.browser.test_maps_in_browser import drawn, map_frame

pytestmark = pytest.mark.browser

SCREENS = {"laptop": {"width": 1366, "height": 768},
           "phone": {"width": 390, "height": 844}}


@pytest.fixture(params=sorted(SCREENS))
def screen(request: pytest.FixtureRequest, browser: Any) -> Iterator[tuple[Any, Watch]]:
    with opened(browser, viewport=SCREENS[request.param], is_mobile=request.param == "phone",
                has_touch=request.param == "phone") as tab:
        watch = Watch()
        tab.on("pageerror", lambda e: watch.problems.append(f"page error: {e}"))
        yield tab, watch


def node_point(tab: Any, frame: Any, name: str) -> tuple[float, float]:
    """The page coordinates of the node called ``name`` in the map of ``frame``."""
    node = frame.evaluate("name => window.civicmap.nodes.get({filter: n => n.name === name})[0].id",
                          name)
    point = frame.evaluate("""id => { const n = window.civicmap.network;
        return n.canvasToDOM(n.getPositions([id])[id]); }""", node)
    box = frame.locator("#cg-map").bounding_box()
    return box["x"] + point["x"], box["y"] + point["y"]


def test_a_click_opens_the_panel_without_moving_the_page(screen: tuple[Any, Watch],
                                                        example_server: Any) -> None:
    tab, watch = screen
    tab.goto(example_server.url + "/maps/tool-co-usage?lang=en")
    frame = map_frame(tab)
    drawn(frame)
    # the map only partly in view: its top edge just above the bottom of the screen
    top = tab.evaluate("document.getElementById('map-frame').getBoundingClientRect().top "
                       "+ window.scrollY")
    height = tab.viewport_size["height"]
    tab.evaluate(f"window.scrollTo(0, {max(0, top - height + 400)})")
    # the biggest node, drawn 60 px below the top of the canvas
    frame.evaluate("""() => { const n = window.civicmap.network;
        const all = window.civicmap.nodes.get().sort((a, b) => b.value - a.value);
        window.__target = all[0].id;
        const p = n.getPositions([all[0].id])[all[0].id];
        const h = document.getElementById('cg-map').clientHeight;
        n.moveTo({position: {x: p.x, y: p.y + (h / 2 - 60)}, scale: 1.0, animation: false}); }""")
    name = frame.evaluate("window.civicmap.nodes.get(window.__target).name")
    x, y = node_point(tab, frame, name)
    assert y < height, "the node must be on screen for this test to mean anything"
    before = tab.evaluate("window.scrollY")
    tab.mouse.move(x, y)
    tab.mouse.down()
    during = tab.evaluate("window.scrollY")
    tab.mouse.up()
    frame.wait_for_selector("#cg-panel", state="visible")
    assert before == during == tab.evaluate("window.scrollY")
    assert frame.locator("#cg-panel-title").inner_text() == name
    panel = frame.locator("#cg-panel").bounding_box()
    stage = frame.locator(".cg-stage").bounding_box()
    assert stage["x"] <= panel["x"] and panel["x"] + panel["width"] <= stage["x"] + stage["width"]
    assert frame.locator("#cg-panel-link").get_attribute("href")
    assert watch.problems == []


def test_the_arrow_keys_reach_every_node_and_enter_opens_it(page: tuple[Any, Watch],
                                                           example_server: Any) -> None:
    tab, watch = page
    tab.goto(example_server.url + "/maps/practices-tools/embed?lang=fr")
    count = drawn(tab)
    tab.keyboard.press("Tab")  # the search field first
    for _ in range(6):
        if tab.evaluate("document.activeElement.classList.contains('vis-network')"):
            break
        tab.keyboard.press("Tab")
    assert tab.evaluate("document.activeElement.classList.contains('vis-network')")
    seen = set()
    for _ in range(count):
        tab.keyboard.press("ArrowRight")
        seen.add(tab.evaluate("document.getElementById('cg-map').dataset.current"))
    assert len(seen) == count
    tab.keyboard.press("Enter")
    tab.wait_for_selector("#cg-panel", state="visible")
    current = int(tab.evaluate("document.getElementById('cg-map').dataset.current"))
    name = tab.evaluate("id => window.civicmap.nodes.get(id).name", current)
    assert tab.locator("#cg-panel-title").inner_text() == name
    assert "(" in tab.locator("#cg-current").inner_text()
    tab.keyboard.press("Escape")
    tab.wait_for_selector("#cg-panel", state="hidden")
    assert watch.problems == []
