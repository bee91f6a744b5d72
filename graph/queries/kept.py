"""Catalogue answers kept across the writes that cannot change them.

The engine keeps an answer until the next write (``graph.engine.answers``); with the union
default graph every answer reads every graph, so any write, even one to a small organisation
graph, makes the next ask of every catalogue query run again (25 s for ``single_source_facts``
at 10^6 triples). But a write changes an answer only through the triples it added or removed,
and only if one of them can match a pattern of the query: ``KeptAnswers`` keeps each answer
with the query's footprint (``graph.queries.footprint``) and, after each write, keeps it for
the new version of the store when no changed triple meets the footprint (a graph shown to or
hidden from the answer's reader counts as changed whole); otherwise it forgets it. Every
answer it gives is exact for the store as it is when asked: it is never stale.

What a write changed is found between two *observations* of the store (made when a catalogue
query is asked, never while a write is under way):

- a graph the store logged as written (``Store.written``) went from what it held at the last
  observation to what it holds now. A graph of at most ``SMALL_GRAPH`` triples is kept whole,
  so the triples added and removed are known one by one; of a larger one only the summary
  (its predicates and classes) is known, before and after;
- the meta graphs are rewritten by every write (each graph's description: size, digest,
  moment) without being logged: they are kept whole and compared;
- a triple added to one graph that another graph holds already is a change all the same:
  a query over several graphs listed as its default graph counts it twice on Oxigraph, and
  one reading ``GRAPH ?g`` sees one graph more;
- a write whose graphs are not known (a SPARQL update: ``"*"``) changed everything.

A store that does not count its writes (a remote one) has nothing kept here.

An answer the change meets is *spliced* rather than forgotten where that is provably exact
(``graph.queries.splicing``): when every changed triple known one by one that may matter
changes only rows whose projected ``?k`` is its subject or object, the answer is kept for the
new version with those terms (``_Kept.splice``), and the next ask (or the ``Refresher``)
evaluates the query restricted to them and merges the rows into the old answer. Only SPARQL
JSON answers of at most ``SPLICE_UP_TO`` bytes are spliced: past it, reading and writing the
answer costs more than most evaluations (``bench/bench_splicing.py``); a job whose splice
took longer than its evaluation as a whole, or whose rows could not be put back in order, is
evaluated whole from then on. Where the changed triples were added and bind only a variable
the answer does not project, the keys are derived through the join at the splice
(``graph.queries.derivation``: the values of ``?k`` in the rows binding the new terms, read
after the write in the job's scope); a job whose derivation took longer than its evaluation
is not derived through again (its other splices are still made).

An answer of more than ``COMPRESS_FROM`` bytes is kept gzip-compressed (SPARQL JSON of tens of
thousands of rows shrinks about tenfold): the memory it takes is counted compressed, and
``run_encoded`` gives it as kept to a caller that can send it so (an HTTP client that accepts
gzip), where ``run`` gives every answer as the engine wrote it.
"""

from __future__ import annotations

import dataclasses
import gzip
import json
import threading
import time
import weakref
import zlib
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass

import pyoxigraph as ox

from graph.engine.answers import CAPACITY, job_key
from graph.engine.snapshots import VersionedStore
from graph.errors import CivicgraphError
from graph.namespaces import META_GRAPH
from graph.privacy.access import RESTRICTED_META_GRAPH
from graph.queries.changes import (
    EMPTY,
    KEPT_TRIPLES,
    SMALL_GRAPH,
    Change,
    Content,
    Holds,
    size_up_to,
    summarise,
    summary_of,
)
from graph.queries.confinement import Plan
from graph.queries.derivation import plan
from graph.queries.footprint import NOTHING, Footprint, footprint
from graph.queries.multiplicity import insensitive, restated
from graph.queries.splicing import Splice, Unsortable, merged, restricted, term_of
from graph.sparql.request import QueryJob, Scope, visible_graphs
from graph.sparql.results import Answer
from graph.store import DEFAULT_GRAPH, Store

#: the graphs every write rewrites, compared triple by triple
META_GRAPHS = (META_GRAPH, RESTRICTED_META_GRAPH)
#: the largest answer kept, as a share of the capacity: catalogue answers are few and some
#: are large (``single_source_usages``: about 30 MB of JSON at 10^6 triples), where the
#: engine's cache keeps none over an eighth of its capacity
LARGEST_SHARE = 4
#: answers larger than this (bytes) are kept gzip-compressed
COMPRESS_FROM = 256 * 1024
#: zlib's level for them: the fastest (about 100 MB/s here, JSON of solutions to a tenth)
COMPRESS_LEVEL = 1
#: the content coding of a compressed answer's body
GZIP = "gzip"
#: a splice quicker than this (seconds) is never held against its job: the evaluation time
#: it is compared with may be that of an ask that only waited for another's evaluation
SPLICE_FLOOR = 0.5
#: the jobs not spliced again are forgotten past this many (parameters have no end)
UNSPLICED_JOBS = 4096
#: answers of at most this many bytes (uncompressed SPARQL JSON) are spliced after a write
#: that changes them, larger ones forgotten (measured: bench/RESULTS.md, session 10)
SPLICE_UP_TO = 16 * 1024 * 1024
#: a splice whose keys derived through a join are more than this is not made (the
#: restricted query would cost about a whole evaluation)
DERIVED_KEYS = 1_000
#: the answers spliced, in this format
_JSON = "json"
@dataclass
class _Kept:
    #: the answer, its body gzip-compressed when ``compressed``
    answer: Answer
    version: int
    scope: Scope
    visible: tuple[str, ...]
    footprint: Footprint
    compressed: bool = False
    #: how to splice the answer (JSON answers only; None: it is forgotten at a change)
    plan: Plan | None = None
    #: the rows the writes since it was evaluated changed: the answer is to be spliced
    #: before it is given (None: it is exact as it is)
    splice: Splice | None = None
    #: seconds its last evaluation as a whole took (a splice dearer than that is not made
    #: again)
    took: float = float("inf")
    #: whether the answer reads the triples as a set, over the visible graphs' union
    #: (``graph.queries.multiplicity``): a triple restated in one more graph is no change
    insensitive: bool = False

    @property
    def size(self) -> int:
        """The size of the answer's body as written (uncompressed)."""
        body = self.answer.body
        return int.from_bytes(body[-4:], "little") if self.compressed else len(body)

    def given(self, gzip_ok: bool) -> tuple[Answer, str | None]:
        """The answer for a caller that takes gzip or not, with its body's coding."""
        if not self.compressed:
            return self.answer, None
        if gzip_ok:
            return self.answer, GZIP
        return dataclasses.replace(self.answer, body=decompressed(self.answer.body)), None


def decompressed(body: bytes) -> bytes:
    """A gzip member's content, in one buffer of the size its trailer gives (``gzip.decompress``
    grows its buffer as it goes: twice the answer's memory at its peak)."""
    size = int.from_bytes(body[-4:], "little")   # ISIZE: the content's size modulo 2**32
    return zlib.decompress(body, wbits=31, bufsize=max(size, 1))


def _insensitive(job: QueryJob) -> bool:
    """Whether ``job`` reads the union of the visible graphs as a set."""
    return job.dataset is None and job.union_default_graph and insensitive(job.sparql)


class KeptAnswers:
    """Answers of ``store``'s queries kept across the writes that cannot change them, at
    most ``capacity`` bytes (the least recently asked go first; none larger than a
    ``LARGEST_SHARE``-th of it). Thread-safe."""

    def __init__(self, store: Store, capacity: int = CAPACITY, *, splice: bool = True) -> None:
        self.store = store
        self.capacity = capacity
        #: whether answers a write changed are spliced where that is exact (else forgotten)
        self.splicing = splice
        #: the store's version at the last observation (None: none yet)
        self.version: int | None = None
        #: answers carried over a write and forgotten at one, so far (for tests and logs)
        self.carried = 0
        self.forgotten = 0
        #: answers marked to be spliced at a write, and spliced at an ask, so far
        self.to_splice = 0
        self.spliced = 0
        #: splices whose keys were derived through a join (``graph.queries.derivation``)
        self.derived = 0
        #: answers carried over a write that only restated triples their reader saw
        #: (``graph.queries.multiplicity``)
        self.as_sets = 0
        self._contents: dict[str, Content] = {}
        self._visible: dict[Scope, tuple[str, ...]] = {}
        self._answers: OrderedDict[Hashable, _Kept] = OrderedDict()
        #: the jobs not spliced any more: their rows could not be put back in order
        #: (``Unsortable``), or splicing took longer than evaluating them whole
        self._unspliced: set[Hashable] = set()
        #: the jobs whose keys are not derived through a join any more: a splice that did
        #: took longer than evaluating them whole (their other splices are still made)
        self._underived: set[Hashable] = set()
        self._size = 0
        self._lock = threading.RLock()

    def run(self, job: QueryJob, evaluate: Callable[[QueryJob], Answer]) -> Answer:
        """The answer to ``job``: kept if no write since could change it, else
        ``evaluate(job)`` (kept in turn when no write came meanwhile)."""
        return self.run_encoded(job, evaluate, gzip_ok=False)[0]

    def run_encoded(self, job: QueryJob, evaluate: Callable[[QueryJob], Answer], *,
                    gzip_ok: bool) -> tuple[Answer, str | None]:
        """As ``run``, with the coding of the answer's body: ``"gzip"`` (only when
        ``gzip_ok``) for a large answer given as kept, else None (the body as written)."""
        found = footprint(job.sparql, frozenset(job.substitutions))
        key = job_key(job)
        version = self.observe()
        if found is None or key is None or version is None:
            return evaluate(job), None
        with self._lock:
            kept = self._answers.get(key)
            if kept is not None and kept.version == version:
                self._answers.move_to_end(key)
                # a snapshot: a write observed meanwhile changes the kept one in place
                kept = dataclasses.replace(kept)
            else:
                kept, visible = None, self._visible_to(job.scope)
        if kept is not None and kept.splice is not None:
            answer = self._spliced(key, job, kept, evaluate)
            if answer is not None:
                return answer, None
            visible = kept.visible
            kept = None
        if kept is not None:   # decompressed, when it must be, out of the lock
            return kept.given(gzip_ok)
        started = time.monotonic()
        answer = evaluate(job)
        self._keep(key, _Kept(answer, version, job.scope, visible, found,
                              plan=self._plan_of(job), took=time.monotonic() - started,
                              insensitive=_insensitive(job)))
        return answer, None

    def _plan_of(self, job: QueryJob) -> Plan | None:
        if not self.splicing or job.solutions_format != _JSON or \
                job_key(job) in self._unspliced:
            return None
        found = plan(job.sparql, frozenset(job.substitutions))
        return found if found.reason is None else None

    def _keep(self, key: Hashable, kept: _Kept) -> None:
        """Keep ``kept`` if no write came since its version (its answer is of it)."""
        if self.observe() != kept.version:
            return
        answer = kept.answer
        if len(answer.body) > COMPRESS_FROM:
            body = gzip.compress(answer.body, compresslevel=COMPRESS_LEVEL, mtime=0)
            kept.answer, kept.compressed = dataclasses.replace(answer, body=body), True
        self._put(key, kept)

    def _spliced(self, key: Hashable, job: QueryJob, kept: _Kept,
                 evaluate: Callable[[QueryJob], Answer]) -> Answer | None:
        """``kept`` spliced for its version: the rows of its splice's keys evaluated again
        (``evaluate`` given the restricted query, in the job's scope) and merged; None if
        they cannot be merged or a write came meanwhile (then the answer is evaluated
        whole)."""
        splice, found = kept.splice, kept.plan
        assert splice is not None and found is not None and found.order is not None
        started = time.monotonic()
        derived = bool(splice.derived)
        if derived:
            splice = self._derive(job, found, splice, evaluate)
            if splice is None:
                return None
        rows = [(variable, evaluate(dataclasses.replace(
                    job, sparql=restricted(job.sparql, variable, keys))).body)
                for variable, keys in splice.keys.items()]
        if self.observe() != kept.version:   # the rows may be of another version
            return None
        old = decompressed(kept.answer.body) if kept.compressed else kept.answer.body
        try:
            body, count = merged(old, rows, splice, found.order)
        except Unsortable:   # not again: the answer is evaluated whole from now on
            self._never(self._unspliced, key)
            return None
        spent = time.monotonic() - started
        if spent > max(kept.took, SPLICE_FLOOR):   # dearer than an evaluation: not again
            self._never(self._underived if derived else self._unspliced, key)
        if count > job.limit:
            return None
        answer = dataclasses.replace(kept.answer, body=body, count=count)
        self._keep(key, _Kept(answer, kept.version, kept.scope, kept.visible, kept.footprint,
                              plan=self._plan_of(job), took=kept.took,
                              insensitive=kept.insensitive))
        with self._lock:
            self.spliced += 1
        return answer

    def _never(self, jobs: set[Hashable], key: Hashable) -> None:
        """Add ``key`` to ``jobs`` (``_unspliced``, ``_underived``), forgotten past
        ``UNSPLICED_JOBS`` (parameters have no end)."""
        with self._lock:
            if len(jobs) >= UNSPLICED_JOBS:
                jobs.clear()
            jobs.add(key)

    def _derive(self, job: QueryJob, found: Plan, splice: Splice,
                evaluate: Callable[[QueryJob], Answer]) -> Splice | None:
        """``splice`` with its derived keys found (``graph.queries.derivation``: evaluated
        now, in the job's scope), or None if one is a blank node."""
        keys = {v: set(terms) for v, terms in splice.keys.items()}
        parameters = set(job.substitutions)
        also = parameters if parameters <= found.selects[0][0] else set()
        for (index, key, variable), terms in splice.derived.items():
            text = found.sources.found[index].text(key, variable, (str(t) for t in terms), also)
            if text is None:   # no join of triple patterns from the one to the other
                return None
            try:
                answer = evaluate(dataclasses.replace(job, sparql=text))
            except CivicgraphError:   # refused, too large, too long: evaluated whole
                return None
            for row in json.loads(answer.body)["results"]["bindings"]:
                term = term_of(row[key]) if key in row else None
                if key in row and term is None:
                    return None
                if term is not None:
                    keys.setdefault(key, set()).add(term)
            if sum(map(len, keys.values())) > DERIVED_KEYS:
                return None   # restricted to that many, the query costs about a whole one
        with self._lock:
            self.derived += 1
        return Splice({v: frozenset(terms) for v, terms in sorted(keys.items())})

    def holds(self, job: QueryJob) -> bool:
        """Whether an answer to ``job`` is kept for the version of the last observation."""
        key = job_key(job)
        with self._lock:
            kept = self._answers.get(key) if key is not None else None
            return kept is not None and kept.version == self.version and kept.splice is None

    def observe(self) -> int | None:
        """The store's version, after carrying the kept answers over the writes since the
        last observation; None while a write is under way, or for a store that does not
        count its writes."""
        store = self.store
        if not isinstance(store, VersionedStore):
            return None
        with self._lock:
            with store.settled:
                if store.writing:
                    return None
                version = store.version
                written = dict(store.written)
            if version == self.version:
                return version
            contents = dict(self._contents)
            change = self._changes(written, contents)
            with store.settled:   # a write began or ended while we read: try again later
                if store.writing or store.version != version:
                    return None
            # the carry reads the store too (the graphs each reader sees, those holding a
            # restated triple, anchors): a write landing meanwhile would be read as if
            # observed, then never noted; the answers as they were are put back, and the
            # next observation carries them over both writes
            saved = (OrderedDict((k, dataclasses.replace(v)) for k, v in self._answers.items()),
                     self._size, self._contents)
            self._contents = contents
            self._carry(change, version)
            with store.settled:
                if store.writing or store.version != version:
                    self._answers, self._size, self._contents = saved
                    return None
            self.version = version
            return version

    def _changes(self, written: dict[str, int], contents: dict[str, Content]) -> Change:
        """What the writes since the last observation changed, ``contents`` brought up to
        date."""
        if self.version is None:   # the first observation: every graph as it is
            for graph in [*self.store.graphs(), DEFAULT_GRAPH, *META_GRAPHS]:
                contents[graph] = self._read(graph, contents)
            return Change(everything=True)
        logged = [g for g, v in written.items() if v > self.version]
        change = Change(everything="*" in logged)
        if change.everything:
            logged = [*self.store.graphs(), DEFAULT_GRAPH, *contents]
        change.graphs = {*logged, *META_GRAPHS}
        for graph in dict.fromkeys([*logged, *META_GRAPHS]):
            before = contents.pop(graph, EMPTY)
            after = contents[graph] = self._read(graph, contents)
            change.note(before, after)
        return change

    def _read(self, graph: str, contents: dict[str, Content]) -> Content:
        size = size_up_to(self.store, graph, SMALL_GRAPH) if graph != DEFAULT_GRAPH \
            else SMALL_GRAPH + 1
        kept = sum(c.size for c in contents.values())
        if graph in META_GRAPHS or (size <= SMALL_GRAPH and kept + size <= KEPT_TRIPLES):
            result = self.store.query("CONSTRUCT WHERE { ?s ?p ?o }", default_graph=[graph])
            assert not isinstance(result, (ox.QuerySolutions, ox.QueryBoolean))
            triples = frozenset(result)
            return Content(summary_of(triples), triples)
        return Content(summarise(self.store, graph), None)

    def _carry(self, change: Change, version: int) -> None:
        """Keep for ``version`` the answers ``change`` cannot have changed, forget others."""
        scopes = {kept.scope for kept in self._answers.values()}
        self._visible = {}
        visible = {scope: self._visible_to(scope) for scope in scopes}
        holds = Holds(self.store)
        repeated: dict[tuple[frozenset[str], frozenset[str]], set[ox.Triple]] = {}
        for key, kept in list(self._answers.items()):
            seen = Change(set(change.added), set(change.removed), change.summary,
                          change.everything, change.graphs)
            moved = frozenset(set(kept.visible) ^ set(visible[kept.scope]))
            for graph in moved:   # shown or hidden
                content = self._contents.get(graph, Content(NOTHING, None))
                if graph in kept.visible:   # hidden: its triples are gone, for the reader
                    seen.note(content, EMPTY)
                else:
                    seen.note(EMPTY, content)
            if kept.insensitive and not seen.everything and (seen.added or seen.removed):
                # held, before the write and after, by a graph the reader sees that no write
                # touched: no change to an answer that reads the triples as a set
                holders = frozenset(set(kept.visible) & set(visible[kept.scope])) - seen.graphs
                if (holders, moved) not in repeated:
                    repeated[holders, moved] = restated(self.store, seen.added | seen.removed,
                                                        holders)
                before = seen.meets(kept.footprint, holds)
                seen.added -= repeated[holders, moved]
                seen.removed -= repeated[holders, moved]
                self.as_sets += before and not seen.meets(kept.footprint, holds)
            if seen.meets(kept.footprint, holds):
                splice = self._splice_of(kept, seen, holds, key not in self._underived)
                if splice is None:
                    self._size -= len(self._answers.pop(key).answer.body)
                    self.forgotten += 1
                    continue
                kept.splice = splice
                self.to_splice += 1
            else:
                self.carried += 1
            kept.version = version
            kept.visible = visible[kept.scope]

    def _splice_of(self, kept: _Kept, seen: Change, holds: Holds, derive: bool
                   ) -> Splice | None:
        """The splice that brings ``kept`` over ``seen`` (with those it awaits already;
        keys derived through a join if ``derive``), or None: it must be forgotten."""
        if kept.plan is None or kept.size > SPLICE_UP_TO:
            return None
        found = seen.splice(kept.plan, kept.footprint, holds, derive=derive)
        if isinstance(found, str):
            return None
        return found if kept.splice is None else kept.splice | found

    def _visible_to(self, scope: Scope) -> tuple[str, ...]:
        if scope not in self._visible:
            self._visible[scope] = tuple(visible_graphs(self.store, scope))
        return self._visible[scope]

    def _put(self, key: Hashable, kept: _Kept) -> None:
        size = len(kept.answer.body)
        if size > self.capacity // LARGEST_SHARE:
            return
        with self._lock:
            if kept.version != self.version:
                return
            if key in self._answers:
                self._size -= len(self._answers.pop(key).answer.body)
            self._answers[key] = kept
            self._size += size
            while self._size > self.capacity:
                _, dropped = self._answers.popitem(last=False)
                self._size -= len(dropped.answer.body)


_KEPT: weakref.WeakKeyDictionary[Store, KeptAnswers] = weakref.WeakKeyDictionary()
_KEPT_LOCK = threading.Lock()


def kept_answers(store: Store, capacity: int = CAPACITY) -> KeptAnswers:
    """The ``KeptAnswers`` of ``store`` (made at the first call, with ``capacity``)."""
    with _KEPT_LOCK:
        found = _KEPT.get(store)
        if found is None:
            found = _KEPT[store] = KeptAnswers(store, capacity)
        return found


__all__ = ["COMPRESS_FROM", "COMPRESS_LEVEL", "GZIP", "LARGEST_SHARE", "META_GRAPHS", "Change",
           "KeptAnswers", "decompressed", "kept_answers", "size_up_to", "summarise",
           "summary_of"]
