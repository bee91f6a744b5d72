"""A catalogue query's result page on a phone: the pager of a paged table, in French."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from api.routes import queries as queries_route
from tests.browser.conftest import opened

pytestmark = pytest.mark.browser

#: for each link and label of the pagers: its text, and the tops of the lines it takes
_PAGER_LINES = """() => [...document.querySelectorAll('nav.pager a, nav.pager span')].map(e => {
    const range = document.createRange();
    range.selectNodeContents(e);
    const tops = [...range.getClientRects()].map(r => Math.round(r.top));
    return [e.innerText, [...new Set(tops)].length];
})"""


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    with opened(browser, viewport={"width": 320, "height": 640},
                extra_http_headers={"Accept-Language": "fr"}) as tab:
        yield tab


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_each_pager_link_holds_on_one_line_on_a_narrow_screen(
        phone: Any, example_server: Any, monkeypatch: pytest.MonkeyPatch, lang: str) -> None:
    monkeypatch.setattr(queries_route, "PAGE_ROWS", 3)   # the example's answers are small
    phone.goto(f"{example_server.url}/queries/tool_usages?lang={lang}&page=2")
    lines = phone.evaluate(_PAGER_LINES)
    assert len(lines) == 6   # previous, "page 2 of n", next; above and below the table
    # "← précédents" broke inside its word ("précédent" / "s") at 320 px
    assert [text for text, count in lines if count != 1] == []
    widths = phone.evaluate("""() => [...document.querySelectorAll('nav.pager')].map(
        n => [n.scrollWidth, n.clientWidth, n.getBoundingClientRect().right, innerWidth])""")
    assert all(scroll <= client and right <= inner for scroll, client, right, inner in widths)
