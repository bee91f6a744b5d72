"""A French reader on a small phone (360×640, ``Accept-Language: fr``): no page pans sideways
as a whole (WCAG 2.1 SC 1.4.10 Reflow), a wide thing scrolls or wraps inside its own box; the
organisation timeline is never shrunk to illegible names. Each test failed before its fix:
/query after running a query was 376 px wide (the default query) to 4,565 px (an example's
results, YASR's table not in a box of its own), /queries/<name> with its SPARQL open 806 px
(the <pre> did not wrap), and the timeline of an organisation was drawn for 680 px and shown
at 232 px (tool names 5 px high)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import opened

pytestmark = pytest.mark.browser

WIDTH, HEIGHT = 360, 640
ORGANISATION = "/id/org/collectif-sante-belleville"  # an organisation with a timeline
RUN = ".tabPanel.active .yasqe_queryButton"
RESULTS = ".tabPanel.active .yasr table.dataTable tbody tr"

#: how wide the page is, and the elements (not clipped by an ancestor) past its right edge
_WIDTH = """() => {
    const inner = window.innerWidth, out = [];
    for (const e of document.body.querySelectorAll('*')) {
        const r = e.getBoundingClientRect();
        if (r.width && r.right > inner + 1) {
            let clipped = false;
            for (let a = e.parentElement; a && a !== document.body; a = a.parentElement)
                if (getComputedStyle(a).overflowX !== 'visible') { clipped = true; break; }
            if (!clipped) out.push(e.tagName + '.' + String(e.className).slice(0, 40)
                                   + ' ' + Math.round(r.right));
        }
    }
    return {scroll: document.documentElement.scrollWidth, inner, out: out.slice(0, 6)};
}"""


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    with opened(browser, viewport={"width": WIDTH, "height": HEIGHT}, locale="fr-FR",
                extra_http_headers={"Accept-Language": "fr"}) as tab:
        yield tab


def _story(tab: Any, url: str) -> None:
    """``url`` open, its story worked out (the server draws it in the background at first)."""
    for _ in range(20):
        tab.goto(url, wait_until="networkidle")
        if tab.locator(".story.pending").count() == 0:
            return
        tab.wait_for_timeout(500)
    raise AssertionError(f"the story of {url} was still pending after 10 s")


def _fits(tab: Any, what: str) -> None:
    found = tab.evaluate(_WIDTH)
    assert found["scroll"] <= found["inner"] + 1, (what, found)


@pytest.mark.parametrize("path", [
    "/", "/queries/tool_usages?tool=loomio", ORGANISATION, "/id/software/loomio", "/maps"])
def test_no_page_is_wider_than_the_phone(phone: Any, example_server: Any, path: str) -> None:
    """The page fits the phone's width, every <details> open (the SPARQL of a query page)."""
    _story(phone, f"{example_server.url}{path}")
    phone.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
    _fits(phone, path)


def test_the_query_page_fits_after_running_queries(phone: Any, example_server: Any) -> None:
    """The results of the default query, then of an example, scroll inside YASR's table box,
    not the page; a long example title wraps in its tab; the run button stays clickable
    (nothing laid over it) for a second run."""
    phone.goto(f"{example_server.url}/query", wait_until="networkidle")
    phone.click(RUN)
    phone.wait_for_selector(RESULTS)
    _fits(phone, "/query, the default query run")
    phone.click("button.example[data-name=organisation_usages]")
    for attempt in ("first", "second"):
        phone.click(RUN, timeout=10_000)
        phone.wait_for_selector(RESULTS)
        _fits(phone, f"/query, an example run ({attempt} time)")
        covered = phone.evaluate("""(selector) => {
            const button = document.querySelector(selector), r = button.getBoundingClientRect();
            const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
            return hit && !button.contains(hit) ? hit.outerHTML.slice(0, 120) : null;
        }""", RUN)
        assert covered is None, f"the run button is under {covered}"
    box = phone.evaluate("""() => {
        const table = document.querySelector('.tabPanel.active .yasr table.dataTable');
        let a = table.parentElement;
        while (a && getComputedStyle(a).overflowX === 'visible') a = a.parentElement;
        return {table: table.scrollWidth, box: a.clientWidth,
                scrolls: a.scrollWidth > a.clientWidth};
    }""")
    assert box["table"] > box["box"] and box["scrolls"], box


def test_the_timeline_is_never_shrunk_to_illegible_text(browser: Any,
                                                        example_server: Any) -> None:
    """On the phone the chart is either left out (the tools table beside it holds the same
    tools, statuses and periods) or drawn at a legible size; on a desktop it is shown as it
    was, at the 680 px it is drawn for."""
    chart = """() => {
        const svg = document.querySelector('.timeline svg.timeline-chart');
        const label = svg && svg.querySelector('text.label');
        return svg && {width: svg.getBoundingClientRect().width,
                       label: label ? label.getBoundingClientRect().height : 0,
                       tools: document.querySelectorAll(
                           'table.story[data-list=tools] tbody tr').length};
    }"""
    with opened(browser, viewport={"width": WIDTH, "height": HEIGHT}, locale="fr-FR",
                extra_http_headers={"Accept-Language": "fr"}) as tab:
        _story(tab, f"{example_server.url}{ORGANISATION}")
        small = tab.evaluate(chart)
        assert small is not None, "no timeline on the organisation page"
        assert small["tools"] > 0
        # left out (nothing drawn) or at least 11 px high names
        assert small["width"] == 0 or small["label"] >= 11, small
    with opened(browser, viewport={"width": 1280, "height": 860}, locale="fr-FR",
                extra_http_headers={"Accept-Language": "fr"}) as tab:
        _story(tab, f"{example_server.url}{ORGANISATION}")
        large = tab.evaluate(chart)
        assert large["width"] == 680 and large["label"] >= 11, large
