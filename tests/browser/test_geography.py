"""/maps/geography in headless Chromium: the départements and the organisations are drawn
from local files only, nearby ones are clustered, a marker opens with the keyboard, the
filters narrow the map, and the page is photographed for the README."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import Watch
from tests.support.screenshots import screenshot

pytestmark = pytest.mark.browser



def markers(tab: Any) -> int:
    """The organisations the drawn markers and clusters count."""
    tab.wait_for_selector("#geo-map[data-drawn='true']", state="attached")
    total: int = tab.evaluate("""() => [...document.querySelectorAll('.geo-pin span')]
        .reduce((n, s) => n + Number(s.textContent), 0)""")
    return total


def test_organisations_are_drawn_by_commune_and_clustered(page: tuple[Any, Watch],
                                                          example_server: Any) -> None:
    tab, watch = page
    requests: list[str] = []
    tab.on("request", lambda r: requests.append(r.url))
    tab.set_viewport_size({"width": 1366, "height": 900})
    tab.goto(example_server.url + "/maps/geography?lang=fr")
    total = markers(tab)
    expected = int(tab.locator("#geo-summary").inner_text().split()[0])
    assert total == expected > 0
    assert tab.locator(".geo-cluster").count() >= 1  # the inner suburbs overlap
    assert tab.locator("path.leaflet-interactive, .leaflet-overlay-pane path").count() >= 90
    assert all(u.startswith(example_server.url) for u in requests)
    tab.locator("#geo-map").scroll_into_view_if_needed()
    tab.screenshot(path=screenshot("geography.png"))
    assert watch.problems == []


def test_keyboard_opens_a_cluster_then_a_commune(page: tuple[Any, Watch],
                                                 example_server: Any) -> None:
    tab, watch = page
    tab.goto(example_server.url + "/maps/geography?lang=en")
    markers(tab)
    single = tab.locator(".geo-pin:not(.geo-cluster)").first
    single.focus()
    tab.keyboard.press("Enter")
    tab.wait_for_selector(".leaflet-popup-content a", state="visible")
    assert "/id/org/" in (tab.locator(".leaflet-popup-content a").first.get_attribute("href")
                          or "")
    assert watch.problems == []


def test_a_filter_narrows_the_map_and_the_table(page: tuple[Any, Watch],
                                                example_server: Any) -> None:
    tab, watch = page
    tab.goto(example_server.url + "/maps/geography?lang=en")
    everything = markers(tab)
    rows = tab.locator("#geo-table tbody tr").count()
    tab.select_option("#f-field", "health")
    with tab.expect_navigation():
        tab.click("form.filters button[type=submit]")
    assert "field=health" in tab.url
    assert 0 < markers(tab) < everything
    assert tab.locator("#geo-table tbody tr").count() <= rows
    assert watch.problems == []
