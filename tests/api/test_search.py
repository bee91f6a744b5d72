"""/search: labels and descriptions, accents and case ignored, public data only."""

from __future__ import annotations

import httpx
import pytest

from tests.support.live import Live


def hits(live: Live, **params: object) -> list[dict[str, object]]:
    response = httpx.get(f"{live.url}/search", params=params,  # type: ignore[arg-type]
                         headers={"Accept": "application/json"})
    assert response.status_code == 200, response.text
    results: list[dict[str, object]] = response.json()["results"]
    return results


def test_exact_label_comes_first(live: Live) -> None:
    results = hits(live, q="loomio")
    assert results[0]["label"] == "Loomio" and results[0]["kind"] == "tool"
    assert results[0]["url"] == "/id/software/loomio"
    ranks = [r["rank"] for r in results]
    assert ranks == sorted(ranks)


@pytest.mark.parametrize("text", ["SANTE", "santé", "Santé"])
def test_case_and_accents_are_ignored(live: Live, text: str) -> None:
    labels = {r["label"] for r in hits(live, q=text, kind="organisation")}
    assert "Réseau Santé-Ville Île-de-France" in labels


def test_kinds_filter_and_language(live: Live) -> None:
    practices = hits(live, q="vote", kind="practice", lang="fr")
    assert [r["label"] for r in practices] == ["Vote"]
    english = hits(live, q="decision", kind="practice", lang="en")
    assert "Decision making" in {r["label"] for r in english}
    assert all(r["kind"] == "practice" for r in english)
    both = hits(live, q="wiki", kind=["tool", "practice"])
    assert {r["kind"] for r in both} <= {"tool", "practice"}


def test_descriptions_are_searched_after_labels(live: Live) -> None:
    results = hits(live, q="programme de formation-action", limit=50)
    assert any(r["matched"] == "description" for r in results)


def test_restricted_people_are_never_found(live: Live, token: str) -> None:
    assert not [r for r in hits(live, q="personne", limit=100) if "/person/" in str(r["iri"])]


@pytest.mark.parametrize("params", [{"q": "a"}, {"q": "x" * 101}, {"q": "loomio", "kind": "x"},
                                    {"q": "loomio", "limit": 0}])
def test_bad_searches_are_400(live: Live, params: dict[str, object]) -> None:
    response = httpx.get(f"{live.url}/search", params=params)  # type: ignore[arg-type]
    assert response.status_code == 400


def test_search_page(live: Live) -> None:
    empty = httpx.get(f"{live.url}/search", headers={"Accept": "text/html"})
    assert empty.status_code == 200 and 'role="search"' in empty.text
    page = httpx.get(f"{live.url}/search", params={"q": "loomio", "lang": "fr"},
                     headers={"Accept": "text/html"})
    assert 'href="/id/software/loomio"' in page.text
    assert httpx.get(f"{live.url}/search", params={"q": "<script>x"},
                     headers={"Accept": "text/html"}).text.count("<script>x") == 0


@pytest.mark.parametrize(("text", "label"), [
    ("framad", "Framadate"), ("FRAMADATE", "Framadate"), ("vote", "Loomio"),
    ("santé ville", "Réseau Santé-Ville Île-de-France"),
    ("reseau sante", "Réseau Santé-Ville Île-de-France")])
def test_words_and_prefixes_are_found(live: Live, text: str, label: str) -> None:
    assert label in {r["label"] for r in hits(live, q=text, limit=50)}


def test_a_tool_is_found_by_the_practices_it_serves(live: Live) -> None:
    results = hits(live, q="vote", kind="tool", lang="fr")
    loomio = next(r for r in results if r["label"] == "Loomio")
    assert loomio["matched"] == "related"


def test_inside_a_word_is_not_a_match(live: Live) -> None:
    assert "Loomio" not in {r["label"] for r in hits(live, q="oomio", limit=100)}
