"""Turns: which waiting query gets the next free query worker (``graph.engine.workers``,
whose docstring tells the rule under "Turns" and "Lane"): a client running fewer than its
share first, then the one that used the workers least lately, then the first come; the
lane's workers only to a client running nothing and stopped by no limit lately.

>>> turns = Turns(share=1)
>>> turns.put("worker")
>>> turns.take("a client", wait=0.1)
'worker'
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import Counter
from collections.abc import Callable, Hashable
from typing import Any

from graph.errors import StoreUnavailable

#: seconds after which the worker time a client used counts half in its turn
USAGE_HALF_LIFE = 30.0
#: seconds during which a client whose query was stopped by a limit waits less for a worker
STOPPED_MEMORY = 60.0
#: seconds between two looks at whether the pool was closed, for a query waiting its turn
CLOSED_CHECK = 0.1


class Turns:
    """The idle workers, and which waiting query gets the next one (see "Turns" above)."""

    def __init__(self, share: int, half_life: float = USAGE_HALF_LIFE, *,
                 closed: Callable[[], bool] = lambda: False) -> None:
        self.share = share
        self.half_life = half_life
        #: whether the pool is closed: a query waiting its turn is refused then (it waited
        #: its whole limit for a worker that would never come: a server's stop with a
        #: catalogue round under way waited 20 s)
        self.closed = closed
        self._condition = threading.Condition()
        self._idle: list[Any] = []
        self._lane: list[Any] = []            # idle workers of the lane
        self._waiting: dict[int, Hashable] = {}   # turn number -> client, in arrival order
        self._numbers = itertools.count()
        self._running: Counter[Hashable] = Counter()
        self._used: dict[Hashable, tuple[float, float]] = {}  # client -> (seconds, when)
        self._stopped: dict[Hashable, float] = {}   # client -> when a query of it was stopped

    def qsize(self) -> int:
        """How many workers are idle."""
        with self._condition:
            return len(self._idle)

    def put(self, worker: Any, *, lane: bool = False) -> None:
        """``worker`` is idle (``lane``: it is a worker of the lane)."""
        with self._condition:
            (self._lane if lane else self._idle).append(worker)
            self._condition.notify_all()

    def take(self, client: Hashable, wait: float) -> Any | None:
        """An idle worker for ``client`` when its turn comes, or None after ``wait`` s;
        ``StoreUnavailable`` once the pool is closed."""
        end = time.monotonic() + wait
        with self._condition:
            number = next(self._numbers)
            self._waiting[number] = client
            try:
                while True:
                    if self.closed():
                        raise StoreUnavailable("the query engine was closed")
                    if self._next() == number:
                        worker = self._free_for(client)
                        assert worker is not None
                        self._running[client] += 1
                        return worker
                    left = end - time.monotonic()
                    if left <= 0:
                        return None
                    self._condition.wait(min(left, CLOSED_CHECK))
            finally:
                del self._waiting[number]
                self._condition.notify_all()

    def done(self, client: Hashable, seconds: float, *, stopped: bool = False) -> None:
        """A query of ``client`` that held a worker ``seconds`` s is over (``stopped``: by
        a limit)."""
        with self._condition:
            self._running[client] -= 1
            if self._running[client] <= 0:
                del self._running[client]
            now = time.monotonic()
            self._used[client] = (self._usage(client, now) + seconds, now)
            if stopped:
                self._stopped[client] = now
            if len(self._used) > 1000:   # forget the clients whose use has faded
                self._used = {c: u for c, u in self._used.items()
                              if c in self._running or self._usage(c, now) > 0.01}
                self._stopped = {c: t for c, t in self._stopped.items()
                                 if now - t < STOPPED_MEMORY}
            self._condition.notify_all()

    def recently_stopped(self, client: Hashable) -> bool:
        """Whether a query of ``client`` was stopped by a limit in the last
        ``STOPPED_MEMORY`` seconds."""
        with self._condition:
            when = self._stopped.get(client)
        return when is not None and time.monotonic() - when < STOPPED_MEMORY

    def _usage(self, client: Hashable, now: float) -> float:
        seconds, when = self._used.get(client, (0.0, now))
        return float(seconds * 0.5 ** ((now - when) / self.half_life))

    def _lane_for(self, client: Hashable) -> bool:
        """Whether ``client`` may have a worker of the lane: it runs no query and had none
        stopped by a limit lately."""
        stopped = self._stopped.get(client)
        return not self._running[client] and (
            stopped is None or time.monotonic() - stopped >= STOPPED_MEMORY)

    def _may_take(self, client: Hashable) -> bool:
        """Whether an idle worker may go to ``client`` (of the pool, or of the lane)."""
        return bool(self._idle) or (bool(self._lane) and self._lane_for(client))

    def _free_for(self, client: Hashable) -> Any | None:
        if self._idle:
            return self._idle.pop()
        if self._lane and self._lane_for(client):
            return self._lane.pop()
        return None

    def _next(self) -> int | None:
        """The turn number of the waiting query that gets the next worker, if any may."""
        now = time.monotonic()
        ready = [number for number, client in self._waiting.items() if self._may_take(client)]
        if not ready:
            return None
        return min(ready, key=lambda number: (
            self._running[self._waiting[number]] >= self.share,
            self._usage(self._waiting[number], now), number))


__all__ = ["STOPPED_MEMORY", "USAGE_HALF_LIFE", "Turns"]
