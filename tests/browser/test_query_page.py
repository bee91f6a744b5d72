"""The query page in a real browser: YASGUI loads from this server, runs a query against
/sparql, opens a catalogue example, and nothing is fetched from another host."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.browser


def test_yasgui_runs_queries_and_examples_locally(page: tuple[Any, Any],
                                                  example_server: Any) -> None:
    tab, watch = page
    hosts: set[str] = set()
    tab.on("request", lambda r: hosts.add(urlsplit(r.url).netloc))
    tab.goto(f"{example_server.url}/query?lang=en")
    tab.wait_for_selector(".yasqe .CodeMirror")
    tab.click(".tabPanel.active .yasqe_queryButton")
    tab.wait_for_selector(".tabPanel.active .yasr table.dataTable tbody tr")
    assert tab.locator(".tabPanel.active .yasr table.dataTable tbody tr").count() == 20

    tab.click("button.example[data-name=shared_spaces]")
    tab.wait_for_function("() => document.querySelectorAll('.tabsList .tab').length >= 2")
    editor_text = tab.evaluate("() => window.civicgraphYasgui.getTab().getQuery()")
    assert "#+ title.en:" in editor_text
    tab.click(".tabPanel.active .yasqe_queryButton")
    tab.wait_for_selector(".tabPanel.active .yasr .dataTable tbody tr, "
                          ".tabPanel.active .yasr .emptyTable, .tabPanel.active .yasr tbody")
    assert hosts == {urlsplit(example_server.url).netloc}
    assert not [p for p in watch.problems if "favicon" not in p], watch.problems


def test_the_editor_opens_a_query_from_its_url(page: tuple[Any, Any],
                                               example_server: Any) -> None:
    tab, _ = page
    tab.goto(f"{example_server.url}/query?query=ASK%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D")
    tab.wait_for_selector(".yasqe .CodeMirror")
    assert tab.evaluate("() => window.civicgraphYasgui.getTab().getQuery()") \
        == "ASK { ?s ?p ?o }"
