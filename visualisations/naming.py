"""Words for what a map shows: communities named by what characterises them, and the facts
behind an edge (its practices, statuses and dates) in the reader's language.

>>> import networkx as nx
>>> g = nx.Graph()
>>> g.add_node("o1", kind="organisation", field="health")
>>> g.add_node("s1", kind="software", label_en="Loomio")
>>> g.add_edge("o1", "s1", weight=3)
>>> community_names(g, {"o1": 0, "s1": 0}, lambda iri, lang: iri.title(), "en")
{0: 'Loomio'}
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Hashable
from typing import Any

import networkx as nx

LabelOf = Callable[[str, str], str]

#: the node kinds that name a community before organisations do (what is shared)
SHARED_KINDS = ("software", "practice", "effect", "concept")
#: how many shared nodes a community's name lists
NAMED = 2


def _name(data: dict[str, Any], node: object, lang: str) -> str:
    return str(data.get(f"label_{lang}") or data.get("label_en") or node)


def community_names(g: nx.Graph, community: dict[Any, int], label: LabelOf, lang: str
                    ) -> dict[int, str]:
    """Each community's name: its ``NAMED`` most connected tools (or practices), else the
    field (or kind) most of its organisations share, else its number. Names are unique."""
    members: dict[int, list[Hashable]] = defaultdict(list)
    for node, number in community.items():
        members[number].append(node)
    strength = dict(g.degree(weight="weight"))
    names: dict[int, str] = {}
    used: Counter[str] = Counter()
    for number in sorted(members):
        nodes = members[number]
        shared = sorted((n for n in nodes if g.nodes[n].get("kind") in SHARED_KINDS),
                        key=lambda n: (-strength.get(n, 0), str(n)))
        if shared:
            name = ", ".join(_name(g.nodes[n], n, lang) for n in shared[:NAMED])
        else:
            name = _common(g, nodes, label, lang) or (
                f"{'Communauté' if lang == 'fr' else 'Community'} {number + 1}")
        used[name] += 1
        names[number] = name if used[name] == 1 else f"{name} ({used[name]})"
    return names


def _common(g: nx.Graph, nodes: list[Hashable], label: LabelOf, lang: str) -> str | None:
    for attribute in ("field", "org_kind", "group_value"):
        values = Counter(str(g.nodes[n][attribute]) for n in nodes
                         if g.nodes[n].get(attribute) and g.nodes[n][attribute] != "none")
        if values:
            value, _ = sorted(values.items(), key=lambda kv: (-kv[1], kv[0]))[0]
            return value if attribute == "group_value" and "/" not in value \
                else label(value, lang)
    return None


#: what an edge's weight counts, by projection
WEIGHT_WORDS: dict[str, dict[str, str]] = {
    "fr": {"org-tool": "{w} observation(s) de pratique, {u} usage(s)",
           "tool-tool": "{w} collectif(s) utilisent les deux",
           "org-org": "{t} outil(s) et {p} pratique(s) en commun",
           "practice-tool": "{w} collectif(s)",
           "tool": "{w} observation(s)",
           "": "poids {w}"},
    "en": {"org-tool": "{w} practice observation(s), {u} usage(s)",
           "tool-tool": "{w} organisation(s) use both",
           "org-org": "{t} tool(s) and {p} practice(s) in common",
           "practice-tool": "{w} organisation(s)",
           "tool": "{w} observation(s)",
           "": "weight {w}"},
}


def edge_caption(data: dict[str, Any], projection: str, a: str, b: str, label: LabelOf,
                 lang: str, fmt: Callable[[float], str]) -> str:
    """The tooltip of an edge between nodes named ``a`` and ``b``: what its weight counts,
    then the practices, statuses and dates behind it when the projection keeps them."""
    fr = lang == "fr"
    words = WEIGHT_WORDS["fr" if fr else "en"]
    template = words.get(projection, words[""])
    lines = [f"{a} — {b}", template.format(
        w=fmt(float(data.get("weight", 1))), u=fmt(float(data.get("usages", 0))),
        t=fmt(float(data.get("tools", 0))), p=fmt(float(data.get("practices", 0))))]
    practices = data.get("practice_iris") or ()
    if practices:
        lines.append(("Pratiques : " if fr else "Practices: ")
                     + ", ".join(label(p, lang) for p in practices))
    shared = data.get("shared_tools") or ()
    if shared:
        lines.append(("Outils en commun : " if fr else "Tools in common: ")
                     + ", ".join(label(t, lang) for t in shared))
    statuses = data.get("statuses") or ()
    if statuses:
        lines.append(("Statut : " if fr else "Status: ")
                     + ", ".join(label(s, lang) for s in statuses))
    since, until = data.get("since"), data.get("until")
    if since and until:
        lines.append(f"{since} – {until}")
    elif since:
        lines.append(("depuis " if fr else "since ") + str(since))
    elif until:
        lines.append(("jusqu'au " if fr else "until ") + str(until))
    return "\n".join(lines)
