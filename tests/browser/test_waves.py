"""/maps/waves in headless Chromium: the flow diagram is drawn, a band leads to the
organisations behind it, and the page is photographed for the README."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import Watch
from tests.support.screenshots import screenshot

pytestmark = pytest.mark.browser



def test_a_band_leads_to_the_organisations_behind_it(page: tuple[Any, Watch],
                                                     example_server: Any) -> None:
    tab, watch = page
    tab.set_viewport_size({"width": 1366, "height": 900})
    tab.goto(example_server.url + "/maps/waves?lang=fr")
    bands = tab.locator("svg.sankey a.flow-switched")
    assert bands.count() > 0
    tab.screenshot(path=screenshot("waves.png"), full_page=False)
    target = bands.first.get_attribute("href")
    assert target and target.startswith("#flow-")
    bands.first.click()
    row = tab.locator(f"tr{target}")
    assert tab.evaluate("location.hash") == target
    assert row.is_visible()
    row.locator("summary").click()
    organisations = row.locator(".flow-orgs a")
    assert organisations.count() >= 1
    assert watch.problems == []  # the organisation's page is another page's business
    with tab.expect_navigation():
        organisations.first.click()
    assert "/id/org/" in tab.url


def test_the_filters_are_kept_in_the_url(page: tuple[Any, Watch], example_server: Any) -> None:
    tab, watch = page
    tab.goto(example_server.url + "/maps/waves?lang=en")
    tab.select_option("#f-field", "health")
    with tab.expect_navigation():
        tab.click("form.filters button[type=submit]")
    assert "field=health" in tab.url
    assert tab.locator("#f-field").input_value() == "health"
    assert watch.problems == []
