"""Stores for the API tests: the example dataset with its public and restricted graphs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import BinaryIO

import pyoxigraph as ox

from graph.example import EXAMPLE_GRAPHS, example_path
from graph.namespaces import CG, DCTERMS, META_GRAPH, RDF, STAGING_PREFIX, VOCABULARY_GRAPH, VOID
from graph.sparql import syntax_error
from graph.store import QueryResult, Store, Term
from graph.vocabulary import vocabulary_triples


class PyoxigraphTestStore(Store):
    """A plain pyoxigraph store behind the ``Store`` interface (until the backends land)."""

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
        try:
            return self.ox.query(sparql, **options)  # type: ignore[arg-type]
        except SyntaxError as error:
            raise syntax_error(error) from None

    def update(self, sparql: str) -> None:
        try:
            self.ox.update(sparql)
        except SyntaxError as error:
            raise syntax_error(error) from None

    def replace_graph(self, graph: str, triples: Iterable[ox.Triple | ox.Quad],
                      *, metadata: Iterable[ox.Triple] = ()) -> None:
        name = ox.NamedNode(graph)
        self.ox.remove_graph(name) if self.ox.contains_named_graph(name) else None
        for t in triples:
            self.ox.add(ox.Quad(t.subject, t.predicate, t.object, name))
        meta = ox.NamedNode(META_GRAPH)
        for t in metadata:
            self.ox.add(ox.Quad(t.subject, t.predicate, t.object, meta))

    def drop_graph(self, graph: str) -> None:
        name = ox.NamedNode(graph)
        if self.ox.contains_named_graph(name):
            self.ox.remove_graph(name)
        self.ox.update(f"DELETE WHERE {{ GRAPH <{META_GRAPH}> {{ <{graph}> ?p ?o }} }}")

    def graphs(self) -> list[str]:
        return sorted(
            g.value for g in self.ox.named_graphs()
            if isinstance(g, ox.NamedNode) and not g.value.startswith(STAGING_PREFIX)
            and next(iter(self.ox.quads_for_pattern(None, None, None, g)), None) is not None
        )

    def count(self, graph: str | None = None) -> int:
        if graph is None:
            return len(self.ox)
        return sum(1 for _ in self.ox.quads_for_pattern(None, None, None, ox.NamedNode(graph)))

    def dump(self, out: BinaryIO, format: ox.RdfFormat,
             graphs: Sequence[str] | None = None) -> None:
        wanted = self.graphs() if graphs is None else graphs
        ox.serialize((q for g in wanted
                      for q in self.ox.quads_for_pattern(None, None, None, ox.NamedNode(g))),
                     out, format=format)


def _describe(graph: str, title: str, access: str, triples: int) -> list[ox.Triple]:
    node = ox.NamedNode(graph)
    return [
        ox.Triple(node, ox.NamedNode(RDF + "type"), ox.NamedNode(VOID + "Dataset")),
        ox.Triple(node, ox.NamedNode(DCTERMS + "title"), ox.Literal(title)),
        ox.Triple(node, ox.NamedNode(CG + "access"), ox.NamedNode(access)),
        ox.Triple(node, ox.NamedNode(VOID + "triples"),
                  ox.Literal(str(triples), datatype=ox.NamedNode(
                      "http://www.w3.org/2001/XMLSchema#integer"))),
    ]


def fill_with_example(store: Store) -> Store:
    """Load the vocabulary and the example dataset (public and restricted) into ``store``."""
    vocabulary = vocabulary_triples()
    store.replace_graph(VOCABULARY_GRAPH, vocabulary, metadata=_describe(
        VOCABULARY_GRAPH, "civicgraph vocabulary", CG + "Public", len(vocabulary)))
    for graph in EXAMPLE_GRAPHS:
        triples = [q.triple for q in ox.parse(example_path(graph).read_bytes(),
                                              format=ox.RdfFormat.TURTLE)]
        store.replace_graph(graph.iri, triples,
                            metadata=_describe(graph.iri, graph.title, graph.access, len(triples)))
    return store


def example_store() -> Store:
    """A new in-memory store holding the example dataset."""
    try:
        from graph.store import open_store

        store = open_store("memory")
    except NotImplementedError:
        store = PyoxigraphTestStore()
    return fill_with_example(store)
