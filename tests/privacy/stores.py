"""Stores for the contribution and privacy tests: empty, or holding the example dataset.

``memory_store`` is the real in-memory backend once it exists (``open_store("memory")``);
until then, a plain pyoxigraph store behind the ``Store`` interface.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import BinaryIO

import pyoxigraph as ox

from graph.contributions.importing import metadata
from graph.example import EXAMPLE_GRAPHS, example_path
from graph.namespaces import ID, META_GRAPH, STAGING_PREFIX, VOCABULARY_GRAPH
from graph.privacy import refresh_public_view
from graph.store import QueryResult, Store, Term, open_store
from graph.vocabulary import vocabulary_triples

MOMENT = dt.datetime(2026, 11, 29, 10, 0, tzinfo=dt.UTC)


class FallbackStore(Store):
    """pyoxigraph in memory behind the ``Store`` interface."""

    kind = "memory"

    def __init__(self) -> None:
        self.ox = ox.Store()

    def query(self, sparql: str, *, substitutions: Mapping[str, Term] | None = None,
              default_graph: Sequence[str] | None = None,
              named_graphs: Sequence[str] | None = None) -> QueryResult:
        options: dict[str, object] = {}
        if default_graph is None:
            options["use_default_graph_as_union"] = True
        else:
            options["default_graph"] = [ox.NamedNode(g) for g in default_graph]
        if named_graphs is not None:
            options["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        if substitutions:
            options["substitutions"] = {ox.Variable(k): v for k, v in substitutions.items()}
        return self.ox.query(sparql, **options)  # type: ignore[arg-type]

    def update(self, sparql: str) -> None:
        self.ox.update(sparql)

    def replace_graph(self, graph: str, triples: Iterable[ox.Triple | ox.Quad],
                      *, metadata: Iterable[ox.Triple] = ()) -> None:
        name, meta = ox.NamedNode(graph), ox.NamedNode(META_GRAPH)
        new = [ox.Quad(t.subject, t.predicate, t.object, name) for t in triples]
        described = [ox.Quad(t.subject, t.predicate, t.object, meta) for t in metadata]
        if self.ox.contains_named_graph(name):
            self.ox.remove_graph(name)
        self.ox.update(f"DELETE WHERE {{ GRAPH <{META_GRAPH}> {{ <{graph}> ?p ?o }} }}")
        self.ox.extend(new + described)

    def drop_graph(self, graph: str) -> None:
        name = ox.NamedNode(graph)
        if self.ox.contains_named_graph(name):
            self.ox.remove_graph(name)
        self.ox.update(f"DELETE WHERE {{ GRAPH <{META_GRAPH}> {{ <{graph}> ?p ?o }} }}")

    def graphs(self) -> list[str]:
        return sorted(
            g.value for g in self.ox.named_graphs()
            if isinstance(g, ox.NamedNode) and not g.value.startswith(STAGING_PREFIX)
            and next(iter(self.ox.quads_for_pattern(None, None, None, g)), None) is not None)

    def count(self, graph: str | None = None) -> int:
        if graph is None:
            return len(self.ox)
        return sum(1 for _ in self.ox.quads_for_pattern(None, None, None, ox.NamedNode(graph)))

    def dump(self, out: BinaryIO, format: ox.RdfFormat,
             graphs: Sequence[str] | None = None) -> None:
        wanted = self.graphs() if graphs is None else graphs
        ox.serialize((q for g in wanted
                      for q in self.ox.quads_for_pattern(None, None, None, ox.NamedNode(g))),
                     out, format)


def memory_store() -> Store:
    """An empty in-memory store."""
    try:
        return open_store("memory")
    except NotImplementedError:
        return FallbackStore()


def quads(store: Store) -> set[tuple[str, str, str, str]]:
    """Every quad of ``store`` as strings (blank nodes excepted), to compare states."""
    result = store.query("SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert isinstance(result, ox.QuerySolutions)
    return {(str(r["g"]), str(r["s"]), str(r["p"]), str(r["o"])) for r in result
            if not isinstance(r["s"], ox.BlankNode) and not isinstance(r["o"], ox.BlankNode)}


def load_example(store: Store, *, threshold: int = 5) -> Store:
    """The example dataset and the vocabulary in ``store``, then the public view of persons."""
    vocabulary = vocabulary_triples()
    store.replace_graph(VOCABULARY_GRAPH, vocabulary, metadata=metadata(
        VOCABULARY_GRAPH, title="vocabulary", source="ontology/", licence=None,
        imported_by="tests", access="Public", triples=len(vocabulary), sha256="-",
        moment=MOMENT))
    for graph in EXAMPLE_GRAPHS:
        triples = [q.triple for q in ox.parse(example_path(graph).read_bytes(),
                                              ox.RdfFormat.TURTLE, base_iri=ID)]
        store.replace_graph(graph.iri, triples, metadata=metadata(
            graph.iri, title=graph.title, source=graph.source, licence=graph.licence,
            imported_by="tests", access="Public" if graph.public else "Restricted",
            triples=len(triples), sha256="-", moment=MOMENT))
    refresh_public_view(store, threshold=threshold, now=MOMENT)
    return store
