"""One client saturating what it may use does not take the service from the others: while
two endless anonymous queries of one client hold the query workers, a cheap query of another
client is answered within a second (the lane of ``graph.engine.workers``), under the default
worker count and time limit."""

from __future__ import annotations

import threading
from typing import Any

import httpx
import pytest

from tests.support.stores import example_store
from tests.support.waiting import until

#: an endless query; each copy differs, so that no run is shared with another (kept answers)
ENDLESS = "SELECT (COUNT(*) AS ?n{}) WHERE {{ ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }}"
CHEAP = "ASK { ?s a <http://www.w3.org/ns/org#Organization> }"
JSON = {"Accept": "application/sparql-results+json"}
#: the cheap query must come back within this (the issue's bound); a deadline, not a timing
DEADLINE = 1.0


@pytest.mark.slow
def test_a_cheap_query_is_answered_while_another_client_saturates_the_workers(
        serve: Any) -> None:
    # 127.0.0.1 is a trusted proxy here, so X-Forwarded-For names distinct clients
    with serve(example_store(), trusted_proxies="127.0.0.1", query_timeout=10.0) as server:
        pool = server.app.state.engine._process_pool()
        heavy: list[int] = []

        def saturate(copy: int) -> None:
            answer = httpx.get(f"{server.url}/sparql", params={"query": ENDLESS.format(copy)},
                               headers={"X-Forwarded-For": "203.0.113.1", **JSON}, timeout=60)
            heavy.append(answer.status_code)

        threads = [threading.Thread(target=saturate, args=(n,)) for n in range(pool.size)]
        for thread in threads:
            thread.start()
        until(lambda: pool._idle._running["203.0.113.1"] == pool.size,
              what="the heavy client holds every worker of the pool")
        for attempt in range(3):   # three different clients, one after another
            answer = httpx.get(f"{server.url}/sparql", params={"query": CHEAP},
                               headers={"X-Forwarded-For": f"198.51.100.{attempt}", **JSON},
                               timeout=DEADLINE)
            assert answer.status_code == 200 and answer.json()["boolean"] is True
        assert all(thread.is_alive() for thread in threads)   # still saturating
        for thread in threads:
            thread.join(60)
        assert heavy and all(status == 503 for status in heavy)
