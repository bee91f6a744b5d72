"""The neighbourhood of one resource, for its linked-data page.

The resources one link away (either direction), and through the n-ary nodes (usage
observations, effect observations, memberships are not public) one link further, so that the
neighbourhood of an organisation shows the tools it uses rather than bare usage nodes.
"""

from __future__ import annotations

from collections.abc import Sequence

import networkx as nx
import pyoxigraph as ox

from graph.namespaces import CG, DEFAULT_BASE, ORG, SCHEMA, SKOS
from graph.privacy.access import public_graphs
from graph.store import Store
from visualisations.table import query_text

#: node kinds by rdf:type, most specific first
KINDS: tuple[tuple[str, str], ...] = (
    (CG + "ToolUsage", "usage"),
    (CG + "EffectObservation", "effect-observation"),
    (SCHEMA + "SoftwareApplication", "software"),
    (CG + "HostedInstance", "software"),
    (CG + "SharedSpace", "software"),
    (ORG + "Organization", "organisation"),
    (ORG + "FormalOrganization", "organisation"),
    (ORG + "OrganizationalCollaboration", "organisation"),
    (ORG + "OrganizationalUnit", "organisation"),
    (SKOS + "Concept", "concept"),
    (SCHEMA + "Event", "event"),
)
#: kinds of node that stand for a relation: the neighbourhood looks through them
NARY = frozenset({"usage", "effect-observation"})


def _links(store: Store, resource: str, graphs: Sequence[str]
           ) -> list[tuple[str, str, bool]]:
    result = store.query(query_text("neighbourhood"),
                         substitutions={"resource": ox.NamedNode(resource)},
                         default_graph=graphs)
    assert isinstance(result, ox.QuerySolutions)
    return [(row["p"].value, row["other"].value, row["out"].value == "true") for row in result]


def _describe(store: Store, nodes: Sequence[str], graphs: Sequence[str]
              ) -> dict[str, tuple[str, dict[str, str]]]:
    out: dict[str, tuple[str, dict[str, str]]] = {}
    text = query_text("describe_nodes")
    for start in range(0, len(nodes), 500):
        chunk = nodes[start:start + 500]
        values = " ".join(str(ox.NamedNode(n)) for n in chunk)
        result = store.query(text.replace("VALUES ?node { }", f"VALUES ?node {{ {values} }}"),
                             default_graph=graphs)
        assert isinstance(result, ox.QuerySolutions)
        types: dict[str, set[str]] = {n: set() for n in chunk}
        labels: dict[str, dict[str, str]] = {n: {} for n in chunk}
        for row in result:
            node = row["node"].value
            if row["type"] is not None:
                types[node].add(row["type"].value)
            label = row["label"]
            if isinstance(label, ox.Literal):
                labels[node].setdefault(label.language or "", label.value)
        for node in chunk:
            kind = next((k for t, k in KINDS if t in types[node]), "resource")
            out[node] = (kind, labels[node])
    return out


def neighbourhood(store: Store, resource: str, *, graphs: Sequence[str] | None = None,
                  limit: int = 1500, base: str = DEFAULT_BASE) -> nx.Graph:
    """The neighbourhood of ``resource`` as a graph of at most ``limit`` nodes; edges carry
    the ``predicate`` and a ``weight`` of 1; ``graph.graph["truncated"]`` says whether links
    were left out."""
    graphs = list(graphs) if graphs is not None else public_graphs(store)
    links = _links(store, resource, graphs)
    first = sorted({other for _, other, _ in links if other != resource})
    info = _describe(store, [resource, *first], graphs)
    g = nx.Graph(projection="neighbourhood", centre=resource, truncated=False)

    def add(node: str) -> bool:
        if node in g:
            return True
        if len(g) >= limit:
            g.graph["truncated"] = True
            return False
        kind, labels = info[node]
        g.add_node(node, kind=kind, iri=node, label_fr=_label(labels, node, "fr"),
                   label_en=_label(labels, node, "en"))
        return True

    add(resource)
    second: dict[str, list[tuple[str, str]]] = {}
    for predicate, other, _ in sorted(links):
        if other == resource:
            continue
        if info[other][0] in NARY and info[resource][0] not in NARY:
            second[other] = [(p, o) for p, o, out in _links(store, other, graphs)
                             if out and o != resource]
            continue
        if add(other):
            g.add_edge(resource, other, predicate=predicate, weight=1)
    beyond = sorted({o for pairs in second.values() for _, o in pairs} - set(info))
    info.update(_describe(store, beyond, graphs))
    for via, pairs in sorted(second.items()):
        for predicate, other in pairs:
            if predicate == CG + "status":  # every usage has one: noise
                continue
            if add(other):
                if g.has_edge(resource, other):
                    g.edges[resource, other]["weight"] += 1
                else:
                    g.add_edge(resource, other, predicate=predicate, via=via, weight=1)
    return g


def _label(labels: dict[str, str], iri: str, lang: str) -> str:
    for tag in (lang, "", "en", "fr"):
        if tag in labels:
            return labels[tag]
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
