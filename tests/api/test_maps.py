"""The map pages over a real server: gallery, map pages, embed view, thumbnails, exports,
home page, the node budget, escaping and the public-graphs-only rule."""

from __future__ import annotations

import csv
import io
import json
import re
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import networkx as nx
import pyoxigraph as ox
import pytest

from graph.store import Store
from tests.support.graphs import XSS, example_store, tiny_store
from visualisations.maps import GALLERY

ORGS_AND_SOFTWARE = """
PREFIX cg: <https://w3id.org/civicgraph/ns#>
PREFIX schema: <https://schema.org/>
SELECT (COUNT(DISTINCT ?o) AS ?orgs) (COUNT(DISTINCT ?sw) AS ?software) WHERE {
  ?u a cg:ToolUsage ; cg:organisation ?o ; cg:tool ?t .
  ?t cg:software? ?sw . ?sw a schema:SoftwareApplication .
}
"""


def payload(html: str) -> dict[str, Any]:
    found = re.search(r'<script type="application/json" id="cg-map-data">(.*?)</script>', html,
                      re.S)
    assert found, "no map data in the page"
    data: dict[str, Any] = json.loads(found.group(1))
    return data


@pytest.fixture(scope="module")
def example() -> Iterator[Store]:
    store = example_store()
    yield store
    store.close()


@pytest.fixture(scope="module")
def live(example: Store) -> Iterator[Any]:
    from tests.support.live import running

    with running(example) as server:
        yield server


@pytest.fixture
def http(live: Any) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live.url, timeout=60) as client:
        yield client


def test_gallery_has_a_card_and_thumbnail_per_map(http: httpx.Client) -> None:
    page = http.get("/maps", params={"lang": "en"})
    assert page.status_code == 200
    for spec in GALLERY:
        assert spec.title["en"] in page.text
        assert f'src="/maps/{spec.name}/thumbnail.svg?lang=en"' in page.text
        thumb = http.get(f"/maps/{spec.name}/thumbnail.svg")
        assert thumb.headers["content-type"].startswith("image/svg+xml")
        assert thumb.text.count("<circle") > 3
    assert "/maps/tools?lang=en" in page.text
    assert "CC BY 4.0" in page.text


def test_map_shows_every_organisation_and_software(http: httpx.Client, example: Store) -> None:
    row = next(iter(example.query(ORGS_AND_SOFTWARE, default_graph=None)))
    expected = int(row["orgs"].value) + int(row["software"].value)
    data = payload(http.get("/maps/organisations-tools/embed").text)
    assert len(data["nodes"]) == expected
    assert {n["kind"] for n in data["nodes"]} == {"organisation", "software"}
    assert data["options"]["physics"]["enabled"] is False
    assert all("x" in n and "y" in n for n in data["nodes"])


def test_a_filter_changes_the_map_and_stays_in_the_url(http: httpx.Client) -> None:
    everything = payload(http.get("/maps/organisations-tools/embed").text)
    health = payload(http.get("/maps/organisations-tools/embed",
                              params={"field": "health"}).text)
    assert 0 < len(health["nodes"]) < len(everything["nodes"])
    page = http.get("/maps/organisations-tools", params={"field": "health", "lang": "fr"})
    assert 'src="/maps/organisations-tools/embed?field=health&amp;lang=fr"' in page.text
    assert '<option value="health" selected>' in page.text


def test_map_of_one_tool(http: httpx.Client) -> None:
    tools = http.get("/maps/tools")
    assert 'href="/maps/tool/loomio?lang=en"' in tools.text
    data = payload(http.get("/maps/tool/loomio/embed").text)
    kinds = {n["kind"] for n in data["nodes"]}
    assert {"software", "organisation", "practice"} <= kinds
    labels = {n["label"] for n in data["nodes"]}
    assert "Loomio" in labels
    assert http.get("/maps/tool/no-such-tool").status_code == 404


def test_pages_use_no_external_resource(http: httpx.Client) -> None:
    for url in ("/", "/maps", "/maps/organisations-tools", "/maps/organisations-tools/embed",
                "/maps/tool/loomio/embed", "/maps/tools"):
        html = http.get(url).text
        external = re.findall(r'<(?:script|link|img|iframe)[^>]+(?:src|href)="(https?:)?//', html)
        assert not external, (url, external)
        assert len(html.encode()) < 5_000_000
    embed = http.get("/maps/organisations-tools/embed")
    assert "script-src 'self'" in embed.headers["content-security-policy"]
    for name in ("vis-network.min.js", "vis-network.css", "civicmap.js", "civicmap.css"):
        asset = http.get(f"/maps/assets/{name}")
        assert asset.status_code == 200 and len(asset.content) > 100
        assert "cdnjs" not in asset.text and "jsdelivr" not in asset.text


@pytest.mark.parametrize("format", ["gexf", "graphml", "json", "nodes.csv", "edges.csv"])
def test_exports_can_be_read_back(http: httpx.Client, format: str) -> None:
    shown = payload(http.get("/maps/tool-co-usage/embed").text)
    response = http.get(f"/maps/tool-co-usage/export.{format}")
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    body = response.content
    if format == "gexf":
        g = nx.read_gexf(io.BytesIO(body))
    elif format == "graphml":
        g = nx.read_graphml(io.BytesIO(body))
    elif format == "json":
        g = nx.node_link_graph(json.loads(body), edges="edges")
    else:
        rows = list(csv.DictReader(io.StringIO(body.decode())))
        assert len(rows) == len(shown["nodes" if format == "nodes.csv" else "edges"])
        return
    assert g.number_of_nodes() == len(shown["nodes"])
    assert g.number_of_edges() == len(shown["edges"])


def test_home_page_in_both_languages(http: httpx.Client) -> None:
    fr = http.get("/", headers={"Accept-Language": "fr"})
    en = http.get("/", params={"lang": "en"})
    assert fr.status_code == en.status_code == 200
    assert '<html lang="fr">' in fr.text and "Les cartes" in fr.text
    assert '<html lang="en">' in en.text and "The maps" in en.text
    for page in (fr, en):
        for link in ("/maps?", "/maps/tools?", "/search?", "/query?", "/dumps?"):
            assert f'href="{link}' in page.text
        assert 'rel="license"' in page.text
        assert 'alt="' in page.text


def test_neighbourhood_of_an_organisation_shows_its_tools(http: httpx.Client) -> None:
    iri = "https://w3id.org/civicgraph/id/org/collectif-sante-belleville"
    data = payload(http.get("/maps/neighbourhood/embed", params={"iri": iri}).text)
    labels = {n["label"] for n in data["nodes"]}
    assert {"WhatsApp", "Groupe Loomio « Convergence santé-ville »"} <= labels  # via its usages
    assert not any(n["kind"] == "usage" for n in data["nodes"])
    missing = http.get("/maps/neighbourhood/embed",
                       params={"iri": "https://w3id.org/civicgraph/id/org/nobody"})
    assert missing.status_code == 404


@pytest.mark.parametrize(("params", "status"), [
    ({"field": "not a slug"}, 400), ({"from": "yesterday"}, 400), ({"min_weight": "x"}, 400),
    ({"colour": "rainbow"}, 400), ({"group": "planet"}, 400), ({"field": "health"}, 200),
])
def test_bad_parameters_are_refused(http: httpx.Client, params: dict[str, str],
                                    status: int) -> None:
    assert http.get("/maps/organisations-tools/embed", params=params).status_code == status


def test_unknown_map_is_404(http: httpx.Client) -> None:
    assert http.get("/maps/nothing-here").status_code == 404
    assert http.get("/maps/organisations-tools/export.pdf").status_code == 404


@pytest.fixture
def small_budget(serve: Callable[..., Any]) -> Iterator[httpx.Client]:
    with serve(example_store(), node_budget=12) as server, \
            httpx.Client(base_url=server.url, timeout=60) as client:
        yield client


def test_above_the_budget_the_server_groups_and_says_so(small_budget: httpx.Client) -> None:
    store = example_store()
    organisations = int(next(iter(store.query(ORGS_AND_SOFTWARE)))["orgs"].value)
    html = small_budget.get("/maps/organisations-tools/embed", params={"lang": "en"}).text
    data = payload(html)
    assert len(data["nodes"]) <= 12
    groups = [n for n in data["nodes"] if n["kind"] == "group"]
    assert groups and all(n["url"].startswith("/maps/organisations-tools?") for n in groups)
    assert f"This map groups {organisations} organisations by" in html
    assert 'class="cg-notice"' in html
    expanded = small_budget.get(groups[0]["url"].replace("?", "/embed?", 1))
    assert expanded.status_code == 200


@pytest.fixture
def tiny_client(serve: Callable[..., Any]) -> Iterator[httpx.Client]:
    with serve(tiny_store()) as server, httpx.Client(base_url=server.url, timeout=30) as client:
        yield client


def test_data_text_is_escaped(tiny_client: httpx.Client) -> None:
    for url in ("/maps/organisations-tools/embed", "/maps/organisations-tools",
                "/maps/tool/loomio/embed"):
        html = tiny_client.get(url).text
        assert XSS not in html
        assert "<img src=x" not in html
    data = payload(tiny_client.get("/maps/organisations-tools/embed").text)
    assert XSS in {n["label"] for n in data["nodes"]}  # shown as text


def test_restricted_graphs_stay_off_the_maps(tiny_client: httpx.Client) -> None:
    for url in ("/maps/organisations-tools/export.nodes.csv", "/maps/organisations/export.json",
                "/maps/tool/mailman/export.gexf"):
        assert "secret" not in tiny_client.get(url).text.lower()
    home = tiny_client.get("/", params={"lang": "en"})
    assert re.search(r"<dt>organisations</dt><dd>4</dd>", home.text)


def test_the_maps_see_a_new_import_without_waiting_for_it(serve: Callable[..., Any]) -> None:
    store = tiny_store()
    with serve(store) as server, httpx.Client(base_url=server.url, timeout=30) as client:
        before = payload(client.get("/maps/organisations-tools/embed").text)
        service = server.app.state.maps
        service.recheck = 0.0
        from tests.support.graphs import PUBLIC_GRAPH, TINY, meta, turtle

        extra = TINY + """
id:org/e a <http://www.w3.org/ns/org#Organization> ; rdfs:label "Newcomer" .
id:usage/u8 a cg:ToolUsage ; cg:organisation id:org/e ; cg:tool id:software/loomio ;
  cg:status id:status/active ; cg:observedOn "2025-03-01"^^xsd:date .
"""
        triples = turtle(extra)
        described = meta(PUBLIC_GRAPH)
        described[2] = ox.Triple(described[2].subject, described[2].predicate, ox.Literal(
            "2026-11-30T10:00:00Z", datatype=described[2].object.datatype))
        with service._table_lock:  # the new table is being read: the old one is served
            store.replace_graph(PUBLIC_GRAPH, triples, metadata=described)
            stale = client.get("/maps/organisations-tools/embed")
            assert payload(stale.text) == before
            assert stale.headers["Age"].isdigit()
            page = client.get("/maps/organisations-tools", params={"lang": "en"})
            assert "latest imports are being read" in page.text and "Age" in page.headers
        for _ in range(300):
            after = client.get("/maps/organisations-tools/embed")
            if "Age" not in after.headers:
                break
            time.sleep(0.05)
        assert "Age" not in after.headers
        assert len(payload(after.text)["nodes"]) == len(before["nodes"]) + 1
        assert "latest imports" not in client.get("/maps/organisations-tools").text


def test_waves_page_shows_flows_and_the_organisations_behind_them(http: httpx.Client) -> None:
    r = http.get("/maps/waves", params={"lang": "en"})
    assert r.status_code == 200, r.text
    html = r.text
    assert "<svg" in html and 'class="sankey"' in html and "<script" not in html.split(
        'class="sankey"', 1)[1].split("</svg>", 1)[0]
    row = re.search(r'<tr id="(flow-\d+)" class="flow-row flow-switched">(.*?)</tr>', html, re.S)
    assert row, "no switch in the table"
    assert f'href="#{row.group(1)}"' in html  # a band of the diagram leads to the row
    assert re.search(r'href="/id/org/[^"]+"', row.group(2))  # and the row to organisations
    assert ">Doodle<" in html and ">Framadate<" in html


def test_waves_filters_narrow_the_comparison(http: httpx.Client) -> None:
    def compared(**params: str) -> int:
        r = http.get("/maps/waves", params={"lang": "en", **params})
        assert r.status_code == 200, r.text
        found = re.search(r"(\d+) organisations observed in both waves", r.text)
        assert found
        return int(found.group(1))

    everything = compared()
    assert 0 < compared(field="health") < everything
    assert 0 < compared(practice="scheduling") < everything
    assert compared(practice="scheduling", field="health") <= compared(practice="scheduling")


@pytest.mark.parametrize(("params", "parameter"), [
    ({"wave1": "2024", "wave2": "2024"}, "wave2"),
    ({"wave1": "1999"}, "wave1"),
    ({"wave2": "<b>"}, "wave2"),
    ({"field": "no such/field"}, "field"),
])
def test_waves_bad_parameters_are_a_400(http: httpx.Client, params: dict[str, str],
                                        parameter: str) -> None:
    r = http.get("/maps/waves", params=params)
    assert r.status_code == 400, r.text
    assert r.json()["parameter"] == parameter


def test_geography_page_lists_organisations_by_commune(http: httpx.Client) -> None:
    r = http.get("/maps/geography", params={"lang": "en"})
    assert r.status_code == 200, r.text
    assert "Montreuil" in r.text and re.search(r'href="/id/org/[^"]+"', r.text)
    data = json.loads(re.search(r'id="geo-data">(.*?)</script>', r.text, re.S).group(1))  # type: ignore[union-attr]
    everything = sum(len(p["organisations"]) for p in data["places"])
    assert f"{everything} organisations in {len(data['places'])} communes" in r.text
    narrowed = http.get("/maps/geography", params={"lang": "en", "dep": "93"})
    assert narrowed.status_code == 200
    codes = re.findall(r'"dep": ?"(\w+)"', narrowed.text)
    assert codes and set(codes) == {"93"}


@pytest.mark.parametrize(("name", "media"), [("leaflet.js", "text/javascript"),
                                             ("departements.json", "application/json"),
                                             ("MarkerCluster.css", "text/css"),
                                             ("LICENSE-leaflet.txt", "text/plain")])
def test_geography_assets_are_served(http: httpx.Client, name: str, media: str) -> None:
    r = http.get(f"/maps/assets/{name}")
    assert r.status_code == 200 and r.headers["content-type"].startswith(media)


def test_geography_bad_filter_is_a_400(http: httpx.Client) -> None:
    r = http.get("/maps/geography", params={"from": "yesterday"})
    assert r.status_code == 400 and r.json()["parameter"] == "from"


def test_size_and_colour_are_kept_and_checked(http: httpx.Client) -> None:
    r = http.get("/maps/organisations-tools", params={"size": "reach", "colour": "free",
                                                      "lang": "en"})
    assert r.status_code == 200
    assert "size=reach" in r.text and "colour=free" in r.text
    bad = http.get("/maps/organisations-tools", params={"size": "huge"})
    assert bad.status_code == 400 and bad.json()["parameter"] == "size"
