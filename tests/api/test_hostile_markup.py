"""Data that would be script stays text: the script injections of the hostile dataset are
checked here in the HTML and the thumbnails, and in a browser in
tests/browser/test_security_in_browser.py.
"""

from __future__ import annotations

import re

import httpx
import pytest

from tests.support.hostile import PAGES, PAYLOADS
from tests.support.live import Live

# --- data that would be script ----------------------------------------------------------------

@pytest.mark.parametrize("path", PAGES)
def test_data_is_never_markup_on_any_page(server: Live, path: str) -> None:
    # (a query URL asked for a page is redirected to the query page: followed)
    response = httpx.get(server.url + path, timeout=60, headers={"Accept": "text/html"},
                         follow_redirects=True)
    assert response.status_code < 500
    assert response.headers["content-type"].startswith("text/html"), path
    html = response.text
    for payload in PAYLOADS:
        assert payload not in html, (path, payload)
    assert not re.search(r"<(img|svg)[^>]*\bon\w+=", html, re.IGNORECASE)
    assert not re.search(r"""(href|src|action)\s*=\s*["']?\s*(javascript|data|vbscript):""",
                         html, re.IGNORECASE), path
    assert not re.search(r"<script>\s*alert", html)


def test_the_hostile_data_is_really_shown(server: Live) -> None:
    """The page test can fail: the payloads are on the pages, as text."""
    html = httpx.get(f"{server.url}/id/org/xss", headers={"Accept": "text/html"}).text
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "DESCRIBE" in html  # the javascript: IRI became a link to the query editor
    embed = httpx.get(f"{server.url}/maps/organisations-tools/embed").text
    assert "\\u003cimg src=x onerror=alert(1)\\u003e" in embed
    dumps = httpx.get(f"{server.url}/dumps", headers={"Accept": "text/html"}).text
    assert "&#34;&gt;&lt;script&gt;alert(2)" in dumps or "&quot;&gt;&lt;script&gt;" in dumps


@pytest.mark.parametrize("path", ["/maps/organisations-tools/thumbnail.svg",
                                  "/maps/tool/xss/thumbnail.svg"])
def test_thumbnails_hold_no_script(server: Live, path: str) -> None:
    svg = httpx.get(server.url + path, timeout=60).text
    assert "<script" not in svg and "onerror" not in svg and "onload" not in svg
