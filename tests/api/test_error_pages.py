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
    assert "translate=\"no\">NotFound</code>" in main   # as the JSON names it
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


def _page(error: Exception, lang: str) -> str:
    """The error page ``error`` gets in ``lang``, rendered as the server renders it."""
    from starlette.requests import Request

    from api.app import create_app
    from api.errors import error_response
    from api.settings import Settings
    from graph.store import open_store

    app = create_app(Settings(store="memory"), open_store("memory"))
    request = Request({
        "type": "http", "method": "GET", "path": "/sparql", "raw_path": b"/sparql",
        "query_string": f"lang={lang}".encode(), "root_path": "", "scheme": "http",
        "server": ("127.0.0.1", 80), "headers": [(b"accept", b"text/html"),
                                                 (b"host", b"127.0.0.1")], "app": app})
    response = error_response(request, error)
    assert response.headers["content-type"].startswith("text/html")
    return bytes(response.body).decode()


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_query_stopped_by_a_limit_is_not_told_to_try_again(lang: str) -> None:
    from graph.errors import QueryTimeout

    page = _page(QueryTimeout(30), lang)
    assert "503 · " + ("Requête arrêtée par une limite du service" if lang == "fr"
                       else "Query stopped by a limit of the service") in page
    assert "Réessayez" not in page and "Try again" not in page


@pytest.mark.parametrize(("lang", "hint"), [("fr", "Réessayez dans 5\u00a0s."),
                                            ("en", "Try again in 5 s.")])
def test_a_busy_service_says_when_to_try_again(lang: str, hint: str) -> None:
    from graph.errors import WorkersBusy

    page = _page(WorkersBusy(5), lang)
    assert "503 · " + ("Service momentanément indisponible" if lang == "fr"
                       else "Service unavailable") in page
    assert hint in page


def test_the_error_kind_is_marked_english_on_a_french_page() -> None:
    from graph.errors import QuerySyntaxError

    page = _page(QuerySyntaxError("expected SELECT", line=1, column=1), "fr")
    assert '<code lang="en" translate="no">QuerySyntaxError</code>' in page
