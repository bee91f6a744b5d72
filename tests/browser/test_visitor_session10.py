"""A French visitor on a phone (360×740, ``Accept-Language: fr``), session 10: what a hostile
tester found on the pages, each test failing on the code before its fix."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import opened

pytestmark = pytest.mark.browser

#: the text lines and elements that stick out past the right edge of the window, and where
_OVERFLOW = """() => {
    const width = document.documentElement.clientWidth, out = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const range = document.createRange();
        range.selectNodeContents(node);
        if ([...range.getClientRects()].some(r => r.right > width + 1))
            out.push(node.parentElement.tagName + ': ' + node.textContent.trim().slice(0, 60));
    }
    return {scroll: document.documentElement.scrollWidth, width, out: out.slice(0, 5)};
}"""


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    with opened(browser, viewport={"width": 360, "height": 740}, locale="fr-FR",
                extra_http_headers={"Accept-Language": "fr"}) as tab:
        yield tab


@pytest.mark.parametrize("path", [
    "/", "/search?q=sant%C3%A9", "/id/org/vecam", "/maps", "/maps/tools", "/maps/geography",
    "/maps/waves", "/queries", "/dumps", "/ns"])
def test_no_page_is_wider_than_the_phone(phone: Any, example_server: Any, path: str) -> None:
    """A page wider than the screen pans as a whole: the header, the text and the footer slide
    away with a wide table. Tables scroll inside their own box; long words (IRIs, file paths,
    names in a table) wrap. /maps/waves was 476 px wide, /dumps 470, /maps/geography 433,
    a resource page 395 (the path of its source)."""
    phone.goto(f"{example_server.url}{path}", wait_until="networkidle")
    found = phone.evaluate(_OVERFLOW)
    assert found["scroll"] <= found["width"], found
