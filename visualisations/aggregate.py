"""Keeping a map under the node budget: organisations grouped (communities, fields, kinds or
départements as nodes, each expandable into a filtered map), then the least connected nodes
and the lightest edges left out. Every step is reported, so the map can say what it hides.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import networkx as nx
import numpy as np

from visualisations.columns import IntArray, columns
from visualisations.filters import Filters
from visualisations.projection import GroupOf
from visualisations.table import UsageTable

#: the ways to group organisations, in the order they are tried
GROUP_KEYS: tuple[str, ...] = ("community", "field", "kind", "dep")
#: the URL parameter that expands a group of each key
GROUP_PARAMETER = {"community": "community", "field": "field", "kind": "kind", "dep": "dep"}
NONE = "none"

LabelOf = Callable[[str, str], str]  # (iri, lang) -> label


@dataclass
class Reduction:
    """What was done to fit a map in the budget."""

    grouped_by: str | None = None          # a GROUP_KEYS entry
    organisations: int = 0                 # organisations represented by groups
    dropped_nodes: int = 0
    dropped_edges: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def reduced(self) -> bool:
        return bool(self.grouped_by or self.dropped_nodes or self.dropped_edges)


def group_value(table: UsageTable, org: str, key: str) -> str:
    """The group of ``org`` under ``key`` (an IRI, a number, a code, or ``none``)."""
    if key == "community":
        return table.communities.get(org, NONE)
    if key == "field":
        values = table.org_fields.get(org, ())
        return table.top(values[0]) if values else NONE
    if key == "kind":
        values = table.org_kinds.get(org, ())
        return table.top(values[0]) if values else NONE
    if key == "dep":
        return table.org_departement.get(org, NONE)
    raise ValueError(f"unknown group key {key!r}")


def group_id(key: str, value: str) -> str:
    return f"group:{key}:{value}"


def parse_group(node: str) -> tuple[str, str]:
    """``(key, value)`` of a group node id."""
    _, key, value = node.split(":", 2)
    return key, value


def group_codes(table: UsageTable, key: str) -> tuple[list[str], IntArray]:
    """The group node ids under ``key`` and, for each organisation of ``columns(table)``, the
    number of its group (computed once per table and key)."""
    cache: dict[str, tuple[list[str], IntArray]] = table.__dict__.setdefault("_group_codes", {})
    if key not in cache:
        cols = columns(table)
        names: dict[str, int] = {}
        codes = np.fromiter(
            (names.setdefault(group_id(key, group_value(table, o, key)), len(names))
             for o in cols.orgs), np.int64, len(cols.orgs))
        cache[key] = (list(names), codes)
    return cache[key]


class Grouping:
    """Maps an organisation to its group node under ``key`` (a ``GroupOf``)."""

    def __init__(self, table: UsageTable, key: str) -> None:
        self.key = key
        self.names, self.codes = group_codes(table, key)
        self.position = {o: i for i, o in enumerate(columns(table).orgs)}

    def __call__(self, org: str) -> str:
        return self.names[int(self.codes[self.position[org]])]


def grouping(table: UsageTable, key: str) -> GroupOf:
    """A function mapping an organisation to its group node under ``key``."""
    return Grouping(table, key)


def choose_key(table: UsageTable, filters: Filters, preferred: str | None,
               orgs: Iterable[str]) -> str | None:
    """The first usable way to group ``orgs``: ``preferred`` first, then ``GROUP_KEYS``;
    a key is usable when it splits them into at least two groups."""
    cols = columns(table)
    position = {o: i for i, o in enumerate(cols.orgs)}
    index = np.fromiter((position[o] for o in orgs), np.int64)
    order = [preferred] if preferred in GROUP_KEYS else []
    order += [k for k in GROUP_KEYS if k not in order]
    for key in order:
        if key == "community" and not table.communities:
            continue
        _, codes = group_codes(table, key)
        if len(np.unique(codes[index])) >= 2:
            return key
    return None


def expand_filters(filters: Filters, node: str) -> Filters:
    """The filters that open group ``node`` as its own map."""
    key, value = parse_group(node)
    attribute = {"community": "communities", "field": "fields", "kind": "kinds",
                 "dep": "departements"}[key]
    return filters.with_(**{attribute: (value,)})


def prune(g: nx.Graph, budget: int, keep: Iterable[str] = ()) -> int:
    """Remove the nodes of lowest weighted degree until ``g`` has ``budget`` nodes (never
    those in ``keep``); returns how many were removed. Ties broken by node id."""
    if len(g) <= budget:
        return 0
    keep = set(keep)
    strength = dict(g.degree(weight="weight"))
    ranked = sorted(g, key=lambda n: (n not in keep, -strength[n], str(n)))
    dropped = ranked[budget:]
    g.remove_nodes_from(dropped)
    return len(dropped)


def cap_edges(g: nx.Graph, limit: int) -> int:
    """Keep the ``limit`` heaviest edges; returns how many were removed."""
    if g.number_of_edges() <= limit:
        return 0
    ranked = sorted(g.edges(data="weight"), key=lambda e: (-e[2], str(e[0]), str(e[1])))
    g.remove_edges_from((a, b) for a, b, _ in ranked[limit:])
    return len(ranked) - limit


def label_groups(g: nx.Graph, label: LabelOf) -> None:
    """Give the group nodes of ``g`` their labels in French and English."""
    for node, data in g.nodes(data=True):
        if data.get("kind") != "group":
            continue
        key, value = parse_group(node)
        data["group_key"], data["group_value"] = key, value
        for lang in ("fr", "en"):
            data[f"label_{lang}"] = group_label(key, value, lang, label)


def group_label(key: str, value: str, lang: str, label: LabelOf) -> str:
    """``Health``, ``Community 3``, ``Département 93``, or ``Not classified``."""
    if value == NONE:
        return "Non classés" if lang == "fr" else "Not classified"
    if key == "community":
        return f"Communauté {value}" if lang == "fr" else f"Community {value}"
    if key == "dep":
        return f"Département {value}"
    return label(value, lang)
