"""The query engine the routes share, and the store view each reader gets.

``install`` wraps the application's store in a ``VersionedStore`` (so query snapshots follow
every write, whoever makes it) and attaches a ``QueryEngine`` (``graph.engine.execution``) that
runs every query outside the event loop, under ``CIVICGRAPH_QUERY_TIMEOUT`` and
``CIVICGRAPH_RESULT_LIMIT``. Worker processes start with the application and stop when it
shuts down.

One kind of query does not go to the workers: a **one-subject lookup**
(``SELECT ?p ?o WHERE { <s> ?p ?o }``: one triple pattern whose subject is an absolute IRI,
nothing else but ``LIMIT``; ``lookup_subject``). Each triple it matches is one solution (no
``DISTINCT``, no aggregate), and Oxigraph finds them by one scan of the subject's index range,
one at a time, as the answer is written: stopping the answer after ``INLINE_ROWS``
solutions bounds its cost, so there is nothing for the time limit to stop. ``InlineLookups``
answers it on the embedded store itself, in the calling thread (``CIVICGRAPH_ANSWER_CACHE_MB``
answers, the result cap, the reader's graphs and the engine's observers as for any query),
without the hand-off to a worker process, which cost a lookup most of its time
(``bench/RESULTS.md``, "One-subject lookup"); a subject with more solutions than that is given
to the engine. The calling thread is the event loop's for the lookups of ``api.lookups`` (the
lean path, which takes nearly all of them) and one of the route's threads otherwise.

After a curator's write has committed, ``after_curator_write`` derives the public view of
persons again (``PublicView``). That step never turns the stored write into an error answer:
a derivation that fails is logged with the request's id and leaves the view *stale*, derived
again before the next read through ``engine_of`` or ``reader_view``, and at the next write.
"""

from __future__ import annotations

import logging
import re
import threading
import time
import traceback
from dataclasses import replace
from typing import Final, NamedTuple

import pyoxigraph as ox
from fastapi import FastAPI, Request

from api.observability import current_request
from api.security import reader_scope
from api.settings import Settings
from graph.engine.answers import job_key
from graph.engine.execution import QueryEngine, StoreView
from graph.engine.parsing import parsers
from graph.engine.snapshots import VersionedStore
from graph.errors import QueryFailed, ResultTooLarge
from graph.publishing.service import DumpCache
from graph.sparql.request import (
    SERVICE_GRAPHS,
    QueryInfo,
    QueryJob,
    Scope,
    execute,
    visible_graphs,
)
from graph.sparql.results import Answer
from graph.store import DEFAULT_GRAPH, Store, named_only

WRITES: Final = logging.getLogger("civicgraph.writes")

#: most solutions a lookup answered in the server may have (past them, the engine runs it)
INLINE_ROWS: Final = 1000

_IRI: Final = r"<[^<>\"{}|^`\\\x00-\x20]*>"
_TERM: Final = rf"(?:[?$]\w+|{_IRI})"
#: a one-subject lookup: SELECT, one triple pattern with an absolute IRI as subject, no
#: DISTINCT (one solution per matching triple), comment, prefix, literal or other clause
#: (anything else goes the usual way)
_LOOKUP: Final = re.compile(
    r"\s*SELECT\s+(?P<projection>\*|(?:[?$]\w+\s*)+)\s*(?:WHERE\s*)?"
    r"\{\s*<(?P<subject>[A-Za-z][A-Za-z0-9+.\-]*:[^<>\"{}|^`\\\x00-\x20]*)>"
    rf"\s*(?P<predicate>{_TERM})\s*(?P<object>{_TERM})\s*\.?\s*\}}"
    r"\s*(?:LIMIT\s+\d{1,9}\s*)?",
    re.IGNORECASE | re.ASCII)
_VARIABLE: Final = re.compile(r"[?$](\w+)", re.ASCII)
_IRIS: Final = re.compile(_IRI)
_SCHEME: Final = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")


def absolute_iris_only(text: str) -> bool:
    """Whether every ``<…>`` of ``text`` is an absolute IRI, so that no base need be set.
    Every IRI token the lexer (``graph.sparql.lexer``) would find is one of these matches
    (they hold no ``<``), so the text need not be lexed to know it.

    >>> absolute_iris_only("SELECT * { <http://ex/s> ?p ?o }"), absolute_iris_only("<s>")
    (True, False)
    """
    return all(_SCHEME.match(iri[1:-1]) for iri in _IRIS.findall(text))


def install(app: FastAPI, settings: Settings) -> None:
    """Give ``app`` its query engine over ``app.state.store``."""
    store: Store = app.state.store
    if not isinstance(store, VersionedStore):
        store = VersionedStore(store)
        app.state.store = store
    engine = QueryEngine(store, timeout=settings.query_timeout,
                         result_limit=settings.result_limit, workers=settings.query_workers,
                         worker_memory=settings.worker_memory(),
                         answer_cache=settings.answer_cache_mb * 2**20,
                         background_workers=settings.background_workers,
                         union_default_graph=settings.union_default_graph)
    app.state.engine = engine
    app.state.public_view = PublicView(settings.small_count_threshold)
    app.state.inline_lookups = InlineLookups(engine)
    app.state.dump_cache = DumpCache()
    app.router.add_event_handler("startup", engine.start)
    # a parser process ready for the first untrusted text (graph.engine.parsing)
    app.router.add_event_handler("startup", lambda: parsers().warm())
    app.router.add_event_handler("shutdown", engine.close)
    app.router.add_event_handler("shutdown", app.state.dump_cache.close)


def engine_of(request: Request) -> QueryEngine:
    """The application's query engine (the public view of persons derived first if a write
    left it stale)."""
    public_view(request).ensure(request.app.state.store)
    engine: QueryEngine = request.app.state.engine
    return engine


def reader_view(request: Request) -> StoreView:
    """What the request's reader may see (public graphs, or all for a curator)."""
    return engine_of(request).view(reader_scope(request))


def public_view(request: Request) -> PublicView:
    """The application's ``PublicView``."""
    view: PublicView = request.app.state.public_view
    return view


def after_curator_write(request: Request, graph: str | None = None) -> None:
    """Derive the public view of persons again after a curator's write (SPARQL update,
    Graph Store) to ``graph`` (None: any graph), which has committed: never raises
    (``PublicView.after_write``)."""
    public_view(request).after_write(request.app.state.store, graph)


class PublicView:
    """The public view of persons (``graph.privacy.persons``), derived from restricted data
    after each curator write: the write may have changed a consent record or a membership,
    and a withdrawal must leave the public data at once.

    The write has committed when the view is derived, so a failure to derive it is not the
    write's: it is logged (``civicgraph.writes``, with the request's id) and the view marked
    stale, to be derived again before the next read (``ensure``) and at the next write."""

    def __init__(self, threshold: int) -> None:
        self.threshold = threshold
        #: whether a derivation failed since the last that succeeded
        self.stale = False
        #: the request whose write left the view stale
        self.stale_since: str | None = None
        self._failures = 0
        self._lock = threading.Lock()
        self._deriving = threading.Lock()

    def after_write(self, store: Store, graph: str | None) -> None:
        """Derive the view after a write to ``graph``: skipped after a write to a public
        graph (consent and memberships are read from restricted graphs only: batched
        uploads of public data pay nothing), and while the store holds no restricted graph
        and no view yet (writing public data adds no empty graph), unless the view is
        stale."""
        try:
            if self.stale or _may_change_view(store, graph):
                self._derive(store)
        except Exception:   # the write is stored: logged, and the view left stale
            self._failed("after a curator's write")

    def ensure(self, store: Store) -> None:
        """Derive the view if a write left it stale (one reader at a time; the others wait
        for it, so as not to read a withdrawn person)."""
        if not self.stale:
            return
        with self._deriving:
            if not self.stale:
                return
            try:
                self._derive(store)
            except Exception:   # the read goes on; the next one tries again
                self._failed("before a read")

    def _derive(self, store: Store) -> None:
        from graph.privacy.persons import refresh_public_view

        with self._lock:
            failures = self._failures
        refresh_public_view(store, threshold=self.threshold)
        with self._lock:
            if self._failures == failures:   # no derivation failed meanwhile
                self.stale, self.stale_since = False, None

    def _failed(self, when: str) -> None:
        request = current_request()
        request_id = request.request_id if request is not None else None
        with self._lock:
            self._failures += 1
            self.stale = True
            self.stale_since = self.stale_since or request_id
        WRITES.error("public view of persons not derived %s; stale until derived again",
                     when, exc_info=True, extra={"fields": {
                         "request_id": request_id, "stale_since": self.stale_since,
                         **({"method": request.method, "path": request.path}
                            if request is not None else {})}})


def _may_change_view(store: Store, graph: str | None) -> bool:
    """Whether a write to ``graph`` (None: any) may change the public view of persons."""
    from graph.privacy.access import is_public
    from graph.privacy.persons import PUBLIC_PERSONS_GRAPH, restricted_graphs

    if graph is not None and graph != PUBLIC_PERSONS_GRAPH and is_public(store, graph):
        return False
    return bool(restricted_graphs(store)) or PUBLIC_PERSONS_GRAPH in store.graphs()


class Lookup(NamedTuple):
    """A one-subject lookup, as ``lookup_subject`` reads it."""

    subject: str
    #: what ``analyse_query`` says of it
    info: QueryInfo
    #: whether every solution binds a variable (each projected variable is one of the
    #: pattern's, which every matching triple binds): ``serialize_result`` may then write
    #: SPARQL JSON directly
    every_solution_binds: bool


def lookup_subject(text: str) -> Lookup | None:
    """The one-subject lookup ``text`` (no network, no dataset clause, within every bound);
    None for any other query.

    >>> lookup_subject("SELECT ?p ?o WHERE { <http://ex/s> ?p ?o }")  # doctest: +ELLIPSIS
    Lookup(subject='http://ex/s', info=QueryInfo(...), every_solution_binds=True)
    >>> lookup_subject("SELECT ?x WHERE { <http://ex/s> ?p ?o }").every_solution_binds
    False
    >>> lookup_subject("SELECT ?p ?o WHERE { <s> ?p ?o }") is None   # relative: BASE needed
    True
    """
    found = _LOOKUP.fullmatch(text)
    if found is None:
        return None
    mentioned = {iri[1:-1] for iri in _IRIS.findall(text)} & SERVICE_GRAPHS
    bound = set(_VARIABLE.findall(found["predicate"] + " " + found["object"]))
    projected = set(_VARIABLE.findall(found["projection"])) or bound   # SELECT *
    return Lookup(found["subject"], QueryInfo("SELECT", mentioned=frozenset(mentioned)),
                  bool(projected) and projected <= bound)


class InlineLookups:
    """Answers one-subject lookups on the embedded store, in the calling thread.

    The graphs each scope may read, and the store's whole union, are read once per version
    of the store (as a worker reads them once per snapshot)."""

    def __init__(self, engine: QueryEngine) -> None:
        self.engine = engine
        self._version = -1
        self._visible: dict[Scope, list[str]] = {}
        self._everything: frozenset[str] = frozenset()

    def answer(self, job: QueryJob, lookup: Lookup) -> Answer | None:
        """The answer to ``job``, the one-subject lookup ``lookup``; None when it is not for
        here (not an embedded store, or more than ``INLINE_ROWS`` solutions): the engine
        runs it then."""
        store = self.engine.store
        if store.native is None or not isinstance(store, VersionedStore):
            return None
        engine = self.engine
        version = store.version
        key = job_key(job) if engine.answers.capacity > 0 else None
        bounded = replace(job, limit=min(job.limit, INLINE_ROWS))
        started: float | None = time.perf_counter()
        error: BaseException | None = None
        try:
            kept = engine.answers.get(key, version) if key is not None else None
            if kept is not None:
                return kept
            visible, everything = self._graphs(store, version, job.scope)
            try:
                answer = _execute(store, bounded, visible, everything, lookup)
            except ResultTooLarge:
                if bounded.limit == job.limit:
                    raise
                started = None   # stopped at INLINE_ROWS: not a run of the query
                return None
            if key is not None and store.version == version:
                engine.answers.put(key, version, answer)
            return answer
        except BaseException as raised:
            error = raised
            raise
        finally:
            if started is not None:
                for observer in engine.observers:
                    observer(job, time.perf_counter() - started, error)
            error = None

    def _graphs(self, store: VersionedStore, version: int,
                scope: Scope) -> tuple[list[str], frozenset[str]]:
        if version != self._version:
            self._visible = {}
            named = frozenset(named_only(store.graphs()))
            native = store.native
            assert native is not None
            own = next(iter(native.quads_for_pattern(None, None, None, ox.DefaultGraph())), None)
            self._everything = named | {DEFAULT_GRAPH} if own is not None else named
            self._version = version
        visible = self._visible.get(scope)
        if visible is None:
            visible = self._visible[scope] = visible_graphs(store, scope)
        return visible, self._everything


def _execute(store: Store, job: QueryJob, visible: list[str], everything: frozenset[str],
             lookup: Lookup) -> Answer:
    """``execute``, leaving no pyoxigraph result in the frames of an error it raises: those
    objects must be dropped by the thread that made them, and the error goes on to the
    event loop's (as ``graph.engine.execution`` does for the engine's threads)."""
    try:
        return execute(store, job, lambda scope: visible, everything, info=lookup.info,
                       every_solution_binds=lookup.every_solution_binds)
    except BaseException as error:
        traceback.clear_frames(error.__traceback__)
        if type(error) is RuntimeError:   # pyoxigraph's evaluation errors: the query's fault
            raise QueryFailed(str(error)) from None
        raise


def inline_lookups(request: Request) -> InlineLookups:
    """The application's ``InlineLookups``."""
    lookups: InlineLookups = request.app.state.inline_lookups
    return lookups
