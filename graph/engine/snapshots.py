"""Read-only copies of the store for the query workers, renewed after every write.

The query workers (``graph.engine.workers``) are separate processes, so that a query past the time
limit can be stopped by killing its process (pyoxigraph has no way to cancel a query). They
cannot share the store object of the server process, so each reads a *snapshot*:

- for the embedded on-disk store, a RocksDB checkpoint made by ``pyoxigraph.Store.backup``:
  hard links to the immutable table files, about 15 ms at 10^6 triples, opened with
  ``Store.read_only`` (about 45 ms). Opening the live store read-only from another process
  is undefined behaviour while the server writes it (pyoxigraph's documentation); a checkpoint
  is never written, so reading it is safe;
- for the in-memory store, an N-Quads dump that each worker loads into its own memory store
  (fine for tests and small data; the memory store is not meant for large graphs).

``VersionedStore`` wraps the server's store and counts its writes; a snapshot is taken again
only when a query arrives after a write, so a reader sees what was written before it asked.
No snapshot is taken while a write is under way (the embedded backends fill a new graph in
place, hidden from their own queries but not from a checkpoint): readers keep the previous
snapshot until the write is done. Snapshots no worker reads any more are deleted.

Checkpoints sit in a directory beside the store, with a file naming the store and the process.
A server killed before it could delete them leaves them behind, and their hard links keep
table files the store has since compacted away: the next server of the same store deletes
them (``remove_stale_snapshots``).
"""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Literal

import pyoxigraph as ox

from graph.errors import StoreError, StoreUnavailable
from graph.namespaces import STAGING_PREFIX
from graph.store import DEFAULT_GRAPH, QueryResult, Store, Term, graph_name, named_only

#: how the directories of snapshots beside a store begin
SNAPSHOTS_PREFIX = ".civicgraph-snapshots-"
#: the file of such a directory naming the store its checkpoints come from and the process
#: that made them, one per line
OWNER_FILE = "store"


def remove_stale_snapshots(parent: Path, owner: str) -> None:
    """Delete the snapshot directories in ``parent`` that another process made from the store
    at ``owner`` (a resolved path). Call it only while this process holds that store: RocksDB
    locks a store to one process, so whoever made them is gone."""
    for candidate in parent.glob(SNAPSHOTS_PREFIX + "*"):
        try:
            made_from, _, pid = (candidate / OWNER_FILE).read_text(encoding="utf-8") \
                .partition("\n")
        except OSError:
            continue
        if made_from == owner and pid.strip() != str(os.getpid()):
            shutil.rmtree(candidate, ignore_errors=True)


class VersionedStore(Store):
    """``inner`` with a counter of its writes (``version``), of the writes that may have
    changed it (``changes``: a write of the interface that failed changed nothing, being all or
    nothing) and of the writes under way; everything else is delegated. ``written`` maps each
    named graph to the ``version`` of its last write (``"*"``: a write whose graphs are not
    known, a SPARQL update or a backend helper), for readers that cache per graph."""

    version: int
    written: dict[str, int]

    def __init__(self, inner: Store) -> None:
        self.inner = inner
        self.kind = inner.kind
        self.exclusive = inner.exclusive
        self.path = inner.path
        self.version = 0
        self.changes = 0
        self.writing = 0
        self.written: dict[str, int] = {}
        self.settled = threading.Condition()

    @contextmanager
    def _write(self, *, atomic: bool = True, graphs: Iterable[str] = ("*",),
               unchanged: Callable[[], bool] = lambda: False) -> Iterator[None]:
        with self.settled:
            self.writing += 1
        done = False
        try:
            yield
            done = True
        finally:
            with self.settled:
                self.writing -= 1
                if not unchanged():
                    self.version += 1
                    self.written.update(dict.fromkeys(graphs, self.version))
                    if done or not atomic:
                        self.changes += 1
                self.settled.notify_all()

    def query(self, sparql: str, *, substitutions: Mapping[str, Term] | None = None,
              default_graph: Sequence[str] | None = None,
              named_graphs: Sequence[str] | None = None) -> QueryResult:
        return self.inner.query(sparql, substitutions=substitutions,
                                default_graph=default_graph, named_graphs=named_graphs)

    def update(self, sparql: str) -> None:
        with self._write():
            self.inner.update(sparql)

    def replace_graph(self, graph: str, triples: Iterable[ox.Triple | ox.Quad],
                      *, metadata: Iterable[ox.Triple] = ()) -> None:
        with self._write(graphs=(graph,)):
            self.inner.replace_graph(graph, triples, metadata=metadata)

    def replace_graphs(self, contents: Mapping[str, Iterable[ox.Triple | ox.Quad]],
                       *, metadata: Iterable[ox.Triple] = (),
                       checking: Callable[[], object] | None = None) -> None:
        refused = False

        def checked() -> object:
            nonlocal refused
            try:
                return checking() if checking is not None else None
            except BaseException:
                refused = True
                raise

        # a write its checks refuse changed nothing: no new version
        with self._write(graphs=list(contents), unchanged=lambda: refused):
            self.inner.replace_graphs(contents, metadata=metadata,
                                      checking=checked if checking is not None else None)

    def drop_graph(self, graph: str) -> None:
        with self._write(graphs=(graph,)):
            self.inner.drop_graph(graph)

    def graphs(self) -> list[str]:
        return self.inner.graphs()

    def count(self, graph: str | None = None) -> int:
        return self.inner.count(graph)

    def dump(self, out: BinaryIO, format: ox.RdfFormat,
             graphs: Sequence[str] | None = None) -> None:
        self.inner.dump(out, format, graphs)

    @property
    def native(self) -> ox.Store | None:
        return self.inner.native

    def close(self) -> None:
        self.inner.close()

    def __getattr__(self, name: str) -> Any:
        # backend-specific helpers stay reachable; a method of the backend may write, so
        # calling one counts as a write
        found = getattr(self.inner, name)
        if not callable(found):
            return found

        def counted(*args: Any, **kwargs: Any) -> Any:
            with self._write(atomic=False):
                return found(*args, **kwargs)

        return counted


@dataclass(frozen=True)
class Snapshot:
    """A read-only copy of the store at ``version``, as a worker opens it."""

    id: int
    version: int
    kind: Literal["checkpoint", "nquads"]
    path: str
    changes: int = 0


class Snapshots:
    """Makes snapshots of a ``VersionedStore`` on demand and deletes those nobody reads."""

    def __init__(self, store: VersionedStore, directory: str | None = None) -> None:
        self.store = store
        # a checkpoint is made of hard links, so it must sit on the store's file system
        self._native = store.native if store.path is not None else None
        location = store.path
        owner = str(location.resolve()) if self._native and location else None
        parent = directory or (str(Path(owner).parent) if owner else None)
        if owner and parent:
            remove_stale_snapshots(Path(parent), owner)
        self.directory = Path(tempfile.mkdtemp(prefix=SNAPSHOTS_PREFIX, dir=parent))
        if owner:
            (self.directory / OWNER_FILE).write_text(f"{owner}\n{os.getpid()}\n",
                                                     encoding="utf-8")
        self._ids = itertools.count(1)
        self._current: Snapshot | None = None
        self._all: dict[int, Snapshot] = {}
        self._lock = threading.Lock()
        #: set by ``close``: no snapshot is made after it (it would outlive the server)
        self._closed = False

    def current(self) -> Snapshot:
        """A snapshot holding every write finished so far: made now if the store changed and
        no write is under way; while one is, the last snapshot if no write that changed the
        store finished since it was made (a reader never sees a half-written graph), else the
        next one once the writes are done: an older one may hold what a finished write took
        out (a graph made restricted, a person erased), which no reader may see again."""
        with self._lock, self.store.settled:
            if self._closed:
                raise StoreUnavailable("the snapshots are closed: the server is stopping")
            current = self._current
            if current is not None and (current.version == self.store.version or (
                    self.store.writing and current.changes == self.store.changes)):
                return current
            self.store.settled.wait_for(lambda: not self.store.writing)
            version, changes = self.store.version, self.store.changes
            number = next(self._ids)
            path = self.directory / str(number)
            try:
                if self._native is not None:
                    self._native.backup(str(path))
                    snapshot = Snapshot(number, version, "checkpoint", str(path), changes)
                else:
                    with open(path, "wb") as out:
                        self.store.inner.dump(out, ox.RdfFormat.N_QUADS)
                        _dump_default_graph(self.store.inner, out)
                    snapshot = Snapshot(number, version, "nquads", str(path), changes)
            except OSError as error:
                # e.g. a full disk: RocksDB refuses to flush after a failed write, so no
                # checkpoint can be made; the last one is still exact if only failed writes
                # (which changed nothing) came after it
                _remove(path)
                if self._current is not None and self._current.changes == changes:
                    return self._current
                raise StoreError(f"the store could not be read: {error}") from error
            self._current = snapshot
            self._all[number] = snapshot
            return snapshot

    def latest(self) -> Snapshot | None:
        """The last snapshot made, if any (never makes one)."""
        with self._lock:
            return self._current

    def collect(self, in_use: Iterable[int]) -> None:
        """Delete the snapshots that are neither current nor in ``in_use``."""
        with self._lock:
            keep = set(in_use) | ({self._current.id} if self._current else set())
            for number in [n for n in self._all if n not in keep]:
                _remove(Path(self._all.pop(number).path))

    def close(self) -> None:
        """Delete every snapshot; none is made after."""
        with self._lock:
            self._closed = True
            self._all.clear()
            self._current = None
            shutil.rmtree(self.directory, ignore_errors=True)


def _dump_default_graph(store: Store, out: BinaryIO) -> None:
    """Append the store's own default graph to an N-Quads dump (``Store.dump`` writes named
    graphs only)."""
    native = store.native
    if native is not None:
        ox.serialize(native.quads_for_pattern(None, None, None, ox.DefaultGraph()), out,
                     ox.RdfFormat.N_QUADS)


def _remove(path: Path) -> None:
    """Delete a snapshot: a checkpoint directory or an N-Quads file."""
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


class SnapshotStore(Store):
    """A snapshot opened for reading, in a worker process. Writes are refused."""

    kind = "snapshot"

    def __init__(self, snapshot: Snapshot) -> None:
        if snapshot.kind == "checkpoint":
            self._store = ox.Store.read_only(snapshot.path)
        else:
            self._store = ox.Store()
            self._store.bulk_load(path=snapshot.path, format=ox.RdfFormat.N_QUADS)
        self.snapshot = snapshot

    def query(self, sparql: str, *, substitutions: Mapping[str, Term] | None = None,
              default_graph: Sequence[str] | None = None,
              named_graphs: Sequence[str] | None = None) -> QueryResult:
        from graph.sparql.request import syntax_error

        options: dict[str, Any] = {}
        if default_graph is None:
            options["use_default_graph_as_union"] = True
        else:
            options["default_graph"] = [graph_name(g) for g in default_graph]
        if named_graphs is not None:
            options["named_graphs"] = [ox.NamedNode(g) for g in named_only(named_graphs)]
        if substitutions:
            options["substitutions"] = {ox.Variable(k): v for k, v in substitutions.items()}
        try:
            return self._store.query(sparql, **options)
        except SyntaxError as error:
            raise syntax_error(error) from None

    def everything(self) -> frozenset[str]:
        """Every graph of the snapshot whose union is the union default graph: its named
        graphs, and ``DEFAULT_GRAPH`` when the store's own default graph holds triples."""
        named = frozenset(self.graphs())
        if next(iter(self._store.quads_for_pattern(None, None, None, ox.DefaultGraph())),
                None) is not None:
            return named | {DEFAULT_GRAPH}
        return named

    def update(self, sparql: str) -> None:
        raise StoreError("a snapshot is read-only")

    def replace_graph(self, graph: str, triples: Iterable[ox.Triple | ox.Quad],
                      *, metadata: Iterable[ox.Triple] = ()) -> None:
        raise StoreError("a snapshot is read-only")

    def drop_graph(self, graph: str) -> None:
        raise StoreError("a snapshot is read-only")

    def graphs(self) -> list[str]:
        return sorted(g.value for g in self._store.named_graphs()
                      if isinstance(g, ox.NamedNode) and not g.value.startswith(STAGING_PREFIX))

    def count(self, graph: str | None = None) -> int:
        if graph is None:
            return len(self._store)
        return sum(1 for _ in self._store.quads_for_pattern(None, None, None, ox.NamedNode(graph)))

    def dump(self, out: BinaryIO, format: ox.RdfFormat,
             graphs: Sequence[str] | None = None) -> None:
        wanted = self.graphs() if graphs is None else list(graphs)
        ox.serialize(self._quads(wanted), out, format=format)

    def _quads(self, graphs: Sequence[str]) -> Iterator[ox.Quad]:
        for graph in graphs:
            yield from self._store.quads_for_pattern(None, None, None, ox.NamedNode(graph))
