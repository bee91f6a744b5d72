"""A graph's triples as the parse left them: a document, loaded natively where it counts.

An import of 10^6 triples turned into Python ``Triple`` objects and back into stores costs
more than the parse and the write themselves. ``Serialized`` is what the write path passes
instead: the triples of one graph as one document (the bytes of the import itself when it
holds one graph, else Oxigraph's N-Triples of the graph), with their number, and the parse's
store when it holds exactly them. The places that only need the triples in a store (the
scratch store of the checks, ``EmbeddedStore.replace_graphs``) take that store or load the
bytes with Oxigraph's bulk loader (``load_into``); every other reader iterates it as a
sequence of triples, parsed again on demand, so any ``Store`` takes it as it takes a list.

Blank nodes: the labels in the bytes are the document's; a store loading them names them
anew (Oxigraph renames blank nodes on load), so the same document loaded twice gives two sets
of blank nodes, and a report of the checks names them as the checks' store does. Within one
store, one document's blank nodes hold together.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import overload

import pyoxigraph as ox

_NT = ox.RdfFormat.N_TRIPLES


class Serialized(Sequence[ox.Triple]):
    """The triples of one graph as a document (``data``: N-Triples unless ``format`` says
    otherwise, a document without named graphs) and their number (``size``, ``len``).

    ``store``: an in-memory store whose default graph holds exactly these triples (the
    parse's), which one reader may take over instead of loading the document again
    (``take_store``)."""

    __slots__ = ("_listed", "_store", "base_iri", "data", "format", "size")

    def __init__(self, data: bytes, count: int | None = None, *,
                 format: ox.RdfFormat = _NT, base_iri: str | None = None,
                 store: ox.Store | None = None) -> None:
        if count is None and format != _NT:
            raise ValueError("the count of a document other than N-Triples must be given")
        self.data = data
        self.format = format
        self.base_iri = base_iri
        # the N-Triples serialiser writes one triple a line, line breaks in literals escaped
        self.size = data.count(b"\n") if count is None else count
        self._store = store
        self._listed: list[ox.Triple] | None = None

    @classmethod
    def dumped(cls, store: ox.Store, graph: ox.NamedNode | ox.DefaultGraph) -> Serialized:
        """The triples of ``graph`` in ``store``."""
        return cls(store.dump(format=_NT, from_graph=graph) or b"")

    def take_store(self) -> ox.Store | None:
        """The store holding these triples in its default graph, once (then None): the
        taker may add to it."""
        store, self._store = self._store, None
        return store

    def load_into(self, store: ox.Store, graph: ox.NamedNode | ox.DefaultGraph | None = None
                  ) -> None:
        """Add the triples to ``graph`` of ``store`` (its default graph by default) with
        Oxigraph's bulk loader."""
        if self.size:
            store.bulk_load(self.data, self.format, base_iri=self.base_iri,
                            to_graph=graph or ox.DefaultGraph())

    def __len__(self) -> int:
        return self.size

    def __iter__(self) -> Iterator[ox.Triple]:
        if self._listed is not None:
            return iter(self._listed)
        return (quad.triple
                for quad in ox.parse(self.data, self.format, base_iri=self.base_iri))

    @overload
    def __getitem__(self, index: int) -> ox.Triple: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[ox.Triple]: ...

    def __getitem__(self, index: int | slice) -> ox.Triple | Sequence[ox.Triple]:
        if self._listed is None:
            self._listed = list(self)
        return self._listed[index]

    def __repr__(self) -> str:
        return f"<Serialized {self.size} triples>"


__all__ = ["Serialized"]
