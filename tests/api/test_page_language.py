"""A page's ``?lang=`` is a language tag: read case-insensitively (RFC 5646 2.1.1) and looked
up as RFC 4647 says (``fr-CA`` asks French), on every page, not only the query pages and
maps (``?lang=FR`` gave an English home page)."""

from __future__ import annotations

import httpx
import pytest

from tests.support.live import Live


@pytest.mark.parametrize("asked", ["fr", "FR", "fr-CA", "Fr-ca", "fr-x-old"])
@pytest.mark.parametrize("path", ["/", "/search?q=loomio", "/id/software/loomio", "/nowhere"])
def test_a_french_tag_gives_a_french_page(live: Live, asked: str, path: str) -> None:
    response = httpx.get(f"{live.url}{path}", params={"lang": asked},
                         headers={"Accept": "text/html", "Accept-Language": "en"}, timeout=60)
    assert response.headers["content-language"] == "fr", (path, asked)
    assert '<html lang="fr"' in response.text


def test_a_language_the_site_does_not_speak_falls_back_to_the_readers(live: Live) -> None:
    response = httpx.get(f"{live.url}/", params={"lang": "xx"},
                         headers={"Accept": "text/html", "Accept-Language": "fr"}, timeout=60)
    assert response.headers["content-language"] == "fr"
