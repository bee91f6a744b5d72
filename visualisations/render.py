"""Rendering a map: the only module that knows pyvis.

``build_view`` turns a built map into pyvis's node and edge lists — filled directly, never
through ``Network.from_nx``, which is quadratic — with colours, sizes, positions (physics
off), plain-text tooltips, links and a legend. ``render_html`` writes the standalone map
document (used by the embed view and the static export). Text from the data reaches the page
only as JSON inside a ``<script type="application/json">`` block (``<``, ``>``, ``&`` escaped)
or through autoescaped templates, and the browser code puts it in the page as text, so a
label such as ``<img src=x onerror=alert(1)>`` is shown, never run. Nothing is fetched from
another site: vis-network is pyvis's own copy, served by civicgraph.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyvis
from jinja2 import Environment, PackageLoader, select_autoescape
from pyvis.network import Network

from visualisations.attributes import FREE, PROPRIETARY
from visualisations.maps import BuiltMap
from visualisations.metrics import communities
from visualisations.naming import community_names, edge_caption
from visualisations.projection import COLOUR_ATTRIBUTES

LabelOf = Callable[[str, str], str]
LinkOf = Callable[[str], str | None]

#: colour-blind-safe first (Okabe-Ito), then more distinct hues; "other" is grey
PALETTE: tuple[str, ...] = (
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#7F3C8D",
    "#3969AC", "#11A579", "#E73F74", "#80BA5A", "#B68E00",
)
OTHER = "#9AA0A6"
#: colours and shapes of the nodes that are not organisations
KIND_STYLE: dict[str, tuple[str, str]] = {
    "organisation": ("#0072B2", "dot"),
    "group": ("#0072B2", "hexagon"),
    "software": ("#33415C", "square"),
    "practice": ("#B35806", "triangle"),
    "effect": ("#B2182B", "star"),
    "concept": ("#B35806", "triangle"),
    "event": ("#5E3C99", "diamond"),
    "resource": ("#6B7280", "diamond"),
}
COLOUR_BY = ("community", "field", "kind", "free", "category", "status", "wave")
#: what a node's size shows: its links (weighted degree), or its reach (a software's users,
#: an organisation's software, a group's organisations)
SIZE_BY = ("links", "reach")

MESSAGES: dict[str, dict[str, str]] = {
    "fr": {
        "organisation": "Collectif", "group": "Groupe de collectifs", "software": "Logiciel",
        "practice": "Pratique", "effect": "Effet", "concept": "Concept", "event": "Événement",
        "resource": "Ressource", "usage": "Usage", "effect-observation": "Effet observé",
        "community": "Communauté", "field": "Domaine", "kind": "Type", "other": "Autres",
        "weight": "poids", "organisations": "collectifs", "links": "liens",
        "since": "depuis", "status": "statut", "waves": "vagues", "category": "catégorie",
        "dep": "département", "open_group": "Cliquer pour ouvrir ce groupe",
        "grouped": "Cette carte regroupe {n} collectifs par {key} : cliquer sur un groupe "
                   "l'ouvre en carte détaillée.",
        "dropped_nodes": "Les {n} nœuds les moins reliés ne sont pas affichés.",
        "dropped_edges": "Les {n} liens les plus faibles ne sont pas affichés.",
        "truncated": "Une partie des liens n'est pas affichée.",
        "key_community": "communauté", "key_field": "domaine", "key_kind": "type",
        "key_dep": "département", FREE: "Libre (ou surtout des outils libres)",
        PROPRIETARY: "Propriétaire (ou surtout des outils propriétaires)",
        "betweenness": "intermédiarité (collectifs–outils)",
        "colour_free": "licence", "colour_category": "catégorie d'outil",
        "colour_status": "statut d'usage", "colour_wave": "vague", "colour_community":
        "communauté", "colour_field": "domaine", "colour_kind": "type",
    },
    "en": {
        "organisation": "Organisation", "group": "Group of organisations",
        "software": "Software", "practice": "Practice", "effect": "Effect",
        "concept": "Concept", "event": "Event", "resource": "Resource", "usage": "Usage",
        "effect-observation": "Effect observed",
        "community": "Community", "field": "Field", "kind": "Kind", "other": "Others",
        "weight": "weight", "organisations": "organisations", "links": "links",
        "since": "since", "status": "status", "waves": "waves", "category": "category",
        "dep": "département", "open_group": "Click to open this group",
        "grouped": "This map groups {n} organisations by {key}: click a group to open it "
                   "as a detailed map.",
        "dropped_nodes": "The {n} least connected nodes are not shown.",
        "dropped_edges": "The {n} lightest links are not shown.",
        "truncated": "Some links are not shown.",
        "key_community": "community", "key_field": "field", "key_kind": "kind",
        "key_dep": "département", FREE: "Free (or mostly free tools)",
        PROPRIETARY: "Proprietary (or mostly proprietary tools)",
        "betweenness": "betweenness (organisations–tools)",
        "colour_free": "licence", "colour_category": "tool category",
        "colour_status": "usage status", "colour_wave": "wave",
        "colour_community": "community", "colour_field": "field", "colour_kind": "kind",
    },
}


@dataclass
class MapView:
    """Everything the map document needs, data text unescaped (the template escapes it)."""

    title: str
    lang: str
    nodes: list[dict[str, Any]]
    edges: list[dict[str, Any]]
    options: dict[str, Any]
    legend: list[dict[str, str]] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    description: str = ""
    #: the graph's node of each pyvis node id (``keys[id]``), for exports
    keys: list[str] = field(default_factory=list)

    def payload(self) -> dict[str, Any]:
        """The JSON the browser code reads."""
        return {"nodes": self.nodes, "edges": self.edges, "options": self.options,
                "lang": self.lang}

    def drawing(self) -> dict[str, dict[str, Any]]:
        """What the map shows of each node, as GEXF ``viz`` attributes keyed by graph node:
        its colour, its size (scaled as the browser scales it) and its position (y up)."""
        if not self.nodes:
            return {}
        values = [float(n["value"]) for n in self.nodes]
        low, high = min(values), max(values)
        scaling = self.options.get("nodes", {}).get("scaling", {})
        smallest, biggest = float(scaling.get("min", 6)), float(scaling.get("max", 40))
        out: dict[str, dict[str, Any]] = {}
        for node in self.nodes:
            colour = str(node["color"]).lstrip("#")
            r, g, b = (int(colour[i:i + 2], 16) for i in (0, 2, 4))
            share = (float(node["value"]) - low) / (high - low) if high > low else 0.5
            out[self.keys[node["id"]]] = {
                "color": {"r": r, "g": g, "b": b, "a": 1.0},
                "size": round(smallest + share * (biggest - smallest), 2),
                "position": {"x": float(node["x"]), "y": -float(node["y"]), "z": 0.0}}
        return out

    def top_nodes(self, n: int | None = None) -> list[dict[str, Any]]:
        """The ``n`` biggest nodes (all by default), for the table alternative of the map."""
        ranked = sorted(self.nodes, key=lambda d: (-d["value"], d["name"]))
        return ranked if n is None else ranked[:n]


def asset_files() -> dict[str, Path]:
    """The files the map document loads, by the name it loads them under."""
    vis = Path(pyvis.__file__).parent / "lib" / "vis-9.1.2"
    own = Path(__file__).parent / "static"
    return {
        "vis-network.min.js": vis / "vis-network.min.js",
        "vis-network.css": vis / "vis-network.css",
        "civicmap.js": own / "civicmap.js",
        "civicmap.css": own / "civicmap.css",
        "favicon.svg": own / "favicon.svg",
    }


def _fmt(n: float, lang: str) -> str:
    text = f"{n:,.0f}" if float(n).is_integer() else f"{n:,.1f}"
    return text.replace(",", "\u202f") if lang == "fr" else text


def _colour_key(data: dict[str, Any], colour_by: str, community: int | None) -> str | None:
    if data["kind"] == "group":
        key = data.get("group_key")
        if (colour_by == "field" and key == "field") or (colour_by == "kind" and key == "kind"):
            return str(data.get("group_value"))
        if colour_by == "community":
            return None if community is None else str(community)
        return None
    if colour_by == "community":
        return None if community is None else str(community)
    if data["kind"] not in ("organisation", "software"):
        return None
    value = data.get(COLOUR_ATTRIBUTES[colour_by])
    return None if value is None else str(value)


def _size(data: dict[str, Any], strength: float, size_by: str) -> float:
    if size_by == "reach":
        reach = data.get("count") if data.get("kind") == "group" else data.get("reach")
        return float(reach or data.get("organisations") or 1)
    return round(float(strength), 2) or 1.0


def build_view(built: BuiltMap, *, title: str, lang: str = "en", colour_by: str = "community",
               label: LabelOf, link: LinkOf, expand: LinkOf | None = None,
               description: str = "", seed: int = 42, size_by: str = "links",
               betweenness: dict[Any, float] | None = None) -> MapView:
    """The pyvis node and edge lists of ``built``, and its legend and notices."""
    m = MESSAGES[lang if lang in MESSAGES else "en"]
    g = built.graph
    if colour_by not in COLOUR_BY:
        colour_by = "community"
    community = communities(g, seed) if colour_by == "community" else {}
    keys = {n: _colour_key(d, colour_by, community.get(n)) for n, d in g.nodes(data=True)}
    counts = Counter(k for k in keys.values() if k is not None)
    ranked = [k for k, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    colour = {k: PALETTE[i] for i, k in enumerate(ranked[:len(PALETTE)])}
    if colour_by == "community":  # named by what they share, the largest first
        named = community_names(g, {n: int(k) for n, k in keys.items() if k is not None},
                                label, lang)
        rank = {k: named[int(k)] for k in ranked}
        keys = {n: rank.get(k) if k is not None else None for n, k in keys.items()}
        colour = {rank[k]: c for k, c in colour.items()}
        ranked = [rank[k] for k in ranked]

    net = Network(directed=False, cdn_resources="remote")
    ids: dict[object, int] = {}
    strength = dict(g.degree(weight="weight"))
    for i, (node, data) in enumerate(sorted(g.nodes(data=True), key=lambda nd: str(nd[0]))):
        ids[node] = i
        kind = data.get("kind", "resource")
        base_colour, shape = KIND_STYLE.get(kind, KIND_STYLE["resource"])
        key = keys[node]
        fill = colour.get(key, OTHER) if key is not None else base_colour
        name = str(data.get(f"label_{lang}") or data.get("label_en") or node)
        x, y = built.positions.get(node, (0.0, 0.0))
        entry: dict[str, Any] = {
            "id": i, "label": name, "name": name, "shape": shape, "color": fill,
            "value": _size(data, strength.get(node, 0), size_by), "x": x, "y": y,
            "title": _tooltip(data, name, strength.get(node, 0), g.degree(node), m, label,
                              lang, colour_by, key, (betweenness or {}).get(node)),
            "kind": kind, "links": g.degree(node),
        }
        if key is not None:
            entry["legend"] = _legend_label(key, colour_by, label, lang, m) \
                if key in colour else m["other"]
        iri = data.get("iri")
        url = link(iri) if iri else None
        if url:
            entry["url"] = url
        if kind == "group" and expand is not None:
            target = expand(str(node))
            if target:
                entry["url"] = target
        if g.graph.get("centre") == node:
            entry["borderWidth"] = 4
        net.nodes.append(entry)
        net.node_ids.append(i)
        net.node_map[i] = entry
    projection = str(g.graph.get("projection", ""))
    for a, b, data in sorted(g.edges(data=True), key=lambda e: (ids[e[0]], ids[e[1]])):
        weight = float(data.get("weight", 1))
        ends = [net.node_map[ids[n]]["name"] for n in (a, b)]
        net.edges.append({"from": ids[a], "to": ids[b], "value": weight,
                          "title": edge_caption(data, projection, ends[0], ends[1], label,
                                                lang, lambda n: _fmt(n, lang))})
    net.options = _options()
    legend = [{"label": _legend_label(k, colour_by, label, lang, m), "colour": colour[k],
               "shape": "dot"} for k in ranked[:len(PALETTE)]]
    if len(ranked) > len(PALETTE):
        legend.append({"label": m["other"], "colour": OTHER, "shape": "dot"})
    kinds_present = sorted({str(d.get("kind", "resource")) for _, d in g.nodes(data=True)})
    for kind in kinds_present:
        fill, shape = KIND_STYLE.get(kind, KIND_STYLE["resource"])
        neutral = colour_by == "community" or kind in ("organisation", "group")
        legend.append({"label": m.get(kind, kind),
                       "colour": "#FFFFFF" if neutral and ranked else fill, "shape": shape})
    nodes, edges, _, _, _, _ = net.get_network_data()
    return MapView(title=title, lang=lang, nodes=nodes, edges=edges, options=net.options,
                   legend=legend, notices=_notices(built, m, lang), description=description,
                   keys=[str(n) for n in sorted(ids, key=ids.__getitem__)])


def _legend_label(key: str, colour_by: str, label: LabelOf, lang: str,
                  m: dict[str, str]) -> str:
    if colour_by == "community":
        return key
    if key == "none":
        return m["other"]
    if key in (FREE, PROPRIETARY):
        return m[key]
    return label(key, lang)


def _tooltip(data: dict[str, Any], name: str, strength: float, degree: int,
             m: dict[str, str], label: LabelOf, lang: str, colour_by: str,
             key: str | None, between: float | None = None) -> str:
    kind = data.get("kind", "resource")
    lines = [name, m.get(kind, kind)]
    if kind == "group":
        lines.append(f"{_fmt(data.get('count', 0), lang)} {m['organisations']}")
        lines.append(m["open_group"])
    if kind == "organisation":
        facts = []
        if data.get("field"):
            facts.append(f"{m['field']}: {label(data['field'], lang)}")
        if data.get("org_kind"):
            facts.append(f"{m['kind']}: {label(data['org_kind'], lang)}")
        if data.get("departement"):
            facts.append(f"{m['dep']} {data['departement']}")
        lines += facts
        if data.get("since"):
            lines.append(f"{m['since']} {data['since']}")
        if data.get("statuses"):
            lines.append(f"{m['status']}: " + ", ".join(label(s, lang) for s in data["statuses"]))
        if data.get("waves"):
            lines.append(f"{m['waves']}: " + ", ".join(label(w, lang) for w in data["waves"]))
    if kind == "software":
        if data.get("category"):
            lines.append(f"{m['category']}: {label(data['category'], lang)}")
        if data.get("free") in (FREE, PROPRIETARY):
            lines.append(m[data["free"]].split(" (")[0])
        if data.get("field"):
            lines.append(f"{m['field']}: {label(data['field'], lang)}")
    if data.get("organisations"):
        lines.append(f"{_fmt(data['organisations'], lang)} {m['organisations']}")
    if colour_by == "community" and key is not None:
        lines.append(f"{m['community']}: {key}")
    lines.append(f"{_fmt(degree, lang)} {m['links']} · {m['weight']} {_fmt(strength, lang)}")
    if between is not None:
        text = f"{between:.4f}".replace(".", ",") if lang == "fr" else f"{between:.4f}"
        lines.append(f"{m['betweenness']} {text}")
    return "\n".join(lines)


def _notices(built: BuiltMap, m: dict[str, str], lang: str) -> list[str]:
    r = built.reduction
    out = []
    if r.grouped_by:
        out.append(m["grouped"].format(n=_fmt(r.organisations, lang),
                                       key=m[f"key_{r.grouped_by}"]))
    if r.dropped_nodes:
        out.append(m["dropped_nodes"].format(n=_fmt(r.dropped_nodes, lang)))
    if r.dropped_edges:
        out.append(m["dropped_edges"].format(n=_fmt(r.dropped_edges, lang)))
    if built.graph.graph.get("truncated"):
        out.append(m["truncated"])
    return out


def _options() -> dict[str, Any]:
    return {
        "physics": {"enabled": False},
        "layout": {"improvedLayout": False},
        "interaction": {"hover": True, "tooltipDelay": 120, "hideEdgesOnDrag": True,
                        "keyboard": {"enabled": True, "bindToWindow": False}},
        "nodes": {"borderWidth": 1, "font": {"size": 14, "face": "system-ui, sans-serif",
                                             "strokeWidth": 3, "strokeColor": "#ffffff"},
                  "scaling": {"min": 6, "max": 40,
                              "label": {"enabled": True, "min": 11, "max": 22,
                                        "drawThreshold": 5, "maxVisible": 28}}},
        "edges": {"smooth": False, "color": {"color": "#8A94A6", "highlight": "#1B1F24",
                                             "hover": "#1B1F24", "opacity": 0.45},
                  "scaling": {"min": 1, "max": 8}},
    }


_ENV = Environment(loader=PackageLoader("visualisations", "templates"),
                   autoescape=select_autoescape(default=True, default_for_string=True),
                   trim_blocks=True, lstrip_blocks=True)


def render_html(view: MapView, *, assets: str, home: str | None = None,
                licence_url: str = "https://creativecommons.org/licenses/by/4.0/") -> str:
    """The standalone map document; ``assets`` is the URL prefix of ``asset_files()``."""
    m = MESSAGES[view.lang if view.lang in MESSAGES else "en"]
    return _ENV.get_template("map.html").render(
        view=view, payload=view.payload(), assets=assets.rstrip("/"), home=home,
        licence_url=licence_url, m=m, lang=view.lang)


def render_svg(view: MapView, *, width: int = 320, height: int = 200, max_edges: int = 3000
               ) -> str:
    """A small static picture of the map (the gallery's thumbnails): no text, no script."""
    from xml.sax.saxutils import quoteattr

    if not view.nodes:
        return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
                f'width="{width}" height="{height}"><rect width="100%" height="100%" '
                f'fill="#f6f8fa"/></svg>')
    xs = [n["x"] for n in view.nodes]
    ys = [n["y"] for n in view.nodes]
    span = max(max(xs) - min(xs), max(ys) - min(ys), 1.0)
    pad = 12
    k = min((width - 2 * pad) / span, (height - 2 * pad) / span)
    cx = (max(xs) + min(xs)) / 2
    cy = (max(ys) + min(ys)) / 2
    big = max(n["value"] for n in view.nodes) or 1.0

    def at(node: dict[str, Any]) -> tuple[float, float]:
        return (round(width / 2 + (node["x"] - cx) * k, 1),
                round(height / 2 + (node["y"] - cy) * k, 1))

    by_id = {n["id"]: n for n in view.nodes}
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
             f'width="{width}" height="{height}" role="img">',
             '<rect width="100%" height="100%" fill="#ffffff"/>',
             '<g stroke="#8a94a6" stroke-opacity="0.35" stroke-width="0.6">']
    heaviest = sorted(view.edges, key=lambda e: -e["value"])[:max_edges]
    for edge in heaviest:
        (x1, y1), (x2, y2) = at(by_id[edge["from"]]), at(by_id[edge["to"]])
        parts.append(f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}"/>')
    parts.append('</g><g stroke="#1b1f24" stroke-width="0.4">')
    for node in sorted(view.nodes, key=lambda n: n["value"]):
        x, y = at(node)
        r = round(1.5 + 6.5 * (node["value"] / big) ** 0.5, 1)
        parts.append(f'<circle cx="{x}" cy="{y}" r="{r}" fill={quoteattr(node["color"])}/>')
    parts.append("</g></svg>")
    return "".join(parts)
