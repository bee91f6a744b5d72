"""One store interface, three backends.

``Store`` is what every other part of civicgraph talks to. Its backends:

- ``MemoryStore``: pyoxigraph in memory (tests, small data);
- ``OxigraphStore``: pyoxigraph on disk (the default; transactional, persistent);
- ``RemoteStore``: any SPARQL 1.1 server over the SPARQL Protocol and the Graph Store Protocol.

All three pass the same contract tests (``tests/graph/store/test_store_contract.py``).

Results are pyoxigraph's own types whatever the backend, so that they can be serialised by
Oxigraph's fast writers: ``QuerySolutions`` for SELECT, ``QueryBoolean`` for ASK, an iterator of
``Triple`` for CONSTRUCT and DESCRIBE.

Graph scoping: ``default_graph=None`` means the union of all graphs (what researchers
expect); a list of graph IRIs restricts the default graph to those graphs, which is how the
public view is built (``api`` passes the public graphs). In such a list, ``DEFAULT_GRAPH``
names the store's own (unnamed) default graph; it is never a named graph.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import BinaryIO, Final, TypeAlias

import pyoxigraph as ox

Term: TypeAlias = ox.NamedNode | ox.BlankNode | ox.Literal
QueryResult: TypeAlias = ox.QuerySolutions | ox.QueryBoolean | Iterator[ox.Triple]

#: The store's own (unnamed) default graph, where it appears in a list of graphs: the
#: ``default_graph`` of a query, the graphs a reader may see, ``GET /store?default``.
DEFAULT_GRAPH: Final = "urn:civicgraph:default-graph"


def graph_name(graph: str) -> ox.NamedNode | ox.DefaultGraph:
    """The pyoxigraph graph name of ``graph`` (``DEFAULT_GRAPH`` is the default graph).

    >>> graph_name(DEFAULT_GRAPH)
    <DefaultGraph>
    """
    return ox.DefaultGraph() if graph == DEFAULT_GRAPH else ox.NamedNode(graph)


def named_only(graphs: Iterable[str]) -> list[str]:
    """``graphs`` without ``DEFAULT_GRAPH`` (what ``named_graphs`` may list).

    >>> named_only(["http://a", DEFAULT_GRAPH])
    ['http://a']
    """
    return [g for g in graphs if g != DEFAULT_GRAPH]


class Store(ABC):
    """The store interface. Writes are all-or-nothing."""

    #: a short name for messages and ``/health``: "memory", "oxigraph", "remote"
    kind: str = "abstract"
    #: whether this process makes every write to the store (an embedded one: RocksDB locks
    #: it to one process), so that a counter of the writes kept here covers every change
    exclusive: bool = False
    #: the writes made through this object so far, when it counts them
    #: (``graph.engine.snapshots.VersionedStore``); None when it does not
    version: int | None = None
    #: each named graph's ``version`` at its last write (``"*"``: writes whose graphs are not
    #: known), when writes are counted; None when they are not
    written: Mapping[str, int] | None = None
    #: the directory of an on-disk store; None for the others
    path: Path | None = None

    @property
    def native(self) -> ox.Store | None:
        """The pyoxigraph store behind an embedded backend (or a view of one), for what the
        interface does not say (checkpoints, the store's own default graph); else None."""
        return None

    @abstractmethod
    def query(
        self,
        sparql: str,
        *,
        substitutions: Mapping[str, Term] | None = None,
        default_graph: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
    ) -> QueryResult:
        """Run a SPARQL query; ``substitutions`` binds variables (by name, without ``?``) to
        RDF terms (SEP-0007 semantics on Oxigraph, an equivalent VALUES block elsewhere).
        Raises ``QuerySyntaxError`` for a query that does not parse."""

    @abstractmethod
    def update(self, sparql: str) -> None:
        """Run a SPARQL update in one transaction."""

    @abstractmethod
    def replace_graph(self, graph: str, triples: Iterable[ox.Triple | ox.Quad],
                      *, metadata: Iterable[ox.Triple] = ()) -> None:
        """Replace the content of named graph ``graph`` with ``triples`` (quads: their graph
        name is ignored) and its description in the meta graph with ``metadata``, all in one
        transaction: a reader sees the old content or the new, never a mix, and an
        interrupted call leaves the old content in place."""

    def replace_graphs(self, contents: Mapping[str, Iterable[ox.Triple | ox.Quad]],
                       *, metadata: Iterable[ox.Triple] = (),
                       checking: Callable[[], object] | None = None) -> None:
        """``replace_graph`` for several graphs at once, all in one transaction (an import of
        a TriG or N-Quads file). The descriptions of every graph of ``contents`` are replaced
        by ``metadata``. ``checking`` (the write path's checks) runs before anything is
        committed, and if it raises nothing is: a backend may run it while it writes the new
        content where no reader sees it (the embedded stores do); this default runs it first.
        Backends override this; the default handles one graph only."""
        if checking is not None:
            checking()
        if len(contents) != 1:
            raise NotImplementedError(
                f"{type(self).__name__} cannot replace several graphs in one transaction")
        (graph, triples), = contents.items()
        self.replace_graph(graph, triples, metadata=metadata)

    @abstractmethod
    def drop_graph(self, graph: str) -> None:
        """Remove a named graph and its description in the meta graph (one transaction)."""

    @abstractmethod
    def graphs(self) -> list[str]:
        """The IRIs of the named graphs that hold data (staging graphs excluded), sorted."""

    @abstractmethod
    def count(self, graph: str | None = None) -> int:
        """Number of triples in ``graph``, or quads in the whole store."""

    @abstractmethod
    def dump(self, out: BinaryIO, format: ox.RdfFormat,
             graphs: Sequence[str] | None = None) -> None:
        """Write the quads of ``graphs`` (all named graphs when None) to ``out`` in ``format``
        (N-Quads or TriG)."""

    def close(self) -> None:  # noqa: B027 - a backend without resources has nothing to do
        """Release the store (files, connections)."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
