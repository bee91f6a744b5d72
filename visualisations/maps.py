"""The maps civicgraph publishes: their names and titles, and how each is built within the
node budget (project, then group or prune, then lay out).

>>> [spec.name for spec in GALLERY]
['organisations-tools', 'tool-co-usage', 'organisations', 'practices-tools']
"""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx
import numpy as np

from visualisations import aggregate
from visualisations.columns import columns, select_mask
from visualisations.filters import Filters
from visualisations.layout import positions
from visualisations.projection import (
    group_group,
    name_edge_facts,
    name_shared_tools,
    org_org,
    org_tool,
    practice_tool,
    tool_map,
    tool_tool,
)
from visualisations.table import UsageTable


@dataclass(frozen=True)
class MapSpec:
    """One map of the gallery."""

    name: str
    projection: str
    title: dict[str, str]
    description: dict[str, str]
    has_organisations: bool = True


GALLERY: tuple[MapSpec, ...] = (
    MapSpec("organisations-tools", "org-tool",
            {"fr": "Les collectifs et leurs outils", "en": "Organisations and their tools"},
            {"fr": "Chaque collectif relié aux logiciels qu'il utilise ; l'épaisseur d'un lien "
                   "compte les pratiques observées.",
             "en": "Each organisation linked to the software it uses; a link's width counts "
                   "the practices observed."}),
    MapSpec("tool-co-usage", "tool-tool",
            {"fr": "Les outils utilisés ensemble", "en": "Tools used together"},
            {"fr": "Deux logiciels sont reliés quand des collectifs utilisent les deux ; le "
                   "poids compte ces collectifs.",
             "en": "Two pieces of software are linked when organisations use both; the weight "
                   "counts those organisations."},
            has_organisations=False),
    MapSpec("organisations", "org-org",
            {"fr": "Les collectifs qui partagent des outils", "en": "Organisations sharing tools"},
            {"fr": "Deux collectifs sont reliés quand ils utilisent les mêmes logiciels ; le "
                   "poids ajoute outils et pratiques en commun.",
             "en": "Two organisations are linked when they use the same software; the weight "
                   "adds the tools and practices they share."}),
    MapSpec("practices-tools", "practice-tool",
            {"fr": "Pratiques et outils", "en": "Practices and tools"},
            {"fr": "Chaque pratique reliée aux logiciels employés pour elle ; le poids compte "
                   "les collectifs.",
             "en": "Each practice linked to the software used for it; the weight counts the "
                   "organisations."},
            has_organisations=False),
)
BY_NAME = {spec.name: spec for spec in GALLERY}

TOOL_SPEC = MapSpec(
    "tool", "tool",
    {"fr": "Carte d'un outil", "en": "Map of a tool"},
    {"fr": "Les collectifs qui utilisent cet outil, pour quelles pratiques, depuis quand, et "
           "les effets observés.",
     "en": "The organisations that use this tool, for which practices, since when, and the "
           "effects reported."},
)


@dataclass
class BuiltMap:
    """A projected graph ready to render: positions set, and what was reduced."""

    graph: nx.Graph
    reduction: aggregate.Reduction = field(default_factory=aggregate.Reduction)
    positions: dict[object, tuple[float, float]] = field(default_factory=dict)


def build(table: UsageTable, name: str, filters: Filters | None = None, *, budget: int = 1500,
          group_by: str | None = None, software: str | None = None,
          max_edges: int | None = None, seed: int = 7) -> BuiltMap:
    """The map ``name`` (a ``GALLERY`` name, or ``"tool"`` with ``software``) with at most
    ``budget`` nodes and ``max_edges`` edges (default 6 × budget)."""
    f = filters or Filters()
    reduction = aggregate.Reduction()
    spec = TOOL_SPEC if name == "tool" else BY_NAME[name]
    group_of = None
    if spec.has_organisations:
        cols = columns(table)
        idx = select_mask(table, f, software).index
        orgs = [cols.orgs[o] for o in np.unique(cols.org[idx])]
        others = _other_nodes(table, f, spec.projection, software)
        if len(orgs) + others > budget:
            key = aggregate.choose_key(table, f, group_by, orgs)
            if key is not None:
                group_of = aggregate.grouping(table, key)
                reduction.grouped_by = key
                reduction.organisations = len(orgs)
    if spec.projection == "org-tool":
        g = org_tool(table, f, group_of)
    elif spec.projection == "org-org":
        g = group_group(table, f, group_of) if group_of else org_org(table, f)
    elif spec.projection == "tool-tool":
        g = tool_tool(table, f)
    elif spec.projection == "practice-tool":
        g = practice_tool(table, f)
    else:
        if software is None:
            raise ValueError("the map of a tool needs its software")
        g = tool_map(table, software, f, group_of)
    aggregate.label_groups(g, table.label)
    keep = [g.graph["centre"]] if "centre" in g.graph else []
    reduction.dropped_nodes = aggregate.prune(g, budget, keep)
    reduction.dropped_edges = aggregate.cap_edges(g, max_edges or 6 * budget)
    if spec.projection == "org-org" and group_of is None:
        name_shared_tools(g, table, f)
    if spec.projection == "org-tool":
        name_edge_facts(g, table, f, group_of)
    return BuiltMap(g, reduction, positions(g, seed=seed))


def _other_nodes(table: UsageTable, f: Filters, projection: str, software: str | None) -> int:
    """An upper bound of the nodes that are not organisations."""
    if projection == "tool":
        return 1 + len(table.concepts_in("practice")) + len(table.concepts_in("effect"))
    if projection == "org-org":
        return 0
    cols = columns(table)
    return len(np.unique(cols.sw[select_mask(table, f).index]))


def build_neighbourhood(g: nx.Graph, *, budget: int = 1500, seed: int = 7) -> BuiltMap:
    """A neighbourhood graph (``neighbourhood.neighbourhood``) laid out for rendering."""
    reduction = aggregate.Reduction()
    reduction.dropped_nodes = aggregate.prune(g, budget, [g.graph.get("centre")])
    return BuiltMap(g, reduction, positions(g, seed=seed))


def tool_index(table: UsageTable, lang: str = "en") -> list[tuple[str, str, int]]:
    """``(software IRI, label, organisations using it)`` for every software, most used first."""
    cols = columns(table)
    n_sw = len(cols.software)
    pairs = np.unique(cols.org * n_sw + cols.sw)
    users = np.bincount(pairs % n_sw, minlength=n_sw) if n_sw else np.zeros(0, np.int64)
    return sorted(((sw, table.label(sw, lang), int(users[i]))
                   for i, sw in enumerate(cols.software)),
                  key=lambda t: (-t[2], t[1].lower(), t[0]))


#: filter parameter -> the scheme its choices come from
_SCHEMES = {"field": "field", "practice": "practice", "category": "tool-category",
            "kind": "org-kind", "status": "status"}


def filter_choices(table: UsageTable, lang: str = "en") -> dict[str, list[tuple[str, str]]]:
    """The values offered by each filter control: ``(slug or code, label)``; broader concepts
    first, narrower ones indented with a non-breaking prefix."""
    out: dict[str, list[tuple[str, str]]] = {}
    for parameter, scheme in _SCHEMES.items():
        concepts = table.concepts_in(scheme)
        ordered: list[tuple[str, str]] = []

        def walk(parent: str | None, depth: int, concepts: list[str] = concepts,
                 ordered: list[tuple[str, str]] = ordered) -> None:
            children = sorted((c for c in concepts
                               if next(iter(table.broader.get(c, ())), None) == parent),
                              key=lambda c: table.label(c, lang).lower())
            for child in children:
                slug = child.rsplit("/", 1)[-1]
                ordered.append((slug, "\u2003" * depth + table.label(child, lang)))
                walk(child, depth + 1)

        walk(None, 0)
        out[parameter] = ordered
    waves = columns(table).waves
    out["wave"] = [(w.rsplit("/", 1)[-1], table.label(w, lang)) for w in waves]
    out["dep"] = [(d, d) for d in sorted(set(table.org_departement.values()))]
    return out
