"""A server's catalogue refresher stops with the server (``api.routes.queries.install``,
``graph.queries.refreshing.stop_refreshers``): its threads asked an engine that answered no
more, and held the store, for as long as the process lived; in a test session each server
left them behind, still reading queries, slowing the servers started after it."""

from __future__ import annotations

import threading

import httpx

from graph.queries.kept import kept_answers
from graph.queries.refreshing import refresher_of
from tests.support.live import app_client, running
from tests.support.stores import example_store


def _refreshing() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if t.name == "catalogue-refresh" and t.is_alive()}


def test_the_refresher_stops_with_the_server_in_the_middle_of_its_first_round() -> None:
    before = _refreshing()
    with running(example_store(), maintain_catalogue=True) as live:
        store = live.app.state.engine.store
        kept = kept_answers(store)
        assert refresher_of(kept) is not None
        started = _refreshing() - before
        assert started, "the first round runs in threads of its own"
    assert [t for t in started if t.is_alive()] == []
    assert refresher_of(kept) is None   # a next server over the store makes its own


def test_a_refresher_an_ask_made_stops_with_the_server_too() -> None:
    before = _refreshing()
    with running(example_store()) as live:   # nothing maintained from the start
        answer = httpx.get(f"{live.url}/queries/shared_spaces", timeout=60)
        assert answer.status_code == 200
        kept = kept_answers(live.app.state.engine.store)
        assert refresher_of(kept) is not None and refresher_of(kept).maintained == 1
        started = _refreshing() - before
        assert started
    assert [t for t in started if t.is_alive()] == []


def test_an_in_process_client_maintains_nothing_unless_asked_and_leaves_no_thread() -> None:
    before = _refreshing()
    with app_client(example_store()) as client:
        assert client.get("/health").status_code == 200
        assert refresher_of(kept_answers(client.app.state.engine.store)) is None
    assert _refreshing() - before == set()
