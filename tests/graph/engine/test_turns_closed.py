"""A query waiting its turn for a worker when the pool closes is refused at once
(``graph.engine.turns.Turns``, given ``closed`` by ``graph.engine.workers.QueryPool``): it
waited its whole limit for a worker that would never come (a server stopped with a
catalogue round under way took 20 s to stop)."""

from __future__ import annotations

import threading
import time

import pytest

from graph.engine.turns import Turns
from graph.errors import StoreUnavailable


def test_a_query_waiting_its_turn_is_refused_when_the_pool_closes() -> None:
    closed = threading.Event()
    turns = Turns(share=1, closed=closed.is_set)   # no idle worker: a take waits
    outcome: list[BaseException | object] = []

    def take() -> None:
        try:
            outcome.append(turns.take("a client", wait=60))
        except BaseException as error:
            outcome.append(error)

    waiting = threading.Thread(target=take)
    waiting.start()
    closed.set()
    started = time.monotonic()
    waiting.join(10)
    assert not waiting.is_alive() and time.monotonic() - started < 5
    assert len(outcome) == 1 and isinstance(outcome[0], StoreUnavailable)


def test_no_worker_is_given_once_closed_even_an_idle_one() -> None:
    turns = Turns(share=1, closed=lambda: True)
    turns.put("worker")
    with pytest.raises(StoreUnavailable):
        turns.take("a client", wait=1)


def test_an_open_pool_gives_its_idle_worker() -> None:
    turns = Turns(share=1, closed=lambda: False)
    turns.put("worker")
    assert turns.take("a client", wait=1) == "worker"
