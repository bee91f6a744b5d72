"""Projections: the usage table and filters -> a networkx graph. Pure and deterministic.

Every node carries ``kind`` (``organisation``, ``software``, ``practice``, ``effect``,
``group``, or a resource kind for the neighbourhood), ``iri`` (``None`` for a group) and
labels; every edge carries ``weight``. Organisations may be replaced by groups (see
``aggregate.py``) through ``group_of``: the projection then counts the organisations of a
group instead of showing them. Labels are ``label_fr`` and ``label_en``.

>>> from visualisations.table import Usage, UsageTable
>>> t = UsageTable(usages=[Usage("u1", "o1", "s1", "s1", ("p1", "p2")),
...                        Usage("u2", "o2", "s1", "s1", ("p1",))])
>>> g = org_tool(t)
>>> g["o1"]["s1"]["weight"], g["o2"]["s1"]["weight"]
(2, 1)
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from itertools import combinations

import networkx as nx
import numpy as np

from graph.errors import InputError
from visualisations.attributes import attributes
from visualisations.columns import _EPOCH, Columns, IntArray, _day, columns, select_mask
from visualisations.filters import Filters
from visualisations.table import Usage, UsageTable

GroupOf = Callable[[str], str]

#: colouring attribute (``attributes.ATTRIBUTES``) -> the node attribute that holds it
COLOUR_ATTRIBUTES = {"field": "field", "kind": "org_kind", "free": "free",
                     "category": "category", "status": "status", "wave": "wave"}
#: the practices an edge's facts name at most
EDGE_PRACTICES = 6

#: the most organisation pairs ``org_org`` will count before refusing (aggregate instead)
MAX_PAIRS = 3_000_000


class TooLarge(InputError):
    """A projection would be too large to build; aggregate or filter first."""

    def __init__(self, what: str, size: int, limit: int) -> None:
        self.what, self.size, self.limit = what, size, limit
        super().__init__(f"{what}: {size:,} exceeds the limit of {limit:,}; filter or aggregate")


def select(table: UsageTable, filters: Filters | None = None, software: str | None = None
           ) -> Iterator[tuple[Usage, tuple[str, ...]]]:
    """The usages that pass ``filters`` (and use ``software`` when given), each with the
    practices that passed (all of them when no practice filter is set)."""
    chosen = select_mask(table, filters, software)
    practices = (table.narrower_closure(filters.practices)
                 if filters is not None and filters.practices else None)
    for i in chosen.index:
        usage = table.usages[int(i)]
        kept = usage.practices if practices is None else tuple(
            p for p in usage.practices if p in practices)
        yield usage, kept


def _group_index(table: UsageTable, cols: Columns, group_of: GroupOf | None
                 ) -> tuple[list[str], IntArray]:
    """The node of each organisation (itself, or its group) and its number."""
    if group_of is None:
        return cols.orgs, np.arange(len(cols.orgs), dtype=np.int64)
    if hasattr(group_of, "names") and hasattr(group_of, "codes"):  # aggregate.Grouping
        return list(group_of.names), group_of.codes
    names: dict[str, int] = {}
    index = np.fromiter((names.setdefault(group_of(o), len(names)) for o in cols.orgs),
                        np.int64, len(cols.orgs))
    return list(names), index


def _node(g: nx.Graph, table: UsageTable, node: str, kind: str) -> None:
    if node in g:
        return
    if kind == "group":
        g.add_node(node, kind="group", iri=None, label=node, count=0)
        return
    attrs: dict[str, object] = {"kind": kind, "iri": node,
                                "label_fr": table.label(node, "fr"),
                                "label_en": table.label(node, "en")}
    if kind in ("organisation", "software"):
        values = attributes(table)
        for attribute, name in COLOUR_ATTRIBUTES.items():
            attrs[name] = values.value(node, attribute)
        attrs["reach"] = values.reach.get(node, 0)
    if kind == "organisation":
        attrs["departement"] = table.org_departement.get(node)
        attrs["commune"] = table.org_commune.get(node)
        attrs["stored_community"] = table.communities.get(node)
    g.add_node(node, **attrs)


def _org_node(g: nx.Graph, table: UsageTable, org: str, group_of: GroupOf | None,
              members: dict[str, set[str]]) -> str:
    if group_of is None:
        _node(g, table, org, "organisation")
        return org
    group = group_of(org)
    _node(g, table, group, "group")
    members[group].add(org)
    return group


def _finish(g: nx.Graph, name: str, filters: Filters | None,
            members: dict[str, set[str]] | None = None) -> nx.Graph:
    for group, orgs in (members or {}).items():
        g.nodes[group]["count"] = len(orgs)
    f = filters or Filters()
    light = [(a, b) for a, b, w in g.edges(data="weight") if w < f.min_weight]
    g.remove_edges_from(light)
    if light or f.min_weight > 1:
        g.remove_nodes_from([n for n in list(g) if g.degree(n) == 0])
    g.graph["projection"] = name
    return g


def org_tool(table: UsageTable, filters: Filters | None = None,
             group_of: GroupOf | None = None) -> nx.Graph:
    """Organisations and the software they use. Edge ``weight``: the practice observations
    (each usage counts once per practice it records, at least once); ``usages``: the usage
    observations; ``practices``: the distinct practices."""
    cols = columns(table)
    chosen = select_mask(table, filters)
    idx = chosen.index
    nodes, node_of_org = _group_index(table, cols, group_of)
    n_sw = len(cols.software)
    keys = node_of_org[cols.org[idx]] * n_sw + cols.sw[idx]
    unique, inverse = np.unique(keys, return_inverse=True)
    weight = np.bincount(inverse, weights=np.maximum(1, chosen.practice_count[idx]),
                         minlength=len(unique))
    usages = np.bincount(inverse, minlength=len(unique))
    key_of_usage = np.full(cols.size, -1, dtype=np.int64)
    key_of_usage[idx] = inverse
    entries = np.flatnonzero(chosen.entry_mask)
    n_pr = max(1, len(cols.practices))
    pairs = np.unique(key_of_usage[cols.pr_owner[entries]] * n_pr + cols.pr_idx[entries])
    distinct = np.bincount(pairs // n_pr, minlength=len(unique))
    g = nx.Graph()
    members: dict[str, set[str]] = defaultdict(set)
    if group_of is not None:
        for o in np.unique(cols.org[idx]):
            members[nodes[node_of_org[o]]].add(cols.orgs[o])
    for k, w, u, d in zip(unique.tolist(), weight.tolist(), usages.tolist(), distinct.tolist(),
                          strict=True):
        a, sw = nodes[k // n_sw], cols.software[k % n_sw]
        _node(g, table, a, "group" if group_of is not None else "organisation")
        _node(g, table, sw, "software")
        g.add_edge(a, sw, weight=int(w) if float(w).is_integer() else w, usages=int(u),
                   practices=int(d))
    return _finish(g, "org-tool", filters, members)


def _usage_days(table: UsageTable) -> tuple[IntArray, IntArray]:
    """Each usage's start and end day (days since 1970, -1 if none), computed once."""
    cached = table.__dict__.get("_usage_days")
    if cached is None or len(cached[0]) != len(table.usages):
        cached = (np.fromiter((_day(u.start) for u in table.usages), np.int64,
                              len(table.usages)),
                  np.fromiter((_day(u.end) for u in table.usages), np.int64, len(table.usages)))
        table.__dict__["_usage_days"] = cached
    return cached


def name_edge_facts(g: nx.Graph, table: UsageTable, filters: Filters | None = None,
                    group_of: GroupOf | None = None) -> None:
    """Name what lies behind each organisation (or group)–software edge of ``g``, an
    ``org_tool`` graph: its most observed practices (``practice_iris``), the usages'
    ``statuses``, the earliest start (``since``) and the latest end (``until``). Run after
    pruning, on the edges shown (vectorised over the usages, a loop over the edges)."""
    cols = columns(table)
    chosen = select_mask(table, filters)
    idx = chosen.index
    nodes, node_of_org = _group_index(table, cols, group_of)
    n_sw = len(cols.software)
    position = {name: i for i, name in enumerate(nodes)}
    sw_position = {sw: i for i, sw in enumerate(cols.software)}
    edges: list[tuple[str, str]] = []
    keys: list[int] = []
    for a, b in g.edges():
        org, sw = (a, b) if b in sw_position else (b, a)
        if org in position and sw in sw_position:
            edges.append((org, sw))
            keys.append(position[org] * n_sw + sw_position[sw])
    if not edges:
        return
    edge_keys = np.asarray(keys, dtype=np.int64)
    order = np.argsort(edge_keys)
    ranked = edge_keys[order]
    usage_keys = node_of_org[cols.org[idx]] * n_sw + cols.sw[idx]
    at = np.minimum(np.searchsorted(ranked, usage_keys), len(ranked) - 1)
    edge_of = np.where(ranked[at] == usage_keys, order[at], -1)
    kept = edge_of >= 0
    edge_of_usage = np.full(cols.size, -1, dtype=np.int64)
    edge_of_usage[idx] = edge_of
    entries = np.flatnonzero(chosen.entry_mask)
    entry_edge = edge_of_usage[cols.pr_owner[entries]]
    shown = entry_edge >= 0
    _edge_facts(g, table, cols, idx[kept], edge_of[kept], edges, entry_edge[shown],
                cols.pr_idx[entries][shown])


def _edge_facts(g: nx.Graph, table: UsageTable, cols: Columns, idx: IntArray,
                edge_of_usage: IntArray, edges: list[tuple[str, str]], edge_of_entry: IntArray,
                practice_of_entry: IntArray) -> None:
    n = len(edges)
    practices: list[list[str]] = [[] for _ in range(n)]
    if edge_of_entry.size:
        n_pr = max(1, len(cols.practices))
        keys, counts = np.unique(edge_of_entry * n_pr + practice_of_entry, return_counts=True)
        order = np.lexsort((keys % n_pr, -counts, keys // n_pr))
        for key in keys[order].tolist():
            kept = practices[key // n_pr]
            if len(kept) < EDGE_PRACTICES:
                kept.append(cols.practices[key % n_pr])
    statuses: list[list[str]] = [[] for _ in range(n)]
    status = cols.status[idx]
    known = status >= 0
    n_st = max(1, len(cols.statuses))
    for key in np.unique(edge_of_usage[known] * n_st + status[known]).tolist():
        statuses[key // n_st].append(cols.statuses[key % n_st])
    start, end = _usage_days(table)
    first = np.full(n, np.iinfo(np.int64).max)
    last = np.full(n, -1)
    s, e = start[idx], end[idx]
    np.minimum.at(first, edge_of_usage[s >= 0], s[s >= 0])
    np.maximum.at(last, edge_of_usage[e >= 0], e[e >= 0])
    never = np.iinfo(np.int64).max
    for i, (a, b) in enumerate(edges):
        if not g.has_edge(a, b):
            continue
        data = g.edges[a, b]
        data["practice_iris"] = tuple(practices[i])
        data["statuses"] = tuple(sorted(statuses[i]))
        data["since"] = _date(int(first[i])) if first[i] != never else None
        data["until"] = _date(int(last[i])) if last[i] >= 0 else None


def _date(day: int) -> str:
    return (_EPOCH + dt.timedelta(days=day)).isoformat()


def _org_software_pairs(table: UsageTable, filters: Filters | None) -> IntArray:
    """The distinct (organisation, software) pairs that pass, as ``org * n_sw + sw``."""
    cols = columns(table)
    idx = select_mask(table, filters).index
    return np.unique(cols.org[idx] * len(cols.software) + cols.sw[idx])


def tool_tool(table: UsageTable, filters: Filters | None = None) -> nx.Graph:
    """Software linked when organisations use both. Edge ``weight``: how many organisations
    use both; node ``organisations``: how many use it. Tools never used with another are
    left out."""
    cols = columns(table)
    n_sw = len(cols.software)
    pairs = _org_software_pairs(table, filters)
    orgs, tools = pairs // n_sw, pairs % n_sw
    g = nx.Graph()
    if not len(pairs):
        return _finish(g, "tool-tool", filters)
    used = np.zeros((int(orgs.max()) + 1, n_sw), dtype=np.float32)
    used[orgs, tools] = 1.0
    both = (used.T @ used).astype(np.int64)  # software x software: organisations using both
    users = np.diag(both)
    for a, b in zip(*np.nonzero(np.triu(both, k=1)), strict=True):
        sa, sb = cols.software[a], cols.software[b]
        _node(g, table, sa, "software")
        _node(g, table, sb, "software")
        g.add_edge(sa, sb, weight=int(both[a, b]))
    for tool in g:
        g.nodes[tool]["organisations"] = int(users[cols.software.index(tool)])
    return _finish(g, "tool-tool", filters)


def org_org(table: UsageTable, filters: Filters | None = None,
            max_pairs: int = MAX_PAIRS) -> nx.Graph:
    """Organisations linked when they use the same software. Edge ``tools``: shared
    software; ``practices``: shared practices; ``weight``: their sum. Pairs are found through
    the shared software only (never all pairs); raises ``TooLarge`` past ``max_pairs``."""
    tools: dict[str, set[str]] = defaultdict(set)
    practices: dict[str, set[str]] = defaultdict(set)
    for usage, kept in select(table, filters):
        tools[usage.org].add(usage.software)
        practices[usage.org].update(kept)
    users: dict[str, list[str]] = defaultdict(list)
    for org in sorted(tools):
        for tool in tools[org]:
            users[tool].append(org)
    size = sum(len(o) * (len(o) - 1) // 2 for o in users.values())
    if size > max_pairs:
        raise TooLarge("organisation pairs", size, max_pairs)
    shared: Counter[tuple[str, str]] = Counter()
    for orgs in users.values():
        shared.update(combinations(orgs, 2))
    g = nx.Graph()
    for org in tools:
        _node(g, table, org, "organisation")
    for (a, b), count in shared.items():
        common = len(practices[a] & practices[b])
        g.add_edge(a, b, tools=count, practices=common, weight=count + common)
    return _finish(g, "org-org", filters)


def name_shared_tools(g: nx.Graph, table: UsageTable, filters: Filters | None = None,
                      most: int = EDGE_PRACTICES) -> None:
    """Give each organisation–organisation edge of ``g`` the software both use
    (``shared_tools``, at most ``most``, by IRI): run after pruning, on the edges shown."""
    tools: dict[str, set[str]] = defaultdict(set)
    for usage, _ in select(table, filters):
        tools[usage.org].add(usage.software)
    for a, b, data in g.edges(data=True):
        data["shared_tools"] = tuple(sorted(tools.get(a, set()) & tools.get(b, set()))[:most])


def group_group(table: UsageTable, filters: Filters | None, group_of: GroupOf) -> nx.Graph:
    """``org_org`` aggregated: groups of organisations linked by the pairs of their members
    that share software (``weight``: Σ over software of the users in each group)."""
    cols = columns(table)
    n_sw = len(cols.software)
    pairs = _org_software_pairs(table, filters)
    orgs, tools = pairs // n_sw, pairs % n_sw
    nodes, node_of_org = _group_index(table, cols, group_of)
    groups = node_of_org[orgs]
    counts = np.zeros((len(nodes), n_sw), dtype=np.float64)
    np.add.at(counts, (groups, tools), 1.0)
    between = counts @ counts.T
    g = nx.Graph()
    members: dict[str, set[str]] = defaultdict(set)
    for o in np.unique(orgs):
        members[nodes[node_of_org[o]]].add(cols.orgs[o])
    for group in members:
        _node(g, table, group, "group")
    for a, b in zip(*np.nonzero(np.triu(between, k=1)), strict=True):
        g.add_edge(nodes[a], nodes[b], weight=int(between[a, b]))
    return _finish(g, "org-org", filters, members)


def practice_tool(table: UsageTable, filters: Filters | None = None) -> nx.Graph:
    """Practices and the software used for them. Edge ``weight``: the organisations that
    use that software for that practice."""
    cols = columns(table)
    chosen = select_mask(table, filters)
    entries = np.flatnonzero(chosen.entry_mask)
    owners = cols.pr_owner[entries]
    n_sw, n_org = len(cols.software), len(cols.orgs)
    triples = np.unique((cols.pr_idx[entries] * n_sw + cols.sw[owners]) * n_org
                        + cols.org[owners])
    keys, counts = np.unique(triples // n_org, return_counts=True)
    g = nx.Graph()
    for key, count in sorted(zip(keys.tolist(), counts.tolist(), strict=True),
                             key=lambda kc: (cols.practices[kc[0] // n_sw],
                                             cols.software[kc[0] % n_sw])):
        practice, software = cols.practices[key // n_sw], cols.software[key % n_sw]
        _node(g, table, practice, "practice")
        _node(g, table, software, "software")
        g.add_edge(practice, software, weight=int(count))
    return _finish(g, "practice-tool", filters)


def tool_map(table: UsageTable, software: str, filters: Filters | None = None,
             group_of: GroupOf | None = None) -> nx.Graph:
    """How organisations use one software: the software, the practices it serves (edge
    ``weight``: organisations), the organisations (linked to each practice they use it for,
    or to the software when no practice is recorded; ``since``, ``statuses``, ``waves`` on the
    organisation) and the effects observed on those usages (organisation - effect edges,
    ``weight``: observations). Level-2/3 tools are rolled up to their software."""
    g = nx.Graph()
    members: dict[str, set[str]] = defaultdict(set)
    _node(g, table, software, "software")
    orgs_by_practice: dict[str, set[str]] = defaultdict(set)
    facts: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for usage, kept in select(table, filters, software):
        node = _org_node(g, table, usage.org, group_of, members)
        info = facts[node]
        if usage.start:
            info["since"].add(usage.start)
        if usage.status:
            info["statuses"].add(usage.status)
        info["waves"].update(usage.waves)
        for practice in kept:
            _node(g, table, practice, "practice")
            orgs_by_practice[practice].add(usage.org)
            _add_weight(g, node, practice, 1)
        if not kept:
            _add_weight(g, node, software, 1)
        for effect in usage.effects:
            _node(g, table, effect, "effect")
            _add_weight(g, node, effect, 1)
    for practice, orgs in orgs_by_practice.items():
        g.add_edge(software, practice, weight=len(orgs))
    for node, info in facts.items():
        g.nodes[node]["since"] = min(info["since"]) if info["since"] else None
        g.nodes[node]["statuses"] = sorted(info["statuses"])
        g.nodes[node]["waves"] = sorted(info["waves"])
    g.graph["centre"] = software
    return _finish(g, "tool", filters, members)


def _add_weight(g: nx.Graph, a: str, b: str, weight: float) -> None:
    if g.has_edge(a, b):
        g.edges[a, b]["weight"] += weight
    else:
        g.add_edge(a, b, weight=weight)


#: the projections of the whole table, by name
PROJECTIONS: dict[str, Callable[[UsageTable, Filters | None], nx.Graph]] = {
    "org-tool": org_tool,
    "tool-tool": tool_tool,
    "org-org": org_org,
    "practice-tool": practice_tool,
}
