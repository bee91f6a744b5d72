"""Server-side layout: every node placed, deterministic, fast at the node budget."""

from __future__ import annotations

import time

import networkx as nx
import pytest

from visualisations.layout import positions


@pytest.mark.parametrize("n", [0, 1, 2, 50, 1500])
def test_every_node_gets_a_position(n: int) -> None:
    g = nx.barabasi_albert_graph(n, 2, seed=1) if n > 2 else nx.path_graph(n)
    g.add_nodes_from(["isolated"] if n else [])
    placed = positions(g)
    assert set(placed) == set(g)
    assert all(isinstance(x, float) and isinstance(y, float) for x, y in placed.values())


def test_layout_is_deterministic_and_spreads_nodes() -> None:
    g = nx.barabasi_albert_graph(400, 2, seed=2)
    first = positions(g, seed=5)
    assert positions(g, seed=5) == first
    assert len(set(first.values())) == len(g)


def test_budget_sized_layout_is_fast() -> None:
    g = nx.barabasi_albert_graph(1500, 3, seed=3)
    started = time.perf_counter()
    positions(g)
    assert time.perf_counter() - started < 3.0
