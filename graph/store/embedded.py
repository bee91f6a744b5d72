"""pyoxigraph inside the process: ``MemoryStore`` and ``OxigraphStore`` (on disk, the default).

Both share ``EmbeddedStore``. How a replacement stays invisible until it is committed:

- a target graph that is empty (the usual first import) is filled *in place*: a marker
  ``<target> cg:pendingImport "token"`` is written to ``staging.PENDING_GRAPH`` first, the
  triples are bulk-loaded into the target, and one update removes the marker and writes the
  description. Loading 10^6 triples this way costs what ``bulk_load`` costs (a ``MOVE`` of
  10^6 quads is one RocksDB transaction of ~2 minutes and ~3 GiB on disk);
- a target that holds data is replaced through a staging graph and one update that drops the
  target and ``MOVE``s the staging graph into it (``staging.commit_update``).

While a graph is being written, queries of this process do not see it: the graphs being
written are *hidden*, and a query then gets an explicit list of the visible graphs instead of
the union default graph (which costs up to 2x on aggregates, so it is only done while a write
is under way). ``_Visibility.hide`` waits until every query that started before it has taken
its snapshot, so no query can read a half-written graph. A failure removes what was written;
a crash leaves markers and staging graphs that the next opening of the store removes
(``recover``). The on-disk store is locked by RocksDB to one process, so this process is the
only writer.
"""

from __future__ import annotations

import re
import threading
import traceback
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, BinaryIO

import pyoxigraph as ox

from graph.errors import QueryFailed, QuerySyntaxError, StoreError, StoreLocked
from graph.namespaces import PREFIXES
from graph.store.base import DEFAULT_GRAPH, QueryResult, Store, Term, graph_name
from graph.store.binding import bind_values
from graph.store.content import Serialized
from graph.store.staging import (
    PENDING_GRAPH,
    PENDING_IMPORT,
    commit_update,
    drop_update,
    iri,
    is_staging,
    new_staging_iri,
)

_POSITION = re.compile(r"error at (\d+):(\d+)")
_PENDING = ox.NamedNode(PENDING_GRAPH)


@contextmanager
def pyoxigraph_errors(doing: str) -> Iterator[None]:
    """pyoxigraph's errors as civicgraph's: the one table of this backend (as httpx's
    ``_exceptions``). ``SyntaxError`` is a ``QuerySyntaxError`` with its line and column;
    ``OSError`` (RocksDB: input/output, a full disk) a ``StoreError`` that says what was
    being done (``doing``), ``StoreLocked`` when another process holds the store."""
    try:
        yield
    except SyntaxError as error:
        raise query_syntax_error(error) from None
    except OSError as error:
        if "LOCK" in str(error):
            raise StoreLocked(f"{doing}: another process has the store open ({error})") \
                from error
        raise StoreError(f"{doing}: {error}") from error


def query_syntax_error(error: SyntaxError) -> QuerySyntaxError:
    """A ``QuerySyntaxError`` with the line and column of pyoxigraph's message."""
    message = str(error.msg if error.msg else error)
    found = _POSITION.search(message)
    line, column = (int(found[1]), int(found[2])) if found else (error.lineno, error.offset)
    return QuerySyntaxError(message, line=line, column=column)


class _Visibility:
    """The graphs being written, hidden from queries; a grace period when the set grows."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._hidden: frozenset[str] = frozenset()
        self._active: set[int] = set()
        self._tokens = 0

    @contextmanager
    def reading(self) -> Iterator[frozenset[str]]:
        """The hidden graphs, for a query that takes its snapshot inside the block."""
        with self._condition:
            self._tokens += 1
            token = self._tokens
            self._active.add(token)
            hidden = self._hidden
        try:
            yield hidden
        finally:
            with self._condition:
                self._active.discard(token)
                self._condition.notify_all()

    def hide(self, graphs: Iterable[str]) -> None:
        """Hide ``graphs``; returns once no query that could still see them is starting."""
        with self._condition:
            self._hidden = self._hidden | frozenset(graphs)
            before = set(self._active)
            self._condition.wait_for(lambda: not before & self._active)

    def show(self, graphs: Iterable[str]) -> None:
        with self._condition:
            self._hidden = self._hidden - frozenset(graphs)


def _alongside(work: Callable[[], None], checking: Callable[[], object]) -> None:
    """``work`` on a thread of its own while ``checking`` runs on this one; the first error
    of either is raised once both are done (pyoxigraph releases the GIL in its loaders and
    queries, so the two use two cores)."""
    failed: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as error:   # raised again on the caller's thread
            failed.append(error)

    thread = threading.Thread(target=run, name="civicgraph-fill", daemon=True)
    thread.start()
    try:
        checking()
    except BaseException:
        thread.join()
        failed.clear()   # the checks' error is the one raised; the work's goes with it
        raise
    thread.join()
    if failed:
        raise failed[0]


class EmbeddedStore(Store):
    """A pyoxigraph ``Store`` behind the civicgraph interface."""

    kind = "embedded"
    exclusive = True

    def __init__(self, store: ox.Store) -> None:
        self.ox = store
        self._visibility = _Visibility()
        self._write = threading.RLock()
        self.recover()

    @property
    def native(self) -> ox.Store | None:
        return vars(self).get("ox")   # None once closed

    # -- reading ---------------------------------------------------------------------------

    def query(
        self,
        sparql: str,
        *,
        substitutions: Mapping[str, Term] | None = None,
        default_graph: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
    ) -> QueryResult:
        options: dict[str, Any] = {}
        if substitutions:
            options["substitutions"] = {ox.Variable(k): v for k, v in substitutions.items()}
        with self._visibility.reading() as hidden:
            visible = self._visible(hidden) if hidden else []
            if default_graph is not None:
                options["default_graph"] = _kept(default_graph, hidden)
            elif hidden:
                options["default_graph"] = [*visible, ox.DefaultGraph()]
            else:
                options["use_default_graph_as_union"] = True
            if named_graphs is not None:
                options["named_graphs"] = _kept(named_graphs, hidden | {DEFAULT_GRAPH})
            elif hidden:
                options["named_graphs"] = visible
            with pyoxigraph_errors("the store could not be read"):
                try:
                    return self.ox.query(sparql, **options)
                except RuntimeError as error:
                    # pyoxigraph only substitutes projected variables: bind the others
                    # with a VALUES block, as the remote backend does
                    if not substitutions or "SELECT projection" not in str(error):
                        # the engine refused a well-formed query (an unknown function, …)
                        raise QueryFailed(str(error)) from error
                    del options["substitutions"]
                    return self.ox.query(bind_values(sparql, substitutions),
                                         **options)

    def _visible(self, hidden: frozenset[str]) -> list[ox.NamedNode]:
        return [g for g in self.ox.named_graphs()
                if isinstance(g, ox.NamedNode) and not is_staging(g.value)
                and g.value not in hidden]

    def graphs(self) -> list[str]:
        with self._visibility.reading() as hidden:
            return sorted(g.value for g in self._visible(hidden) if self._holds_data(g))

    def _holds_data(self, graph: ox.NamedNode) -> bool:
        return next(iter(self.ox.quads_for_pattern(None, None, None, graph)), None) is not None

    def count(self, graph: str | None = None) -> int:
        if graph is not None:
            if is_staging(graph):
                return 0
            result = self.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {iri(graph)} "
                                "{ ?s ?p ?o } }", default_graph=[], named_graphs=[graph])
        else:
            result = self.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        assert isinstance(result, ox.QuerySolutions)
        value = next(iter(result))["n"]
        assert isinstance(value, ox.Literal)
        return int(value.value)

    def dump(self, out: BinaryIO, format: ox.RdfFormat,
             graphs: Sequence[str] | None = None) -> None:
        if not format.supports_datasets:
            raise ValueError(f"{format.name} cannot hold named graphs; use N-Quads or TriG")
        wanted = self.graphs() if graphs is None else [g for g in graphs if not is_staging(g)]
        quads = (q for g in wanted
                 for q in self.ox.quads_for_pattern(None, None, None, ox.NamedNode(g)))
        ox.serialize(quads, out, format, prefixes=PREFIXES if format == ox.RdfFormat.TRIG
                     else None)

    # -- writing ---------------------------------------------------------------------------

    def update(self, sparql: str) -> None:
        with self._write, pyoxigraph_errors("the update failed"):
            self.ox.update(sparql)

    def replace_graph(self, graph: str, triples: Iterable[ox.Triple | ox.Quad],
                      *, metadata: Iterable[ox.Triple] = ()) -> None:
        self.replace_graphs({graph: triples}, metadata=metadata)

    def replace_graphs(self, contents: Mapping[str, Iterable[ox.Triple | ox.Quad]],
                       *, metadata: Iterable[ox.Triple] = (),
                       checking: Callable[[], object] | None = None) -> None:
        """See ``Store.replace_graphs``: here ``checking`` runs while the new content is
        written, hidden, by Oxigraph's bulk loader on another thread; ``metadata`` is read
        after both."""
        with self._write, pyoxigraph_errors("the replacement failed"):
            in_place = {t: uuid.uuid4().hex for t in contents
                        if not self._holds_data(ox.NamedNode(t))}
            staged = {t: new_staging_iri() for t in contents if t not in in_place}
            written = {*in_place, *staged.values()}
            self._visibility.hide(written)
            try:
                if in_place:
                    self.ox.extend(ox.Quad(ox.NamedNode(t), ox.NamedNode(PENDING_IMPORT),
                                           ox.Literal(token), _PENDING)
                                   for t, token in in_place.items())
                moves: dict[str, str | None] = {}

                def fill() -> None:
                    for target, triples in contents.items():
                        where = staged.get(target, target)
                        filled = self._fill(where, triples)
                        moves[target] = staged[target] if target in staged and filled else None

                if checking is None:
                    fill()
                else:
                    _alongside(fill, checking)
                self.ox.update(commit_update(moves, list(metadata), pending=in_place))
            except BaseException:
                # if even this fails, the next ``recover`` removes what is left
                with suppress(Exception):
                    self._discard(in_place, staged.values())
                raise
            finally:
                self._visibility.show(written)

    def _fill(self, graph: str, triples: Iterable[ox.Triple | ox.Quad]) -> bool:
        """Bulk-load ``triples`` into ``graph``; whether any was written."""
        name = ox.NamedNode(graph)
        if isinstance(triples, Serialized):
            try:
                triples.load_into(self.ox, name)
            except BaseException as error:
                # the loader's frame holds the pyoxigraph store: a traceback kept by the
                # caller must not keep it open once the store is closed (RocksDB opened
                # again by the same process beside a live instance corrupts it)
                traceback.clear_frames(error.__traceback__)
                raise
            return self._holds_data(name)
        seen = False

        def quads() -> Iterator[ox.Quad]:
            nonlocal seen
            for t in triples:
                seen = True
                yield ox.Quad(t.subject, t.predicate, t.object, name)

        self.ox.bulk_extend(quads())
        return seen

    def _discard(self, in_place: Mapping[str, str], staging: Iterable[str]) -> None:
        """Undo a failed replacement: empty the targets filled in place, drop the staging."""
        for target in in_place:
            self.ox.remove_graph(ox.NamedNode(target))
        for graph in staging:
            self.ox.remove_graph(ox.NamedNode(graph))
        if in_place:
            self.ox.remove_graph(_PENDING)

    def drop_graph(self, graph: str) -> None:
        if is_staging(graph):
            return
        with self._write, pyoxigraph_errors("the graph could not be dropped"):
            self.ox.update(drop_update(graph))

    def recover(self) -> None:
        """Remove what an interrupted replacement left: targets filled in place (they were
        empty before), their markers and every staging graph."""
        with self._write:
            marked = {q.subject.value for q in self.ox.quads_for_pattern(
                None, ox.NamedNode(PENDING_IMPORT), None, _PENDING)
                if isinstance(q.subject, ox.NamedNode)}
            for target in marked:
                self.ox.remove_graph(ox.NamedNode(target))
            for graph in list(self.ox.named_graphs()):
                if isinstance(graph, ox.NamedNode) and is_staging(graph.value):
                    self.ox.remove_graph(graph)


def unfinished_graphs(store: ox.Store) -> set[str]:
    """The graphs of ``store`` that a reader of a copy (a checkpoint) must skip: staging
    graphs, and targets being filled in place (marked in ``PENDING_GRAPH``)."""
    hidden = {g.value for g in store.named_graphs()
              if isinstance(g, ox.NamedNode) and is_staging(g.value)}
    hidden.update(q.subject.value for q in store.quads_for_pattern(
        None, ox.NamedNode(PENDING_IMPORT), None, _PENDING) if isinstance(q.subject, ox.NamedNode))
    return hidden


def _kept(graphs: Sequence[str], hidden: frozenset[str],
          ) -> list[ox.NamedNode | ox.DefaultGraph]:
    return [graph_name(g) for g in graphs if g not in hidden and not is_staging(g)]


class MemoryStore(EmbeddedStore):
    """pyoxigraph in memory: tests and small data; gone when closed."""

    kind = "memory"

    def __init__(self) -> None:
        super().__init__(ox.Store())


class OxigraphStore(EmbeddedStore):
    """pyoxigraph on disk in ``path`` (created if absent): the default store."""

    kind = "oxigraph"
    path: Path

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        with pyoxigraph_errors(f"cannot open the store in {self.path}"):
            self.path.mkdir(parents=True, exist_ok=True)
            store = ox.Store(str(self.path))
        super().__init__(store)

    def recover(self) -> None:
        super().recover()
        self._remove_bulk_files()

    def _discard(self, in_place: Mapping[str, str], staging: Iterable[str]) -> None:
        super()._discard(in_place, staging)
        self._remove_bulk_files()

    def _remove_bulk_files(self) -> None:
        """Delete the table files of a bulk load that failed or was killed before RocksDB
        took them in (pyoxigraph leaves them, and on a full disk they keep it full). Only
        this process writes the store (RocksDB's lock), and never two bulk loads at once."""
        with self._write:
            for leftover in self.path.glob("bulk-*.sst"):
                leftover.unlink(missing_ok=True)

    def close(self) -> None:
        """Flush to disk and let go of the database (RocksDB unlocks it when collected), even
        when the flush fails: every committed write is in the write-ahead log, replayed on
        the next opening. A failed flush (a full disk) is a ``StoreError``."""
        if not hasattr(self, "ox"):
            return
        try:
            with pyoxigraph_errors(f"the store in {self.path} could not be flushed to disk "
                                   "(committed writes are kept in its log)"):
                self.ox.flush()
        finally:
            del self.ox


class ReadOnlyOxigraphStore(EmbeddedStore):
    """An on-disk store that another process holds, read as it was when opened (RocksDB
    lets a reader in beside the writer's lock). Graphs that were being written then are
    left out; writes are refused with ``StoreLocked``."""

    kind = "oxigraph"
    exclusive = False   # the other process writes it
    path: Path

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        with pyoxigraph_errors(f"cannot open the store in {self.path} read-only"):
            store = ox.Store.read_only(str(self.path))
        super().__init__(store)

    def recover(self) -> None:
        """Nothing to remove (the writer does): hide what it was writing instead."""
        self._visibility.hide(unfinished_graphs(self.ox))

    def _refuse(self) -> StoreLocked:
        return StoreLocked(f"the store in {self.path} is open read-only: another process "
                           "holds it and makes its writes")

    def update(self, sparql: str) -> None:
        raise self._refuse()

    def replace_graphs(self, contents: Mapping[str, Iterable[ox.Triple | ox.Quad]],
                       *, metadata: Iterable[ox.Triple] = (),
                       checking: Callable[[], object] | None = None) -> None:
        raise self._refuse()

    def drop_graph(self, graph: str) -> None:
        raise self._refuse()

    def close(self) -> None:
        vars(self).pop("ox", None)   # RocksDB lets go of the files when collected

