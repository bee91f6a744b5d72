"""Error pages for a visitor: a heading in the page's language that says what happened, the
service's own message marked as English, and a way back."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.support.live import Live


def _main(response: httpx.Response) -> str:
    found = re.search(r"<main id=\"main\">(.*)</main>", response.text, re.S)
    assert found, response.text[:500]
    return found.group(1)


@pytest.mark.parametrize(("lang", "heading", "back"), [
    ("fr", "404 · Page introuvable", "Retour à l&#39;accueil"),
    ("en", "404 · Not found", "Back to the home page")])
def test_a_missing_page_says_so_in_the_visitors_language(
        live: Live, lang: str, heading: str, back: str) -> None:
    response = httpx.get(f"{live.url}/nowhere", params={"lang": lang},
                         headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert response.headers["content-language"] == lang
    main = _main(response)
    assert f"<h1>{heading}</h1>" in main
    assert '<p class="error-kind"><code>NotFound</code></p>' in main   # as the JSON names it
    assert f'<a href="/?lang={lang}">{back}</a>' in main


def test_the_services_message_is_marked_english_on_a_french_page(live: Live) -> None:
    response = httpx.get(f"{live.url}/queries/tool_usages", params={"page": "abc"},
                         headers={"Accept": "text/html", "Accept-Language": "fr"})
    assert response.status_code == 400
    main = _main(response)
    assert "<h1>400 · Requête invalide</h1>" in main
    message = re.search(r'<p class="problem" lang="en">([^<]+)</p>', main)
    assert message and "page" in message.group(1)


def test_json_clients_get_the_same_body_as_before(live: Live) -> None:
    response = httpx.get(f"{live.url}/nowhere", params={"lang": "fr"},
                         headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.json() == {"error": "NotFound", "status": 404, "message": "Not Found"}
