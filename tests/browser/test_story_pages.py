"""Story pages, the language switch and the editor in a real browser: a tool's page tells
who uses it (and is the README's screenshot), the FR/EN switch keeps every parameter, a
catalogue query opened in the editor runs with its parameters bound and gives the
catalogue's rows, and YASGUI speaks French on the French page."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from tests.browser.conftest import opened
from tests.support.screenshots import screenshot

pytestmark = pytest.mark.browser


def test_the_tool_page_tells_who_uses_loomio(page: tuple[Any, Any], example_server: Any,
                                             ) -> None:
    tab, watch = page
    tab.set_viewport_size({"width": 1366, "height": 900})
    tab.goto(f"{example_server.url}/id/software/loomio?lang=en")
    summary = tab.locator(".story .summary")
    assert "Used by 8 organisations" in summary.inner_text()
    users = tab.locator("table.story[data-list=users] tbody tr")
    assert users.count() == 8
    assert tab.locator("a[href='/maps/tool/loomio?lang=en']").count() == 1
    first = users.first.locator("th a")
    assert first.get_attribute("href", timeout=5_000).startswith("/id/org/")
    with tab.expect_download() as download:
        tab.click("#list-users ~ .download a, section[aria-labelledby=list-users] .download a")
    assert download.value.suggested_filename == "software-loomio-users.csv"
    tab.locator("#list-users").scroll_into_view_if_needed()
    tab.evaluate("() => window.scrollTo(0, 0)")
    tab.screenshot(path=screenshot("tool-page.png"), full_page=False)
    assert not [p for p in watch.problems if "favicon" not in p], watch.problems


def test_the_language_switch_keeps_every_parameter(page: tuple[Any, Any],
                                                   example_server: Any) -> None:
    tab, _ = page
    tab.goto(f"{example_server.url}/search?q=vote&kind=tool&kind=practice&limit=5&lang=en")
    tab.click("nav.lang a[hreflang=fr]")
    tab.wait_for_url("**lang=fr**")
    asked = parse_qsl(urlsplit(tab.url).query)
    assert asked == [("q", "vote"), ("kind", "tool"), ("kind", "practice"), ("limit", "5"),
                     ("lang", "fr")]
    assert tab.locator("html").get_attribute("lang") == "fr"
    assert "résultat" in tab.locator("main").inner_text()
    # a parameter a script added after the page loaded is kept too, with the fragment
    tab.evaluate("() => history.replaceState(null, '', location.pathname + location.search"
                 " + '&extra=1#x')")
    tab.click("nav.lang a[hreflang=en]")
    tab.wait_for_url("**lang=en**")
    assert ("extra", "1") in parse_qsl(urlsplit(tab.url).query)
    assert urlsplit(tab.url).fragment == "x"
    # a map's filters too
    tab.goto(f"{example_server.url}/maps/organisations-tools?practice=voting&min_weight=1&lang=en")
    tab.click("nav.lang a[hreflang=fr]")
    tab.wait_for_url("**lang=fr**")
    assert parse_qsl(urlsplit(tab.url).query) == [("practice", "voting"), ("min_weight", "1"),
                                                  ("lang", "fr")]


def test_an_example_opened_in_the_editor_gives_the_catalogue_rows(page: tuple[Any, Any],
                                                                  example_server: Any) -> None:
    tab, _ = page
    tab.goto(f"{example_server.url}/queries/tools_by_practice?practice=voting&lang=en")
    expected = tab.locator("table.results tbody tr").count()
    labels = set(tab.locator("table.results tbody tr td:nth-child(2)").all_inner_texts())
    assert expected == 3 and labels == {"Loomio", "Decidim", "Google Forms"}
    tab.click("text=Open in the editor")
    tab.wait_for_selector(".tabPanel.active .yasr table.dataTable tbody tr")
    text = tab.evaluate("() => window.civicgraphYasgui.getTab().getQuery()")
    assert "practice/voting>" in text and "VALUES (?practice" in text
    rows = tab.locator(".tabPanel.active .yasr table.dataTable tbody tr")
    tab.wait_for_function("() => document.querySelectorAll('.tabPanel.active .yasr "
                          f"table.dataTable tbody tr').length === {expected}")
    assert rows.count() == expected
    shown = tab.locator(".tabPanel.active .yasr table.dataTable tbody").inner_text()
    assert all(label in shown for label in labels)


def test_yasgui_speaks_french(page: tuple[Any, Any], example_server: Any) -> None:
    tab, _ = page
    tab.goto(f"{example_server.url}/query?lang=fr")
    tab.wait_for_selector(".yasqe .CodeMirror")
    button = tab.locator(".tabPanel.active .yasqe_queryButton")
    tab.wait_for_function("() => document.querySelector('.tabPanel.active .yasqe_queryButton')"
                          ".getAttribute('title') === 'Exécuter la requête'")
    assert button.get_attribute("title") == "Exécuter la requête"
    button.click()
    tab.wait_for_selector(".tabPanel.active .yasr table.dataTable tbody tr")
    tab.wait_for_function("() => /résultat/.test(document.querySelector("
                          "'.tabPanel.active .yasr').innerText)")
    text = tab.locator(".tabPanel.active .yasr").inner_text()
    assert "Tableau" in text or "Réponse" in text
    assert "Download result" not in text and " results in " not in text


def test_the_french_home_shows_a_french_screenshot(browser: Any, example_server: Any) -> None:
    with opened(browser, viewport={"width": 1280, "height": 800}, locale="fr-FR") as tab:
        _french_screenshot(tab, example_server)


def _french_screenshot(tab: Any, example_server: Any) -> None:
    tab.goto(f"{example_server.url}/maps/organisations-tools?lang=fr")
    frame = tab.wait_for_selector("#map-frame").content_frame()
    assert frame is not None
    frame.wait_for_selector("#cg-map[data-drawn='true']", state="attached")
    assert frame.locator(".cg-legend li").count() >= 2
    tab.wait_for_load_state("networkidle")
    tab.screenshot(path=screenshot("map-fr.png"), full_page=False)
    tab.goto(f"{example_server.url}/?lang=fr", wait_until="networkidle")
    assert tab.locator("img[src='/static/screenshots/map-fr.png']").count() == 1
    tab.goto(f"{example_server.url}/?lang=en", wait_until="networkidle")
    assert tab.locator("img[src='/static/screenshots/map.png']").count() == 1


def test_results_show_labels_a_bar_chart_and_a_network(page: tuple[Any, Any],
                                                       example_server: Any) -> None:
    tab, watch = page
    tab.goto(f"{example_server.url}/queries/tools_by_practice?practice=decision-making&lang=fr")
    first = tab.locator("table.results tbody tr").first.locator("td").first
    assert first.locator("a").inner_text() == "Loomio"      # the label beside the IRI
    assert first.locator("small").inner_text() == "id:software/loomio"
    tab.click(".view-switch button[data-view=bars]")
    assert tab.locator("svg.cg-bars rect").count() == tab.locator("table.results tbody tr").count()
    assert tab.locator(".results-table").is_hidden()
    tab.goto(f"{example_server.url}/queries/tool_usages?tool=loomio&lang=en")
    tab.click(".view-switch button[data-view=network]")
    labels = set(tab.locator("svg.cg-network text").all_text_contents())
    assert {"Réseau Santé-Ville Île-de-France", "Voting"} <= labels
    # the same views in YASGUI, where the results fit
    tab.click("text=Open in the editor")
    tab.wait_for_selector(".tabPanel.active .yasr table.dataTable tbody tr")
    tab.click(".tabPanel.active .yasr .select_civicgraphNetwork")
    tab.wait_for_selector(".tabPanel.active .yasr svg.cg-network circle")
    assert not [p for p in watch.problems if "favicon" not in p], watch.problems
