"""The map document: pyvis lists, escaping, no external resource, legend and notices."""

from __future__ import annotations

import json
import re

from tests.support.graphs import XSS
from visualisations.filters import Filters
from visualisations.maps import build
from visualisations.render import asset_files, build_view, render_html, render_svg
from visualisations.table import UsageTable


def view_of(table: UsageTable, name: str = "organisations-tools", **options: object):  # type: ignore[no-untyped-def]
    built = build(table, name, Filters(), budget=int(options.pop("budget", 1500)))  # type: ignore[call-overload]
    return build_view(built, title="T <b>", label=table.label,
                      link=lambda i: "/id/" + i.split("/id/", 1)[1], **options)  # type: ignore[arg-type]


def test_nodes_and_edges_carry_what_the_browser_needs(tiny_table: UsageTable) -> None:
    view = view_of(tiny_table)
    assert len(view.nodes) == 7 and len(view.edges) == 7
    by_name = {n["name"]: n for n in view.nodes}
    assert by_name["Mailman"]["shape"] == "square" and by_name["Mailman"]["url"] == (
        "/id/software/mailman")
    assert by_name["Mailman"]["value"] == 4.0  # weighted degree: 2 + 1 + 1
    assert all({"x", "y", "color", "title", "id"} <= set(n) for n in view.nodes)
    assert view.options["physics"]["enabled"] is False
    assert "Mailman" in by_name["Mailman"]["title"]


def test_labels_follow_the_language(tiny_table: UsageTable) -> None:
    fr = {n["name"] for n in view_of(tiny_table, lang="fr").nodes}
    en = {n["name"] for n in view_of(tiny_table, lang="en").nodes}
    assert "Collectif A" in fr and "Collective A" in en


def test_html_escapes_data_and_loads_nothing_external(tiny_table: UsageTable) -> None:
    html = render_html(view_of(tiny_table), assets="/maps/assets")
    assert XSS not in html and "<img src=x" not in html
    assert "T &lt;b&gt;" in html
    data = json.loads(re.search(r'id="cg-map-data">(.*?)</script>', html, re.S).group(1))  # type: ignore[union-attr]
    assert XSS in {n["label"] for n in data["nodes"]}
    assert not re.findall(r'(?:src|href)="(?:https?:)?//', html.replace(
        'href="https://creativecommons.org/licenses/by/4.0/"', ""))
    for name in asset_files():
        assert f"/maps/assets/{name}" in html


def test_legend_by_field_and_by_community(tiny_table: UsageTable) -> None:
    by_field = view_of(tiny_table, colour_by="field")
    labels = [item["label"] for item in by_field.legend]
    assert {"Health", "Urban question", "Organisation", "Software"} <= set(labels)
    colours = {n["name"]: n["color"] for n in by_field.nodes}
    assert colours["Collective A"] == colours["Association C"] != colours["Syndicat B"]
    by_community = view_of(tiny_table)
    names = [item["label"] for item in by_community.legend[:2]]
    assert not any(n.startswith("Community") for n in names)
    assert "Mailman" in names[0]  # named by its most connected tool


def test_colouring_by_field_tells_tools_apart(tiny_table: UsageTable) -> None:
    colours = {n["name"]: n["color"] for n in view_of(tiny_table, colour_by="field").nodes}
    # Loomio's users (B, D) work on housing: an urban question; Etherpad's (A, C) on health
    assert colours["Loomio"] == colours["Syndicat B"] != colours["Etherpad"]
    assert colours["Etherpad"] == colours["Collective A"]


def test_edge_tooltips_name_practices_statuses_and_dates(tiny_table: UsageTable) -> None:
    view = view_of(tiny_table, lang="en")
    names = {n["id"]: n["name"] for n in view.nodes}
    titles = {frozenset((names[e["from"]], names[e["to"]])): e["title"] for e in view.edges}
    title = titles[frozenset(("Collective A", "Mailman"))]
    assert "Practices:" in title and "since 2020-01-01" in title and "Status:" in title
    assert "weight" not in title


def test_keys_give_the_graph_node_of_each_id(tiny_table: UsageTable) -> None:
    view = view_of(tiny_table)
    assert len(view.keys) == len(view.nodes)
    assert view.keys[next(n["id"] for n in view.nodes if n["name"] == "Mailman")].endswith(
        "/software/mailman")


def test_reduction_is_announced(example_table: UsageTable) -> None:
    view = view_of(example_table, budget=10)
    assert len(view.nodes) <= 10
    assert any("This map groups" in n for n in view.notices)
    assert any(n["kind"] == "group" for n in view.nodes)


def test_thumbnail_is_plain_svg(tiny_table: UsageTable) -> None:
    svg = render_svg(view_of(tiny_table))
    assert svg.startswith("<svg") and svg.count("<circle") == 7 and svg.count("<line") == 7
    assert "<script" not in svg and XSS not in svg


def test_render_never_uses_from_nx() -> None:
    import inspect

    from visualisations import render

    assert "from_nx" not in inspect.getsource(render).replace("``Network.from_nx``", "")


def test_size_by_reach_counts_users_and_tools(tiny_table: UsageTable) -> None:
    by_name = {n["name"]: n for n in view_of(tiny_table, size_by="reach").nodes}
    assert by_name["Mailman"]["value"] == 3.0      # used by A, B and C
    assert by_name["Syndicat B"]["value"] == 2.0   # uses Mailman and Loomio
    assert view_of(tiny_table).nodes != view_of(tiny_table, size_by="reach").nodes


def test_organisation_links_name_the_tools_in_common(tiny_table: UsageTable) -> None:
    view = view_of(tiny_table, "organisations", lang="en")
    names = {n["id"]: n["name"] for n in view.nodes}
    titles = {frozenset((names[e["from"]], names[e["to"]])): e["title"] for e in view.edges}
    assert "Tools in common: Mailman" in titles[frozenset(("Collective A", "Syndicat B"))]


def test_grouped_maps_keep_the_facts_behind_their_links(example_table: UsageTable) -> None:
    view = view_of(example_table, budget=10, lang="en")
    assert any(n["kind"] == "group" for n in view.nodes)
    assert any("Practices:" in e["title"] and "Status:" in e["title"] for e in view.edges)
