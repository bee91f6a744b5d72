"""Answers kept until the next write: the same query asked again is not run again.

A public site asks the same few queries over and over (the catalogue's, from its pages and
from visitors who copy them); on an embedded store this process makes every write, so an
answer stays exact until its store's write counter (``VersionedStore.version``) moves. The
cache holds whole serialised answers (``graph.sparql.results.Answer``), at most ``capacity`` bytes,
the least recently used going first; an answer larger than an eighth of it is not kept.
Errors are never kept. A remote store may be written by others: its answers are not kept.
Nor are the answers of a query that calls ``NOW``, ``RAND``, ``UUID``, ``STRUUID`` or
``BNODE``: asked again, it must be evaluated again (``job_key`` is None for it).

The same query asked again while it runs is not started again either: ``flight`` makes the
first asker the leader, and the others wait for its answer (``Flight``). A request that will
not wait for a run in the background (at a lower priority) ``overtake``s it: it leads a run of
its own that the asks after it follow.

>>> from graph.sparql.results import Answer
>>> cache = AnswerCache(capacity=1000)
>>> cache.put(("q",), 3, Answer("boolean", b"yes", "text/plain", 1))
>>> cache.get(("q",), 3).body, cache.get(("q",), 4)
(b'yes', None)
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Hashable

from graph.sparql.request import QueryJob
from graph.sparql.results import Answer

#: bytes of answers kept by default
CAPACITY = 64 * 2**20
#: the functions whose value changes from one evaluation to the next
_VOLATILE = re.compile(r"\b(?:NOW|RAND|UUID|STRUUID|BNODE)\s*\(", re.IGNORECASE)


def job_key(job: QueryJob) -> Hashable | None:
    """What makes two jobs the same query with the same answer; None when no two runs of
    the query need give the same answer.

    >>> from graph.sparql.request import QueryJob
    >>> job_key(QueryJob("SELECT (NOW() AS ?t) {}", scope="public")) is None
    True
    """
    if _VOLATILE.search(job.sparql):
        return None
    bound = tuple(sorted((name, str(term)) for name, term in job.substitutions.items()))
    return (job.sparql, job.scope, job.dataset, bound, job.solutions_format,
            job.graph_format, job.limit, job.union_default_graph)


class Flight:
    """A query being run by a leader for everyone who asks it meanwhile."""

    def __init__(self, *, background: bool = False) -> None:
        self.done = threading.Event()
        #: the leader's answer, or the error its run ended with
        self.answer: Answer | None = None
        self.error: BaseException | None = None
        #: whether the leader runs it in the background (a lower priority)
        self.background = background


class AnswerCache:
    """Answers by key, for one version of the store at a time (thread-safe)."""

    def __init__(self, capacity: int = CAPACITY) -> None:
        self.capacity = capacity
        self._version: int | None = None
        self._answers: OrderedDict[Hashable, Answer] = OrderedDict()
        self._size = 0
        self._flights: dict[tuple[Hashable, int], Flight] = {}
        self._lock = threading.Lock()

    def flight(self, key: Hashable, version: int, *,
               background: bool = False) -> tuple[Flight, bool]:
        """The flight of ``key`` at ``version``, and whether the caller leads it (runs the
        query, then calls ``land``) or follows (waits for ``flight.done``); ``background``:
        a leader would run it in the background."""
        with self._lock:
            found = self._flights.get((key, version))
            if found is not None:
                return found, False
            found = self._flights[(key, version)] = Flight(background=background)
            return found, True

    def overtake(self, key: Hashable, version: int, flight: Flight) -> tuple[Flight, bool]:
        """For a request that will not wait for the background ``flight`` of ``key`` at
        ``version``: a flight that it leads in its place (those following ``flight`` still
        follow it; later asks follow the new one), or the one another request leads already
        (the caller follows it). ``flight`` itself if it has landed meanwhile."""
        with self._lock:
            found = self._flights.get((key, version))
            if found is None:
                return flight, False
            if not found.background:
                return found, False
            found = self._flights[(key, version)] = Flight()
            return found, True

    def land(self, key: Hashable, version: int, flight: Flight, answer: Answer | None,
             error: BaseException | None) -> None:
        """The leader's run of ``key`` in ``flight`` ended with ``answer`` or ``error``."""
        with self._lock:
            if self._flights.get((key, version)) is flight:   # else overtaken
                del self._flights[(key, version)]
        flight.answer, flight.error = answer, error
        flight.done.set()

    def get(self, key: Hashable, version: int) -> Answer | None:
        """The answer kept for ``key`` at ``version``, if any."""
        with self._lock:
            if version != self._version:
                return None
            found = self._answers.get(key)
            if found is not None:
                self._answers.move_to_end(key)
            return found

    def put(self, key: Hashable, version: int, answer: Answer) -> None:
        """Keep ``answer`` for ``key`` at ``version`` (forgetting every older version)."""
        size = len(answer.body)
        if size > self.capacity // 8:
            return
        with self._lock:
            if self._version is not None and version < self._version:
                return
            if version != self._version:
                self._answers.clear()
                self._size = 0
                self._version = version
            if key in self._answers:
                self._size -= len(self._answers.pop(key).body)
            self._answers[key] = answer
            self._size += size
            while self._size > self.capacity:
                _, dropped = self._answers.popitem(last=False)
                self._size -= len(dropped.body)


__all__ = ["AnswerCache", "Flight", "job_key"]
