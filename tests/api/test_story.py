"""Story pages: a tool's users, effects, switches and instances; an organisation's tools
over time; a practice's tools; each list as CSV and in the page's JSON-LD; inverse links
named backwards; the FR/EN switch keeps every parameter."""

from __future__ import annotations

import csv
import html
import io
import json
import re

import httpx
import pytest

from graph.publishing.story_tables import Cell, Column, Table, safe_cell, to_csv
from tests.support.live import Live

ID = "https://w3id.org/civicgraph/id/"
LOOMIO_USERS = {"atelier-urbanisme-plaine", "precarite-energetique-93",
                "collectif-sante-belleville", "coordination-quartiers-populaires",
                "diabete-entraide-93", "habitat-participatif-cergy", "positifs-ensemble",
                "reseau-sante-ville"}


def page(live: Live, path: str, **params: str) -> str:
    response = httpx.get(f"{live.url}{path}", params=params, headers={"Accept": "text/html"})
    assert response.status_code == 200, (path, response.status_code)
    return response.text


def rows(live: Live, path: str, **params: str) -> list[dict[str, str]]:
    response = httpx.get(f"{live.url}{path}", params=params)
    assert response.status_code == 200, (path, response.text[:200])
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    return list(csv.DictReader(io.StringIO(response.text)))


def story_json_ld(text: str) -> dict[str, object]:
    found = re.search(r'<script type="application/ld\+json" id="story-json-ld">(.*?)</script>',
                      text, re.S)
    assert found, "no story JSON-LD"
    data: dict[str, object] = json.loads(found.group(1))
    return data


def test_the_tool_page_tells_who_uses_it(live: Live) -> None:
    text = page(live, "/id/software/loomio", lang="en")
    assert "Used by <strong>8</strong> organisations" in text
    assert 'href="/maps/tool/loomio?lang=en"' in text
    for slug in LOOMIO_USERS:
        assert f'href="/id/org/{slug}"' in text
    users = rows(live, "/id/software/loomio/users.csv", lang="en")
    assert {r["organisation_iri"].rsplit("/", 1)[-1] for r in users} == LOOMIO_USERS
    belleville = next(r for r in users
                      if r["organisation_iri"].endswith("/collectif-sante-belleville"))
    assert belleville["practices"] == "Agenda setting, Consensus decision"
    assert belleville["status"] == "Active" and belleville["period"] == "2023-11-15 –"
    assert belleville["waves"] == "2024, 2025"
    assert belleville["through"] == "Groupe Loomio « Convergence santé-ville »"


def test_the_tool_page_in_french(live: Live) -> None:
    text = page(live, "/id/software/loomio", lang="fr")
    assert "Utilisé par <strong>8</strong> organisations" in text
    assert "Effets constatés" in text and "Décisions accélérées" in text
    assert "Instances hébergées et espaces partagés" in text
    assert "Voir la carte de cet outil" in text


def test_switches_name_both_tools(live: Live) -> None:
    framadate = rows(live, "/id/software/framadate/migrations.csv", lang="en")
    assert {(r["direction"], r["tool"]) for r in framadate} == {("Replaced", "Doodle")}
    doodle = rows(live, "/id/software/doodle/migrations.csv", lang="fr")
    assert {(r["direction"], r["tool"]) for r in doodle} == {("Remplacé par", "Framadate")}
    assert len(doodle) == 2


def test_instances_and_spaces(live: Live) -> None:
    places = rows(live, "/id/software/loomio/instances.csv")
    assert {(r["place_iri"], r["host_iri"]) for r in places} == {
        (ID + "instance/chatons-canal-loomio", ID + "org/chatons-du-canal"),
        (ID + "space/loomio-convergence", ID + "instance/chatons-canal-loomio")}


def test_the_organisation_page_draws_its_tools_over_time(live: Live) -> None:
    text = page(live, "/id/org/collectif-sante-belleville", lang="fr")
    assert "Ses outils au fil du temps" in text
    svg = re.search(r'<svg role="group".*?</svg>', text, re.S)
    assert svg and svg.group(0).count("<rect") == 6 and 'class="bar abandoned"' in svg.group(0)
    tools = rows(live, "/id/org/collectif-sante-belleville/tools.csv", lang="fr")
    whatsapp = next(r for r in tools if r["tool"] == "WhatsApp")
    assert whatsapp["status"] == "Abandonné" and whatsapp["period"] == "2019-05-01 – 2024-09-30"
    for name in ("needs", "experiences", "projects", "practices"):
        assert rows(live, f"/id/org/collectif-sante-belleville/{name}.csv"), name
    assert "ses usages d&#39;outils" in text or "ses usages d'outils" in text


def test_the_practice_page_lists_its_tools(live: Live) -> None:
    tools = rows(live, "/id/practice/voting/tools.csv")
    assert {r["tool"] for r in tools} == {"Loomio", "Decidim", "Google Forms"}
    effect = rows(live, "/id/effect/decision-speed/tools.csv")
    assert [r["tool"] for r in effect] == ["Loomio"]


def test_lists_are_in_the_embedded_json_ld(live: Live) -> None:
    data = story_json_ld(page(live, "/id/software/loomio"))
    lists = {item["identifier"]: item for item in data["@graph"]}  # type: ignore[attr-defined]
    assert set(lists) == {"users", "effects", "migrations", "instances"}
    assert lists["users"]["numberOfItems"] == 8
    ids = {element["item"]["@id"] for element in lists["users"]["itemListElement"]}
    assert ids == {ID + "org/" + slug for slug in LOOMIO_USERS}


def test_inverse_links_are_named_backwards(live: Live) -> None:
    english = html.unescape(page(live, "/id/instance/chatons-canal-loomio", lang="en"))
    assert ">used by</a>" in english
    french = html.unescape(page(live, "/id/instance/chatons-canal-loomio", lang="fr"))
    assert ">utilisé par</a>" in french


@pytest.mark.parametrize("path", [
    "/id/software/never-existed/users.csv", "/id/software/loomio/nothing.csv",
    "/id/commune/75056/users.csv", "/id/person/personne-01/tools.csv"])
def test_missing_lists_are_404(live: Live, path: str) -> None:
    assert httpx.get(f"{live.url}{path}").status_code == 404


@pytest.mark.parametrize(("text", "expected"), [
    ("=1+1", "'=1+1"), ("+33", "'+33"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("Loomio", "Loomio"), ("", "")])
def test_csv_cells_are_spreadsheet_safe(text: str, expected: str) -> None:
    assert safe_cell(text) == expected
    table = Table("t", "T", (Column("a", "A"),), ((Cell(text, "=x"),),))
    written = list(csv.reader(io.StringIO(to_csv(table), newline="")))
    assert written == [["a", "a_iri"], [expected, "'=x"]]


def test_the_language_switch_keeps_every_parameter(live: Live) -> None:
    text = page(live, "/search", q="vote", kind="tool", limit="5", lang="en")
    french = re.search(r'<a href="([^"]+)" hreflang="fr"', text)
    assert french is not None
    assert html.unescape(french.group(1)) == "/search?q=vote&kind=tool&limit=5&lang=fr"
    twice = page(live, "/search", q="vote", kind=["tool", "practice"], lang="fr")  # type: ignore[arg-type]
    english = re.search(r'<a href="([^"]+)" hreflang="en"', twice)
    assert english is not None
    assert html.unescape(english.group(1)) == "/search?q=vote&kind=tool&kind=practice&lang=en"


@pytest.mark.parametrize(("path", "tool"), [
    ("/id/tool-category/decision-making-platform/tools.csv", "Loomio"),
    ("/id/field/health/tools.csv", "Sympa"), ("/id/org-kind/association/tools.csv", "Sympa"),
])
def test_concept_pages_list_their_tools(live: Live, path: str, tool: str) -> None:
    assert tool in {r["tool"] for r in rows(live, path)}
