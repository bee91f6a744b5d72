"""The query catalogue over HTTP, the query page and the OpenAPI description."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
from typing import Any

import httpx
import pytest

from api.routes import queries as queries_route
from graph.queries.catalogue import list_queries
from graph.queries.kept import KeptAnswers
from graph.sparql.results import Answer
from tests.support.live import Live

NAMES = [q.name for q in list_queries()]


def test_catalogue_lists_every_query(live: Live) -> None:
    listing = httpx.get(f"{live.url}/queries").json()
    assert [q["name"] for q in listing] == NAMES
    first = listing[0]
    assert set(first["title"]) == {"en", "fr"} and set(first["description"]) == {"en", "fr"}
    assert first["url"] == f"/queries/{first['name']}"
    assert all("type" in p for q in listing for p in q["params"])
    page = httpx.get(f"{live.url}/queries", headers={"Accept": "text/html"},
                     params={"lang": "fr"})
    assert "Outils utilisés pour une pratique" in page.text


@pytest.mark.parametrize("name", NAMES)
def test_every_catalogue_query_runs_with_its_defaults(live: Live, name: str) -> None:
    response = httpx.get(f"{live.url}/queries/{name}", timeout=60)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/sparql-results+json"
    assert "results" in response.json()
    assert response.headers["link"].startswith(f"</queries/{name}")


def test_parameters_are_typed_and_bound(live: Live) -> None:
    url = f"{live.url}/queries/tools_by_practice"
    voting = httpx.get(url, params={"practice": "voting"}).json()["results"]["bindings"]
    curie = httpx.get(url, params={"practice": "id:practice/voting"}).json()
    assert voting == curie["results"]["bindings"]
    assert {row["practice"]["value"] for row in voting} == \
        {"https://w3id.org/civicgraph/id/practice/voting"}
    default = httpx.get(url).json()["results"]["bindings"]
    assert default != voting


@pytest.mark.parametrize(("params", "parameter"), [
    ({"practice": "not an iri!"}, "practice"),
    ({"include_abandoned": "maybe"}, "include_abandoned"),
    ({"nonsense": "1"}, "nonsense"),
])
def test_bad_parameters_are_400_naming_the_parameter(live: Live, params: dict[str, str],
                                                     parameter: str) -> None:
    response = httpx.get(f"{live.url}/queries/tools_by_practice", params=params)
    assert response.status_code == 400
    assert response.json()["parameter"] == parameter


def test_formats_permalink_and_text(live: Live) -> None:
    url = f"{live.url}/queries/tools_by_practice"
    as_csv = httpx.get(url, params={"practice": "voting", "format": "csv"})
    assert as_csv.headers["content-type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert rows and "softwareLabel" in rows[0]
    by_accept = httpx.get(url, params={"practice": "voting"}, headers={"Accept": "text/csv"})
    assert by_accept.text == as_csv.text
    page = httpx.get(url, params={"practice": "voting", "lang": "fr"},
                     headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "/queries/tools_by_practice?practice=voting&amp;lang=fr" in page.text
    assert page.text.count("<tr>") == len(rows) + 1
    assert httpx.get(url, params={"format": "yaml"}).status_code == 406
    assert httpx.get(url, headers={"Accept": "image/png"}).status_code == 406
    text = httpx.get(f"{live.url}/queries/tools_by_practice.rq")
    assert text.headers["content-type"].startswith("application/sparql-query")
    assert "#+ title.en:" in text.text
    hyphen = httpx.get(f"{live.url}/queries/tools-by-practice", params={"practice": "voting"})
    assert hyphen.json() == httpx.get(url, params={"practice": "voting"}).json()


def test_unknown_query_is_404(live: Live) -> None:
    response = httpx.get(f"{live.url}/queries/no_such_query")
    assert response.status_code == 404
    assert response.json()["error"] == "UnknownQuery"


def test_openapi_describes_each_query_with_typed_parameters(live: Live) -> None:
    spec = httpx.get(f"{live.url}/openapi.json").json()
    paths = spec["paths"]
    for name in NAMES:
        assert f"/queries/{name}" in paths
    operation = paths["/queries/tools_by_practice"]["get"]
    params = {p["name"]: p for p in operation["parameters"]}
    assert params["practice"]["example"] == "decision-making"
    assert params["include_abandoned"]["schema"]["type"] == "boolean"
    assert params["page"]["schema"]["type"] == "integer" and not params["page"]["required"]
    assert set(operation["responses"]["200"]["content"]) >= {"application/sparql-results+json",
                                                             "text/csv", "text/html"}
    for path in ("/sparql", "/store", "/search", "/queries", "/id/{kind}/{name}", "/ns",
                 "/.well-known/void", "/dumps/{name}"):
        assert path in paths, path
    sparql = paths["/sparql"]["post"]["requestBody"]["content"]
    assert "example" in sparql["application/sparql-query"]


def test_query_page_serves_its_editor_from_this_server(live: Live) -> None:
    page = httpx.get(f"{live.url}/query", headers={"Accept": "text/html"}).text
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', page)
    assert "/static/vendor/yasgui/yasgui.min.js" in assets
    assert "/static/vendor/yasgui/yasgui.min.css" in assets
    assert not re.search(r'(?:src|href)="(?:https?:)?//', page.split("<main", 1)[1]
                         .split("</main>", 1)[0].replace('href="https://creativecommons', ""))
    for asset in assets:
        assert httpx.get(f"{live.url}{asset}").status_code == 200, asset
    for name in NAMES:
        assert f'data-name="{name}"' in page
    assert "PREFIX cg: &lt;https://w3id.org/civicgraph/ns#&gt;" in page


def test_the_html_table_comes_in_pages_and_the_downloads_whole(
        live: Live, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(queries_route, "PAGE_ROWS", 3)
    url = f"{live.url}/queries/tool_usages"
    every = httpx.get(url, params={"lang": "fr"}, timeout=60).json()["results"]["bindings"]
    total = len(every)
    assert total > 6   # three pages at least
    html = {"Accept": "text/html"}
    first = httpx.get(url, params={"lang": "fr"}, headers=html, timeout=60)
    second = httpx.get(url, params={"lang": "fr", "page": "2"}, headers=html, timeout=60)
    assert first.status_code == second.status_code == 200
    assert f"Lignes 1 à 3 sur {total}" in first.text and 'rel="next"' in first.text
    assert f"Lignes 4 à 6 sur {total}" in second.text and 'rel="prev"' in second.text
    assert 'href="/queries/tool_usages?lang=fr&amp;page=3"' in second.text
    shown = re.search(r'id="results-json">(.*?)</script>', second.text, re.S)
    assert shown is not None
    assert [row["usage"]["value"] for row in json.loads(shown.group(1))["results"][
        "bindings"]] == [row["usage"]["value"] for row in every[3:6]]
    pages = -(-total // 3)
    beyond = httpx.get(url, params={"page": str(pages + 1)}, headers=html, timeout=60)
    assert beyond.status_code == 400 and f"on {pages} page" in beyond.text


@pytest.mark.parametrize(("page", "accept"), [
    ("0", "text/html"), ("two", "text/html"), ("-1", "text/html"), ("9" * 30, "text/html"),
    ("\u00b2", "text/html"), ("\u0663", "text/html"), ("1" * 5000, "text/html"),
    ("2", "application/sparql-results+json"),
])
def test_a_bad_page_is_refused_with_what_is_wrong(live: Live, page: str, accept: str) -> None:
    response = httpx.get(f"{live.url}/queries/tool_usages", params={"page": page},
                         headers={"Accept": accept}, timeout=60)
    assert response.status_code == 400 and "page" in response.text


def test_the_page_links_of_a_table_asked_with_format_html_give_the_table(
        live: Live, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(queries_route, "PAGE_ROWS", 3)
    anything = {"Accept": "*/*"}   # curl's, wget's: JSON comes first
    first = httpx.get(f"{live.url}/queries/tool_usages", params={"format": "html"},
                      headers=anything, timeout=60)
    assert first.status_code == 200 and first.headers["content-type"].startswith("text/html")
    found = re.search(r'<a rel="next" href="([^"]+)"', first.text)
    assert found is not None
    second = httpx.get(live.url + found.group(1).replace("&amp;", "&"), headers=anything,
                       timeout=60)
    assert second.status_code == 200, second.text
    assert second.headers["content-type"].startswith("text/html") and 'rel="prev"' in second.text


@pytest.mark.parametrize(("lang", "said"), [
    ("fr", "sur 84\u202f606 "), ("en", "of 84,606 ")])
def test_the_row_count_is_written_as_each_language_groups_digits(
        live: Live, monkeypatch: pytest.MonkeyPatch, lang: str, said: str) -> None:
    run_encoded = KeptAnswers.run_encoded

    def counted(kept: KeptAnswers, *args: Any, **options: Any) -> tuple[Answer, str | None]:
        answer, coding = run_encoded(kept, *args, **options)   # the example's answers are
        return dataclasses.replace(answer, count=84_606), coding   # small: 84,606 rows

    monkeypatch.setattr(KeptAnswers, "run_encoded", counted)
    page = httpx.get(f"{live.url}/queries/tool_usages", params={"lang": lang},
                     headers={"Accept": "text/html"}, timeout=60)
    assert page.status_code == 200 and said in page.text


@pytest.mark.parametrize(("lang", "said"), [
    ("fr", "page 1 sur 1\u202f200<"), ("en", "page 1 of 1,200<")])
def test_the_pager_groups_the_digits_of_the_page_numbers_as_the_row_count(
        live: Live, monkeypatch: pytest.MonkeyPatch, lang: str, said: str) -> None:
    run_encoded = KeptAnswers.run_encoded

    def counted(kept: KeptAnswers, *args: Any, **options: Any) -> tuple[Answer, str | None]:
        answer, coding = run_encoded(kept, *args, **options)   # 1,200 pages of 500 rows
        return dataclasses.replace(answer, count=600_000), coding

    monkeypatch.setattr(KeptAnswers, "run_encoded", counted)
    page = httpx.get(f"{live.url}/queries/tool_usages", params={"lang": lang},
                     headers={"Accept": "text/html"}, timeout=60)
    assert page.status_code == 200 and said in page.text


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_pagers_above_and_below_the_table_are_landmarks_of_their_own(
        live: Live, monkeypatch: pytest.MonkeyPatch, lang: str) -> None:
    monkeypatch.setattr(queries_route, "PAGE_ROWS", 3)
    page = httpx.get(f"{live.url}/queries/tool_usages", params={"lang": lang, "page": "2"},
                     headers={"Accept": "text/html"}, timeout=60)
    names = re.findall(r'<nav class="pager" aria-label="([^"]+)"', page.text)
    assert len(names) == 2 and len(set(names)) == 2   # axe: landmark-unique


def test_a_last_page_of_one_row_says_so_and_how_many_pages(
        live: Live, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"{live.url}/queries/tool_usages"
    total = len(httpx.get(url, params={"lang": "fr"}, timeout=60).json()["results"]["bindings"])
    monkeypatch.setattr(queries_route, "PAGE_ROWS", total - 1)
    html = {"Accept": "text/html"}
    french = httpx.get(url, params={"lang": "fr", "page": "2"}, headers=html, timeout=60).text
    english = httpx.get(url, params={"lang": "en", "page": "2"}, headers=html, timeout=60).text
    assert f"Ligne {total} sur {total}" in french and "page 2 sur 2" in french
    assert f"Row {total} of {total}" in english and "page 2 of 2" in english
    assert "this page's rows only" in english and "que sur cette page" in french


def test_a_query_the_engine_is_known_to_answer_otherwise_says_so_on_its_page(
        live: Live, monkeypatch: pytest.MonkeyPatch) -> None:
    kind = live.app.state.engine.store.kind
    monkeypatch.setitem(queries_route.ANSWERED_OTHERWISE, kind, frozenset({"tool_usages"}))
    html = {"Accept": "text/html"}
    warned = httpx.get(f"{live.url}/queries/tool_usages", params={"lang": "fr"},
                       headers=html, timeout=60).text
    other = httpx.get(f"{live.url}/queries/tools_by_practice", params={"lang": "en"},
                      headers=html, timeout=60).text
    assert 'class="notice" role="note"' in warned and "peuvent être faux" in warned
    assert 'class="notice"' not in other


def test_the_queries_virtuoso_answers_otherwise_are_catalogue_queries() -> None:
    from graph.queries.catalogue import ANSWERED_OTHERWISE

    assert ANSWERED_OTHERWISE["virtuoso"] <= set(NAMES)
    assert "wave_changes" not in ANSWERED_OTHERWISE["virtuoso"]   # same rows at 10^6 now


def test_an_accept_header_sent_on_two_lines_is_read_as_one_list(live: Live) -> None:
    lines = [("Accept", "image/png"), ("Accept", "text/csv")]
    response = httpx.get(f"{live.url}/queries/tool_usages", headers=lines, timeout=60)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")


def test_a_format_given_twice_is_refused_naming_it(live: Live) -> None:
    response = httpx.get(f"{live.url}/queries/tool_usages",
                         params=[("format", "csv"), ("format", "json")], timeout=60)
    assert response.status_code == 400 and response.json()["parameter"] == "format"


def test_a_page_number_too_long_to_be_one_says_how_long_one_may_be(live: Live) -> None:
    response = httpx.get(f"{live.url}/queries/tool_usages", params={"page": "1" + "0" * 9},
                         headers={"Accept": "text/html"}, timeout=60)
    assert response.status_code == 400
    assert "9 digits" in response.text


@pytest.mark.parametrize(("lang", "count", "said"), [
    ("fr", 1, "1 résultat<"), ("fr", 0, "0 résultat<"), ("fr", 2, "2 résultats<"),
    ("en", 1, "1 result<"), ("en", 0, "0 results<"), ("en", 2, "2 results<")])
def test_a_one_page_answer_counts_its_rows_in_the_singular_or_plural(
        live: Live, monkeypatch: pytest.MonkeyPatch, lang: str, count: int, said: str) -> None:
    run_encoded = KeptAnswers.run_encoded

    def counted(kept: KeptAnswers, *args: Any, **options: Any) -> tuple[Answer, str | None]:
        answer, coding = run_encoded(kept, *args, **options)
        return dataclasses.replace(answer, count=count), coding

    monkeypatch.setattr(KeptAnswers, "run_encoded", counted)
    page = httpx.get(f"{live.url}/queries/tool_usages", params={"lang": lang},
                     headers={"Accept": "text/html"}, timeout=60)
    assert page.status_code == 200 and said in page.text


def test_the_download_links_and_the_editor_link_are_apart(live: Live) -> None:
    page = httpx.get(f"{live.url}/queries/tool_usages", params={"lang": "fr"},
                     headers={"Accept": "text/html"}, timeout=60).text
    links = re.search(r'<p class="permalink">(.*?)</p>', page, re.S)
    assert links is not None
    text = re.sub(r"<[^>]+>", "", links.group(1))
    assert re.findall(r"\S·|·\S", text) == []   # every middle dot between two spaces


def test_a_page_past_the_last_says_how_many_rows_and_pages_there_are(
        live: Live, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"{live.url}/queries/tool_usages"
    total = len(httpx.get(url, timeout=60).json()["results"]["bindings"])
    html = {"Accept": "text/html"}
    monkeypatch.setattr(queries_route, "PAGE_ROWS", total)
    one = httpx.get(url, params={"page": "2"}, headers=html, timeout=60)
    assert one.status_code == 400
    assert f"the answer has {total} rows, on 1 page of {total}" in one.text
    monkeypatch.setattr(queries_route, "PAGE_ROWS", 1)
    many = httpx.get(url, params={"page": str(total + 1)}, headers=html, timeout=60)
    assert f"on {total} pages of 1 row<" in many.text


def test_a_page_asked_of_another_format_says_how_to_ask_for_the_table(live: Live) -> None:
    # curl and wget send Accept: */*, which gets JSON: a pager link copied from the browser
    response = httpx.get(f"{live.url}/queries/tool_usages", params={"page": "2"},
                         headers={"Accept": "*/*"}, timeout=60)
    assert response.status_code == 400
    assert "format=html" in response.json()["problem"]


def test_an_emptied_language_field_gives_the_readers_language(live: Live) -> None:
    # the page's form sends every field: a French reader who clears "Langue des libellés"
    # means "not given", which is the reader's language, as for every other parameter
    french = {"Accept-Language": "fr"}
    url = f"{live.url}/queries/tool_usages"
    emptied = httpx.get(url, params={"lang": "", "tool": ""}, headers=french, timeout=60)
    given = httpx.get(url, params={"lang": "fr"}, headers=french, timeout=60)
    assert emptied.status_code == 200, emptied.text
    assert emptied.content == given.content
    assert emptied.headers["link"] == given.headers["link"] == (
        '</queries/tool_usages?lang=fr>; rel="canonical"')
