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

from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from itertools import combinations

import networkx as nx

from graph.errors import InputError
from visualisations.filters import Filters
from visualisations.table import Usage, UsageTable

GroupOf = Callable[[str], str]

#: the most organisation pairs ``org_org`` will count before refusing (aggregate instead)
MAX_PAIRS = 3_000_000


class TooLarge(InputError):
    """A projection would be too large to build; aggregate or filter first."""

    def __init__(self, what: str, size: int, limit: int) -> None:
        self.what, self.size, self.limit = what, size, limit
        super().__init__(f"{what}: {size:,} exceeds the limit of {limit:,}; filter or aggregate")


def select(table: UsageTable, filters: Filters | None = None
           ) -> Iterator[tuple[Usage, tuple[str, ...]]]:
    """The usages that pass ``filters``, each with the practices that passed (all of them
    when no practice filter is set)."""
    f = filters or Filters()
    fields = table.narrower_closure(f.fields) if f.fields else None
    kinds = table.narrower_closure(f.kinds) if f.kinds else None
    categories = table.narrower_closure(f.categories) if f.categories else None
    practices = table.narrower_closure(f.practices) if f.practices else None
    waves = frozenset(f.waves) or None
    statuses = frozenset(f.statuses) or None
    deps = frozenset(f.departements) or None
    communities = frozenset(f.communities) or None
    since = f.since.isoformat() if f.since else None
    until = f.until.isoformat() if f.until else None
    for usage in table.usages:
        if fields is not None and fields.isdisjoint(table.org_fields.get(usage.org, ())):
            continue
        if kinds is not None and kinds.isdisjoint(table.org_kinds.get(usage.org, ())):
            continue
        if deps is not None and table.org_departement.get(usage.org) not in deps:
            continue
        if communities is not None and table.communities.get(usage.org) not in communities:
            continue
        if categories is not None and categories.isdisjoint(
                table.software_categories.get(usage.software, ())):
            continue
        if waves is not None and waves.isdisjoint(usage.waves):
            continue
        if statuses is not None and usage.status not in statuses:
            continue
        if since is not None and (usage.observed is None or usage.observed < since):
            continue
        if until is not None and (usage.observed is None or usage.observed > until):
            continue
        kept = usage.practices
        if practices is not None:
            kept = tuple(p for p in usage.practices if p in practices)
            if not kept:
                continue
        yield usage, kept


def _node(g: nx.Graph, table: UsageTable, node: str, kind: str) -> None:
    if node in g:
        return
    if kind == "group":
        g.add_node(node, kind="group", iri=None, label=node, count=0)
        return
    attrs: dict[str, object] = {"kind": kind, "iri": node,
                                "label_fr": table.label(node, "fr"),
                                "label_en": table.label(node, "en")}
    if kind == "organisation":
        fields = table.org_fields.get(node, ())
        kinds = table.org_kinds.get(node, ())
        attrs["field"] = table.top(fields[0]) if fields else None
        attrs["org_kind"] = table.top(kinds[0]) if kinds else None
        attrs["departement"] = table.org_departement.get(node)
        attrs["stored_community"] = table.communities.get(node)
    elif kind == "software":
        categories = table.software_categories.get(node, ())
        attrs["category"] = table.top(categories[0]) if categories else None
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
    g = nx.Graph()
    members: dict[str, set[str]] = defaultdict(set)
    practices: dict[tuple[str, str], set[str]] = defaultdict(set)
    for usage, kept in select(table, filters):
        a = _org_node(g, table, usage.org, group_of, members)
        _node(g, table, usage.software, "software")
        if g.has_edge(a, usage.software):
            data = g.edges[a, usage.software]
            data["weight"] += max(1, len(kept))
            data["usages"] += 1
        else:
            g.add_edge(a, usage.software, weight=max(1, len(kept)), usages=1)
        practices[a, usage.software].update(kept)
    for (a, b), found in practices.items():
        g.edges[a, b]["practices"] = len(found)
    return _finish(g, "org-tool", filters, members)


def _software_by_org(table: UsageTable, filters: Filters | None) -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for usage, _ in select(table, filters):
        found[usage.org].add(usage.software)
    return found


def tool_tool(table: UsageTable, filters: Filters | None = None) -> nx.Graph:
    """Software linked when organisations use both. Edge ``weight``: how many organisations
    use both; node ``organisations``: how many use it. Tools never used with another are
    left out."""
    g = nx.Graph()
    users: Counter[str] = Counter()
    pairs: Counter[tuple[str, str]] = Counter()
    for tools in _software_by_org(table, filters).values():
        users.update(tools)
        pairs.update(combinations(sorted(tools), 2))
    for (a, b), weight in pairs.items():
        _node(g, table, a, "software")
        _node(g, table, b, "software")
        g.add_edge(a, b, weight=weight)
    for tool in g:
        g.nodes[tool]["organisations"] = users[tool]
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


def group_group(table: UsageTable, filters: Filters | None, group_of: GroupOf) -> nx.Graph:
    """``org_org`` aggregated: groups of organisations linked by the pairs of their members
    that share software (``weight``: Σ over software of the users in each group)."""
    users: dict[str, Counter[str]] = defaultdict(Counter)
    members: dict[str, set[str]] = defaultdict(set)
    seen: set[tuple[str, str]] = set()
    for usage, _ in select(table, filters):
        if (usage.org, usage.software) in seen:
            continue
        seen.add((usage.org, usage.software))
        group = group_of(usage.org)
        members[group].add(usage.org)
        users[usage.software][group] += 1
    g = nx.Graph()
    for group in members:
        _node(g, table, group, "group")
    for counts in users.values():
        for a, b in combinations(sorted(counts), 2):
            weight = counts[a] * counts[b]
            if g.has_edge(a, b):
                g.edges[a, b]["weight"] += weight
            else:
                g.add_edge(a, b, weight=weight)
    return _finish(g, "org-org", filters, members)


def practice_tool(table: UsageTable, filters: Filters | None = None) -> nx.Graph:
    """Practices and the software used for them. Edge ``weight``: the organisations that
    use that software for that practice."""
    orgs: dict[tuple[str, str], set[str]] = defaultdict(set)
    for usage, kept in select(table, filters):
        for practice in kept:
            orgs[practice, usage.software].add(usage.org)
    g = nx.Graph()
    for (practice, software), found in sorted(orgs.items()):
        _node(g, table, practice, "practice")
        _node(g, table, software, "software")
        g.add_edge(practice, software, weight=len(found))
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
    for usage, kept in select(table, filters):
        if usage.software != software:
            continue
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
