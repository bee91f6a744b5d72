"""Catalogue queries open in the editor with their parameters bound in an editable VALUES
line, and the editor's text gives the rows ``/queries/{name}`` gives."""

from __future__ import annotations

import html
import json
import re
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.support.live import Live


def editor_text(live: Live, name: str, **params: str) -> str:
    page = httpx.get(f"{live.url}/queries/{name}", params=params,
                     headers={"Accept": "text/html"}, timeout=60)   # a busy CI machine
    assert page.status_code == 200
    found = re.search(r'<a href="(/query\?[^"]+)">(?:Open in the editor|Ouvrir dans)', page.text)
    assert found, "no editor link"
    return parse_qs(urlsplit(html.unescape(found.group(1))).query)["query"][0]


def bindings(response: httpx.Response) -> list[dict[str, object]]:
    assert response.status_code == 200, response.text[:300]
    rows: list[dict[str, object]] = response.json()["results"]["bindings"]
    return rows


@pytest.mark.parametrize(("name", "params"), [
    ("tools_by_practice", {"practice": "voting"}),
    ("tools_by_practice", {"practice": "decision-making", "include_abandoned": "true"}),
    ("effects_by_tool", {"tool": "loomio"}),
    ("effects_by_tool", {}),
    ("tool_usages", {"tool": "framadate", "lang": "fr"}),
])
def test_the_editor_gives_the_rows_of_the_catalogue(live: Live, name: str,
                                                    params: dict[str, str]) -> None:
    text = editor_text(live, name, **params)
    assert "# parameters: edit the values in this line" in text
    direct = bindings(httpx.get(f"{live.url}/queries/{name}",
                                params={**params, "format": "json"}))
    edited = bindings(httpx.post(f"{live.url}/sparql", data={"query": text},
                                 headers={"Accept": "application/sparql-results+json"}))
    assert edited == direct and direct


def test_tools_for_voting_are_not_every_practice(live: Live) -> None:
    text = editor_text(live, "tools_by_practice", practice="voting", lang="en")
    line = next(line for line in text.splitlines() if line.strip().startswith("VALUES"))
    assert line.strip() == ("VALUES (?practice ?include_abandoned ?lang) { "
                            "(<https://w3id.org/civicgraph/id/practice/voting> false \"en\") }")
    rows = bindings(httpx.post(f"{live.url}/sparql", data={"query": text},
                               headers={"Accept": "application/sparql-results+json"}))
    assert {r["softwareLabel"]["value"] for r in rows} == {  # type: ignore[index]
        "Loomio", "Decidim", "Google Forms"}
    # edited: another practice, the same query
    other = text.replace("practice/voting>", "practice/date-polling>")
    polled = bindings(httpx.post(f"{live.url}/sparql", data={"query": other},
                                 headers={"Accept": "application/sparql-results+json"}))
    assert "Framadate" in {r["softwareLabel"]["value"] for r in polled}  # type: ignore[index]


def test_examples_on_the_query_page_are_bound_and_prefixes_declared(live: Live) -> None:
    page = httpx.get(f"{live.url}/query", params={"lang": "fr"},
                     headers={"Accept": "text/html"}).text
    found = re.search(r'<script type="application/json" id="query-config">(.*?)</script>',
                      page, re.S)
    assert found
    config = json.loads(found.group(1))
    example = next(e for e in config["examples"] if e["name"] == "tools_by_practice")
    assert "VALUES (?practice ?include_abandoned ?lang)" in example["sparql"]
    assert '"fr")' in example["sparql"]
    for prefix in ("cg:", "id:", "org:", "wd:", "igeo:", "sioc:"):
        assert f"PREFIX {prefix}" in config["defaultQuery"]
