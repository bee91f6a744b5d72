"""Network metrics, and writing them back to the store as data.

Degree and weighted degree, betweenness (sampled above ``k`` nodes), communities (Louvain,
seeded: the same graph and seed give the same communities, numbered by decreasing size), and
the bridging tools: software whose users spread over several communities, measured by the
participation coefficient ``1 - Σ_c (k_c / k)²`` (0: all its ties in one community).

``write_metrics`` stores them in the named graph ``{base}graph/metrics/{projection}`` with the
run's provenance (algorithm, parameters, date, source graphs), so researchers can query them
in SPARQL and re-run them after new data.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import pyoxigraph as ox

from graph.ingest import writing
from graph.ingest.provenance import Provenance
from graph.namespaces import CG, DEFAULT_BASE, PROV, RDF, RDFS, XSD
from graph.privacy.access import public_graphs
from graph.store import Store
from visualisations.projection import PROJECTIONS
from visualisations.table import METRICS_GRAPH_PREFIX, UsageTable, load_table

LICENCE = "https://creativecommons.org/licenses/by/4.0/"


@dataclass
class Metrics:
    """Per-node metrics of one graph, and how they were computed."""

    degree: dict[Any, int] = field(default_factory=dict)
    weighted_degree: dict[Any, float] = field(default_factory=dict)
    betweenness: dict[Any, float] = field(default_factory=dict)
    community: dict[Any, int] = field(default_factory=dict)
    participation: dict[Any, float] = field(default_factory=dict)
    bridging: list[Any] = field(default_factory=list)
    parameters: dict[str, Any] = field(default_factory=dict)


def communities(g: nx.Graph, seed: int = 42, resolution: float = 1.0) -> dict[Any, int]:
    """``{node: community number}`` by Louvain (weighted, seeded), numbered 0, 1, ... by
    decreasing size, ties by smallest node id; isolated nodes get their own community."""
    if len(g) == 0:
        return {}
    ordered = nx.Graph()  # the node order changes Louvain's result: fix it
    ordered.add_nodes_from(sorted(g, key=str))
    ordered.add_edges_from(sorted(((a, b, d) for a, b, d in g.edges(data=True)),
                                  key=lambda e: (str(e[0]), str(e[1]))))
    found = nx.community.louvain_communities(ordered, weight="weight", seed=seed,
                                             resolution=resolution)
    ranked = sorted(found, key=lambda c: (-len(c), min(str(n) for n in c)))
    return {node: number for number, members in enumerate(ranked) for node in members}


def betweenness(g: nx.Graph, k: int = 100, seed: int = 42) -> dict[Any, float]:
    """Normalised betweenness; exact up to ``k`` nodes, else estimated from ``k`` seeded
    sources (unweighted shortest paths)."""
    if len(g) == 0:
        return {}
    sample = k if len(g) > k else None
    return dict(nx.betweenness_centrality(g, k=sample, seed=seed if sample else None,
                                          normalized=True))


def participation(g: nx.Graph, community: dict[Any, int]) -> dict[Any, float]:
    """The participation coefficient of every node with edges (weighted)."""
    out: dict[Any, float] = {}
    for node in g:
        ties: Counter[int] = Counter()
        for neighbour, data in g[node].items():
            ties[community[neighbour]] += data.get("weight", 1)
        total = sum(ties.values())
        if total:
            out[node] = 1.0 - sum((v / total) ** 2 for v in ties.values())
    return out


def compute(g: nx.Graph, *, seed: int = 42, betweenness_k: int = 100,
            resolution: float = 1.0, bridging_kind: str = "software",
            bridging_threshold: float = 0.5) -> Metrics:
    """Every metric of ``g``. Bridging nodes: nodes of kind ``bridging_kind`` with ties in
    at least two communities and a participation coefficient ≥ ``bridging_threshold``,
    sorted by decreasing coefficient."""
    m = Metrics()
    m.degree = dict(g.degree())
    m.weighted_degree = {n: float(w) for n, w in g.degree(weight="weight")}
    m.betweenness = betweenness(g, betweenness_k, seed)
    m.community = communities(g, seed, resolution)
    m.participation = participation(g, m.community)
    m.bridging = sorted(
        (n for n, p in m.participation.items()
         if p >= bridging_threshold and g.nodes[n].get("kind", bridging_kind) == bridging_kind),
        key=lambda n: (-m.participation[n], str(n)),
    )
    m.parameters = {"seed": seed, "betweenness_k": betweenness_k,
                    "betweenness_sampled": len(g) > betweenness_k,
                    "louvain_resolution": resolution, "bridging_kind": bridging_kind,
                    "bridging_threshold": bridging_threshold,
                    "nodes": g.number_of_nodes(), "edges": g.number_of_edges()}
    return m


def metrics_graph(projection: str, base: str = DEFAULT_BASE) -> str:
    """The IRI of the named graph holding the metrics of ``projection``."""
    return f"{base}{METRICS_GRAPH_PREFIX}{projection}"


def metrics_triples(g: nx.Graph, m: Metrics, graph: str, sources: Sequence[str],
                    when: dt.datetime) -> list[ox.Triple]:
    """The RDF statements of ``m`` (nodes without an IRI are skipped)."""
    def lit(value: object, datatype: str) -> ox.Literal:
        return ox.Literal(str(value), datatype=ox.NamedNode(XSD + datatype))

    def p(name: str, ns: str = CG) -> ox.NamedNode:
        return ox.NamedNode(ns + name)

    out: list[ox.Triple] = []
    run = ox.NamedNode(graph + "#run")
    subject = ox.NamedNode(graph)
    out += [
        ox.Triple(subject, p("wasGeneratedBy", PROV), run),
        ox.Triple(run, p("type", RDF), p("Activity", PROV)),
        ox.Triple(run, p("label", RDFS), ox.Literal(f"civicgraph metrics ({graph})")),
        ox.Triple(run, p("endedAtTime", PROV), lit(when.isoformat(), "dateTime")),
        ox.Triple(run, p("algorithm"), ox.Literal(
            "networkx degree; betweenness_centrality (sampled); louvain_communities; "
            "participation coefficient")),
        ox.Triple(run, p("parameters"), ox.Literal(json.dumps(m.parameters, sort_keys=True))),
        ox.Triple(run, p("networkxVersion"), ox.Literal(nx.__version__)),
    ]
    out += [ox.Triple(run, p("used", PROV), ox.NamedNode(s)) for s in sources]
    sizes = Counter(m.community.values())
    for number, size in sizes.items():
        c = ox.NamedNode(f"{graph}#community-{number}")
        out += [ox.Triple(c, p("type", RDF), p("Community")),
                ox.Triple(c, p("communityNumber"), lit(number, "integer")),
                ox.Triple(c, p("size"), lit(size, "integer")),
                ox.Triple(c, p("label", RDFS), ox.Literal(f"Communauté {number}", language="fr")),
                ox.Triple(c, p("label", RDFS), ox.Literal(f"Community {number}", language="en"))]
    rank = {n: i + 1 for i, n in enumerate(m.bridging)}
    for node, data in g.nodes(data=True):
        iri = data.get("iri")
        if not iri:
            continue
        s = ox.NamedNode(iri)
        out += [ox.Triple(s, p("degree"), lit(m.degree[node], "integer")),
                ox.Triple(s, p("weightedDegree"), lit(m.weighted_degree[node], "decimal")),
                ox.Triple(s, p("community"),
                          ox.NamedNode(f"{graph}#community-{m.community[node]}"))]
        if node in m.betweenness:
            out.append(ox.Triple(s, p("betweenness"), lit(f"{m.betweenness[node]:.6f}", "decimal")))
        if node in m.participation:
            out.append(ox.Triple(s, p("participationCoefficient"),
                                 lit(f"{m.participation[node]:.6f}", "decimal")))
        if node in rank:
            out.append(ox.Triple(s, p("bridgingRank"), lit(rank[node], "integer")))
    return out


def write_metrics(store: Store, projection: str = "org-tool", *, table: UsageTable | None = None,
                  seed: int = 42, betweenness_k: int = 100, base: str = DEFAULT_BASE,
                  imported_by: str = "civicgraph metrics",
                  now: dt.datetime | None = None) -> tuple[str, Metrics]:
    """Compute the metrics of ``projection`` over the public data and replace the named graph
    ``metrics_graph(projection)`` with them and its description (public, CC BY 4.0)."""
    sources = [g for g in public_graphs(store) if METRICS_GRAPH_PREFIX not in g]
    table = table or load_table(store, sources, base=base)
    g = PROJECTIONS[projection](table, None)
    m = compute(g, seed=seed, betweenness_k=betweenness_k)
    when = now or dt.datetime.now(dt.UTC).replace(microsecond=0)
    graph = metrics_graph(projection, base)
    triples = metrics_triples(g, m, graph, sources, when)
    provenance = Provenance(
        source="civicgraph metrics", imported_by=imported_by, licence=LICENCE, moment=when,
        titles=(ox.Literal(f"Network metrics of the {projection} projection", language="en"),
                ox.Literal(f"Mesures de réseau de la projection {projection}", language="fr")))
    # the write path: shapes and privacy guard on the graph, then one transaction
    writing.replace(store, {graph: triples}, provenance, source=f"metrics of {projection}")
    return graph, m


def community_sizes(m: Metrics) -> dict[int, int]:
    """``{community: size}``."""
    sizes: dict[int, int] = defaultdict(int)
    for number in m.community.values():
        sizes[number] += 1
    return dict(sizes)


__all__ = ["Metrics", "communities", "compute", "write_metrics"]
