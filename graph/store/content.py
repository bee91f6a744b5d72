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

import threading
from collections.abc import Callable, Iterator, Sequence
from typing import overload

import pyoxigraph as ox

_NT = ox.RdfFormat.N_TRIPLES


class Serialized(Sequence[ox.Triple]):
    """The triples of one graph as a document (``data``: N-Triples unless ``format`` says
    otherwise, a document without named graphs) and their number (``size``, ``len``).

    ``store``: an in-memory store whose default graph holds exactly these triples (the
    parse's), which one reader may take over instead of loading the document again
    (``take_store``). ``parser`` makes that store when it is first needed (the number too,
    if not given): a write can then start loading the document into its target while the
    parse for its checks runs (``EmbeddedStore.replace_graphs``); its errors (a syntax
    error) are raised by whatever needed it first."""

    __slots__ = ("_listed", "_lock", "_parser", "_size", "_store", "base_iri", "data",
                 "format")

    def __init__(self, data: bytes, count: int | None = None, *,
                 format: ox.RdfFormat = _NT, base_iri: str | None = None,
                 store: ox.Store | None = None,
                 parser: Callable[[], ox.Store] | None = None) -> None:
        if count is None and format != _NT and store is None and parser is None:
            raise ValueError("the count of a document other than N-Triples must be given")
        self.data = data
        self.format = format
        self.base_iri = base_iri
        if count is None and store is not None:
            count = len(store)
        elif count is None and parser is None:
            # the N-Triples serialiser writes one triple a line, line breaks escaped
            count = data.count(b"\n")
        self._size = count
        self._store = store
        self._parser = parser
        self._lock = threading.Lock()
        self._listed: list[ox.Triple] | None = None

    @property
    def size(self) -> int:
        """The number of triples (parsing the document if nothing counted them yet)."""
        if self._size is None:
            self._parsed()
        assert self._size is not None
        return self._size

    def _parsed(self) -> None:
        with self._lock:
            if self._parser is not None:
                parser, self._parser = self._parser, None
                self._store = parser()
                self._size = len(self._store)

    @classmethod
    def dumped(cls, store: ox.Store, graph: ox.NamedNode | ox.DefaultGraph) -> Serialized:
        """The triples of ``graph`` in ``store``."""
        return cls(store.dump(format=_NT, from_graph=graph) or b"")

    def take_store(self) -> ox.Store | None:
        """The store holding these triples in its default graph, once (then None): the
        taker may add to it."""
        self._parsed()
        with self._lock:
            store, self._store = self._store, None
        return store

    def load_into(self, store: ox.Store, graph: ox.NamedNode | ox.DefaultGraph | None = None
                  ) -> None:
        """Add the triples to ``graph`` of ``store`` (its default graph by default) with
        Oxigraph's bulk loader."""
        if self._size != 0:
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
        return f"<Serialized {self._size if self._size is not None else '?'} triples>"


__all__ = ["Serialized"]
