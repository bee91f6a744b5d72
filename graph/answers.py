"""Answers kept until the next write: the same query asked again is not run again.

A public site asks the same few queries over and over (the catalogue's, from its pages and
from visitors who copy them); on an embedded store this process makes every write, so an
answer stays exact until its store's write counter (``VersionedStore.version``) moves. The
cache holds whole serialised answers (``graph.results.Answer``), at most ``capacity`` bytes,
the least recently used going first; an answer larger than an eighth of it is not kept.
Errors are never kept. A remote store may be written by others: its answers are not kept.

>>> from graph.results import Answer
>>> cache = AnswerCache(capacity=1000)
>>> cache.put(("q",), 3, Answer("boolean", b"yes", "text/plain", 1))
>>> cache.get(("q",), 3).body, cache.get(("q",), 4)
(b'yes', None)
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable

from graph.results import Answer
from graph.sparql import QueryJob

#: bytes of answers kept by default
CAPACITY = 64 * 2**20


def job_key(job: QueryJob) -> Hashable:
    """What makes two jobs the same query with the same answer."""
    bound = tuple(sorted((name, str(term)) for name, term in job.substitutions.items()))
    return (job.sparql, job.scope, job.dataset, bound, job.solutions_format,
            job.graph_format, job.limit)


class AnswerCache:
    """Answers by key, for one version of the store at a time (thread-safe)."""

    def __init__(self, capacity: int = CAPACITY) -> None:
        self.capacity = capacity
        self._version: int | None = None
        self._answers: OrderedDict[Hashable, Answer] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

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


__all__ = ["AnswerCache", "job_key"]
