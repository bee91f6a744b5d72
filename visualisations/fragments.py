"""What the usage table needs from one named graph (a *fragment*), read and kept per graph.

The usage table (``visualisations.table``) is joined in Python from single-predicate scans.
Each scan can be made graph by graph: a ``Fragment`` holds the scans of one graph, and the
table is assembled from the fragments of all the public graphs. An import replaces whole
named graphs, so after one only the graphs it wrote are read again (``FragmentCache``); at
10^6 triples the big graph of the generated data is then never re-read for a small import.

Which graphs changed is known from the meta graph (each graph's sha256, import time and size,
``graph_fingerprints``) and, for a store that counts its writes per graph
(``graph.engine.snapshots.VersionedStore.written``), from that log; a write whose graphs are not
known (a SPARQL update) makes every graph be read again.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources

import pyoxigraph as ox

from graph.namespaces import CG, DEFAULT_BASE, META_GRAPH, ORG, PROV, RDF, RDFS, SCHEMA, SKOS
from graph.store import Store

#: the named graph where ``write_metrics`` stores the metrics of a projection
METRICS_GRAPH_PREFIX = "graph/metrics/"

#: a commune's INSEE code (the geography map places organisations by it)
INSEE_CODE = "http://rdf.insee.fr/def/geo#codeINSEE"
#: the classes whose instances the table needs
TYPES = (CG + "ToolUsage", SCHEMA + "SoftwareApplication")
#: the properties the table reads, each in one scan per graph
PREDICATES = (
    CG + "organisation", CG + "tool", CG + "practice", CG + "status", CG + "observedOn",
    SCHEMA + "startDate", SCHEMA + "endDate", PROV + "wasGeneratedBy", CG + "wave",
    CG + "onUsage", CG + "onExperience", CG + "concernsUsage", CG + "effect",
    ORG + "purpose", ORG + "classification", SCHEMA + "location", CG + "departement",
    CG + "category", CG + "software", SKOS + "inScheme", SKOS + "broader",
    CG + "isFreeSoftware", INSEE_CODE,
)
#: the label properties, in order of preference
LABELS = (SKOS + "prefLabel", RDFS + "label")
_DESCRIBING = (PROV + "generatedAtTime", "http://rdfs.org/ns/void#triples", CG + "sha256")


def query_text(name: str) -> str:
    """The text of ``visualisations/queries/{name}.rq``."""
    return resources.files("visualisations").joinpath("queries", f"{name}.rq").read_text("utf-8")


@dataclass
class Pairs:
    """Subject and object values of one property, as two aligned lists (compact)."""

    subjects: list[str] = field(default_factory=list)
    objects: list[str] = field(default_factory=list)

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return zip(self.subjects, self.objects, strict=True)


@dataclass
class Fragment:
    """The scans of one graph: ``pairs`` per property (``rdf:type`` only for ``TYPES``),
    ``labels`` per label property as (subject, text, language) and, for the metrics graph,
    the stored communities."""

    graph: str
    pairs: dict[str, Pairs] = field(default_factory=dict)
    labels: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)
    communities: list[tuple[str, str]] = field(default_factory=list)

    def get(self, predicate: str) -> Pairs:
        return self.pairs.get(predicate) or Pairs()


def read_fragment(store: Store, graph: str, base: str = DEFAULT_BASE) -> Fragment:
    """The scans of ``graph`` (strings interned: the same IRI recurs in many scans)."""
    intern = sys.intern
    scan = query_text("usage_values")
    fragment = Fragment(graph)

    def rows(predicate: str) -> ox.QuerySolutions:
        result = store.query(scan, substitutions={"p": ox.NamedNode(predicate)},
                             default_graph=[graph])
        assert isinstance(result, ox.QuerySolutions)
        return result

    for predicate in PREDICATES:
        found = Pairs()
        for row in rows(predicate):
            found.subjects.append(intern(row[0].value))
            found.objects.append(intern(row[1].value))
        if found.subjects:
            fragment.pairs[predicate] = found
    types = Pairs()
    for cls in TYPES:
        result = store.query("SELECT ?s WHERE { ?s a ?c }", substitutions={"c": ox.NamedNode(cls)},
                             default_graph=[graph])
        assert isinstance(result, ox.QuerySolutions)
        for row in result:
            types.subjects.append(intern(row[0].value))
            types.objects.append(cls)
    if types.subjects:
        fragment.pairs[RDF + "type"] = types
    for predicate in LABELS:
        fragment.labels[predicate] = [
            (intern(row[0].value), row[1].value, row[1].language or "")
            for row in rows(predicate) if isinstance(row[1], ox.Literal)]
    if graph == f"{base}{METRICS_GRAPH_PREFIX}org-tool":
        result = store.query(query_text("communities"), default_graph=[graph])
        assert isinstance(result, ox.QuerySolutions)
        fragment.communities = [(row[0].value, row[1].value) for row in result]
    return fragment


def scan_queries() -> dict[str, str]:
    """Each query ``read_fragment`` runs, by name, with its predicate or class written in
    (for comparing each with the same query on the engine alone, ``bench/bench_freshness.py``)."""
    out = {f"scan {p.rsplit('/', 1)[-1].rsplit('#', 1)[-1]}":
           f"SELECT ?usage ?value WHERE {{ ?usage <{p}> ?value }}" for p in (*PREDICATES, *LABELS)}
    out |= {f"instances of {c.rsplit('/', 1)[-1].rsplit('#', 1)[-1]}":
            f"SELECT ?s WHERE {{ ?s a <{c}> }}" for c in TYPES}
    return out


def graph_fingerprints(store: Store) -> dict[str, str]:
    """Each graph the meta graph describes -> a digest of its import time, size and sha256:
    it changes whenever an import replaces the graph."""
    result = store.query(
        f"SELECT ?g ?p ?o WHERE {{ GRAPH <{META_GRAPH}> {{ ?g ?p ?o "
        f"FILTER(?p IN ({', '.join(f'<{p}>' for p in _DESCRIBING)})) }} }}",
        default_graph=[META_GRAPH])
    assert isinstance(result, ox.QuerySolutions)
    parts: dict[str, list[str]] = {}
    for row in result:
        parts.setdefault(row["g"].value, []).append(f"{row['p'].value} {row['o'].value}")
    return {g: hashlib.sha256("\n".join(sorted(p)).encode()).hexdigest()[:16]
            for g, p in parts.items()}


@dataclass(frozen=True)
class StoreState:
    """What tells the graphs of a store apart between two reads: their fingerprints and,
    for a store that logs its writes per graph, its write counter."""

    fingerprints: Mapping[str, str]
    version: int | None = None

    @classmethod
    def of(cls, store: Store) -> StoreState:
        """The state of ``store`` now (take it *before* reading the graphs)."""
        return cls(graph_fingerprints(store), store.version)

    def changed(self, store: Store, since: StoreState) -> set[str] | None:
        """The graphs written between ``since`` and this state; ``None``: unknown (a write
        whose graphs the store did not log), read everything again."""
        graphs = {g for g in {*self.fingerprints, *since.fingerprints}
                  if self.fingerprints.get(g) != since.fingerprints.get(g)}
        if self.version is None or self.version == since.version:
            return graphs
        written = store.written
        if since.version is None or written is None:
            return None
        logged = {g for g, v in dict(written).items() if since.version < v <= self.version}
        if "*" in logged:
            return None
        return graphs | logged


class FragmentCache:
    """The fragments of the last read, reused for the graphs that did not change since."""

    def __init__(self, store: Store, base: str = DEFAULT_BASE) -> None:
        self.store = store
        self.base = base
        self.state: StoreState | None = None
        self.fragments: dict[str, Fragment] = {}
        #: graphs read by the last ``read`` (for tests and logs)
        self.last_read: list[str] = []

    def read(self, graphs: Sequence[str], state: StoreState) -> list[Fragment]:
        """The fragments of ``graphs`` in ``state`` (taken before this call), in the order of
        ``graphs``; graphs without a description in the meta graph are always read again."""
        changed = None if self.state is None else state.changed(self.store, self.state)
        fresh: dict[str, Fragment] = {}
        self.last_read = []
        for graph in graphs:
            kept = self.fragments.get(graph)
            if (kept is None or changed is None or graph in changed
                    or graph not in state.fingerprints):
                kept = read_fragment(self.store, graph, self.base)
                self.last_read.append(graph)
            fresh[graph] = kept
        self.fragments, self.state = fresh, state
        return [fresh[g] for g in graphs]
