"""Catalogue answers evaluated again in the background after a write.

``KeptAnswers`` forgets an answer that a write may have changed, and the next ask then pays
a whole evaluation (seconds at 10^6 triples). A ``Refresher`` is given the jobs to maintain
(the route gives the catalogue queries asked with their default parameters in the public
scope) and, after each write, asks again those whose answer was forgotten, in threads of
its own (``parallel`` at once: the engine's background workers), so that the next ask finds
the answer kept:

- it asks through ``KeptAnswers.run`` with the engine's own ``run`` (the route passes it
  with ``background=True``: a background worker, at a lower priority, so that
  an evaluation here never takes a worker from a request nor a core it wants; the same time
  and size limits as an ask), and the engine's *flights*, so that an ask arriving while its
  query is being evaluated here waits for that evaluation instead of starting another;
- an answer the write left to be spliced (``graph.queries.splicing``: only the rows of the
  terms the write changed evaluated again) is spliced by the round, as an ask would;
- nothing starts while a write is under way; when a write lands during a round, the round
  stops after the query under way and starts over on the new version;
- a round asks the quickest first (by each job's last evaluation here; a job not yet
  evaluated before the others): most answers are back within seconds of a write, while the
  slowest evaluations (tens of seconds at 10^6 triples) come last, side by side;
- nothing is maintained where no answer can be kept (``KeptAnswers`` of capacity 0: the
  server's ``CIVICGRAPH_ANSWER_CACHE_MB=0``, as the endpoint benchmark runs it);
- the threads run at a lower priority (niceness +10 on Linux: they mostly wait for the
  workers); the first ends once the store is closed or the refresher stopped (``stop``,
  ``stop_refreshers``: the server's shutdown, whose engine can answer no more), the others
  with each round.

>>> from graph.store import open_store
>>> from graph.queries.kept import KeptAnswers
>>> refresher = Refresher(KeptAnswers(open_store("memory")), lambda job: None)
>>> refresher.maintained
0
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable

from graph.engine.answers import job_key
from graph.engine.snapshots import VersionedStore
from graph.errors import LimitExceeded, StoreError
from graph.queries.kept import KeptAnswers
from graph.sparql.request import QueryJob
from graph.sparql.results import Answer

log = logging.getLogger("civicgraph.catalogue")

#: how much nicer than the server the refreshing thread runs (Linux: per thread)
NICENESS = 10
#: seconds between two looks at whether the store was closed, while nothing is written
_POLL = 1.0


class Refresher:
    """Asks the jobs given to ``want`` again after each write that made ``kept`` forget
    their answer, with ``evaluate`` (the engine's ``run``), ``parallel`` at a time."""

    def __init__(self, kept: KeptAnswers, evaluate: Callable[[QueryJob], Answer], *,
                 parallel: int = 1) -> None:
        self.kept = kept
        self.evaluate = evaluate
        self.parallel = max(1, parallel)
        #: answers evaluated again so far, and evaluations that failed (a time limit...)
        self.refreshed = 0
        self.failed = 0
        #: set while no round is under way or due (for tests and benchmarks)
        self.idle = threading.Event()
        self.idle.set()
        #: the store's version the last round that asked every job brought them up to
        self.finished: int | None = None
        self._finished = threading.Condition()
        self._jobs: OrderedDict[Hashable, QueryJob] = OrderedDict()
        #: seconds the last evaluation of each job took here
        self._took: dict[Hashable, float] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stopped = threading.Event()

    @property
    def maintained(self) -> int:
        """How many jobs are maintained."""
        with self._lock:
            return len(self._jobs)

    def jobs(self) -> list[QueryJob]:
        """The maintained jobs."""
        with self._lock:
            return list(self._jobs.values())

    def wait(self, version: int, timeout: float) -> bool:
        """Wait until a round has asked every maintained job for ``version`` of the store
        or a later one; whether it did within ``timeout`` seconds (for benchmarks)."""
        with self._finished:
            return self._finished.wait_for(
                lambda: self.finished is not None and self.finished >= version, timeout)

    def want(self, job: QueryJob) -> None:
        """Maintain ``job``'s answer from now on (the thread starts with the first job)."""
        key = job_key(job)
        # with no room for answers (CIVICGRAPH_ANSWER_CACHE_MB=0) every round would evaluate
        # every job only to drop its answer
        if key is None or not isinstance(self.kept.store, VersionedStore) or \
                self.kept.capacity == 0:
            return
        with self._lock:
            self._jobs.setdefault(key, job)
            if self._thread is None and not self._stopped.is_set():
                self._thread = threading.Thread(target=self._loop, name="catalogue-refresh",
                                                daemon=True)
                self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Maintain nothing from now on: no round starts, the one under way ends after the
        evaluation under way; wait (at most ``timeout`` seconds) until its threads ended."""
        self._stopped.set()
        store = self.kept.store
        if isinstance(store, VersionedStore):
            with store.settled:   # the loop waits on it: it sees the stop at once
                store.settled.notify_all()
        with self._lock:
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def _loop(self) -> None:
        _lower_priority()
        store = self.kept.store
        assert isinstance(store, VersionedStore)
        done: int | None = self.kept.version

        def due() -> bool:
            return self._stopped.is_set() or (store.version != done and not store.writing)

        while store.native is not None and not self._stopped.is_set():
            with store.settled:
                if not store.settled.wait_for(due, timeout=_POLL) or self._stopped.is_set():
                    continue
                self.idle.clear()
            try:
                done = self._round()
            except Exception:   # the store failed to answer (closed under us, a disk error...)
                log.exception("catalogue refresh: the round stopped; the next write starts one")
                done = store.version   # no round again until the store moves on
            finally:
                self.idle.set()
            if done is not None:
                with self._finished:
                    self.finished = done
                    self._finished.notify_all()

    def _round(self) -> int | None:
        """Ask every maintained job whose answer is not kept for the store's version; that
        version when all were asked, else None (a write came: start over)."""
        version = self.kept.observe()
        if version is None:
            return None
        with self._lock:
            jobs = iter(sorted(self._jobs.items(),
                               key=lambda item: self._took.get(item[0], 0.0)))
        taking = threading.Lock()
        moved = threading.Event()   # a write came, or the store was closed

        def ask() -> None:
            while not moved.is_set():
                with taking:
                    key, job = next(jobs, (None, None))
                if job is None:
                    return
                if self.kept.store.version != version or self.kept.store.native is None \
                        or self._stopped.is_set():
                    moved.set()
                    return
                if not self.kept.holds(job):
                    self._ask(key, job)

        failures: list[Exception] = []

        def side() -> None:
            _lower_priority()
            try:
                ask()
            except Exception as error:   # as the round's own thread would: the loop logs it
                moved.set()
                failures.append(error)

        others: list[threading.Thread] = []
        try:
            for _ in range(self.parallel - 1):
                thread = threading.Thread(target=side, name="catalogue-refresh", daemon=True)
                thread.start()   # may fail (out of threads): those started are joined below
                others.append(thread)
            ask()
        except BaseException:
            moved.set()
            raise
        finally:   # no round starts while one of this round's evaluations is under way
            for thread in others:
                thread.join()
        if failures:
            raise failures[0]
        return None if moved.is_set() else version

    def _ask(self, key: Hashable, job: QueryJob) -> None:
        def timed(job: QueryJob) -> Answer:
            # only an evaluation made here times the job (an ask may have kept its answer
            # meanwhile, and then nothing is evaluated)
            start = time.monotonic()
            try:
                return self.evaluate(job)
            finally:
                self._took[key] = time.monotonic() - start

        try:
            # gzip taken: an answer an ask kept meanwhile is not decompressed for nothing
            self.kept.run_encoded(job, timed, gzip_ok=True)
            with self._lock:
                self.refreshed += 1
        except (LimitExceeded, StoreError):   # a limit, a closed or failing store: an ask says
            with self._lock:
                self.failed += 1
        except Exception:   # anything else (a worker that could not start...) is logged
            log.exception("catalogue refresh: an answer could not be evaluated")
            with self._lock:
                self.failed += 1


def _lower_priority() -> None:
    """Lower the calling thread's priority (Linux threads are tasks of their own)."""
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), NICENESS)


_REFRESHERS: weakref.WeakKeyDictionary[KeptAnswers, Refresher] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def stop_refreshers(store: object, timeout: float = 30.0) -> int:
    """Stop the refreshers of ``store``'s kept answers (``Refresher.stop``) and forget them:
    a server over the same store later makes its own, with its own engine. How many."""
    with _LOCK:
        found = [kept for kept in _REFRESHERS if kept.store is store]
        stopping = [_REFRESHERS.pop(kept) for kept in found]
    for each in stopping:
        each.stop(timeout)
    return len(stopping)


def refresher_of(kept: KeptAnswers) -> Refresher | None:
    """The ``Refresher`` of ``kept``, if one was made."""
    with _LOCK:
        return _REFRESHERS.get(kept)


def refresher(kept: KeptAnswers, evaluate: Callable[[QueryJob], Answer], *,
              parallel: int = 1) -> Refresher:
    """The ``Refresher`` of ``kept`` (made at the first call, with ``evaluate`` and
    ``parallel``)."""
    with _LOCK:
        found = _REFRESHERS.get(kept)
        if found is None:
            found = _REFRESHERS[kept] = Refresher(kept, evaluate, parallel=parallel)
        return found


__all__ = ["NICENESS", "Refresher", "refresher", "refresher_of", "stop_refreshers"]
