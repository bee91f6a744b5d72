"""Server-side layout: node positions computed once, so the browser draws with physics off.

Small maps get a seeded force-directed layout (networkx's Fruchterman-Reingold, its dense
numpy form). For larger ones that costs seconds (4 s at 1,500 nodes here), so only the
``core`` best-connected nodes are laid out that way; every other node is placed near the
mean of its already placed neighbours, with a seeded jitter — linear in the edges.
Positions are in canvas pixels, centred on 0, and deterministic for a graph and seed.
"""

from __future__ import annotations

import math
import random
from collections import deque

import networkx as nx

#: above this many nodes, lay out the core only and place the others by their neighbours
CORE = 300


def positions(g: nx.Graph, seed: int = 7, iterations: int = 50, core: int = CORE
              ) -> dict[object, tuple[float, float]]:
    """``{node: (x, y)}`` for every node of ``g``."""
    if len(g) == 0:
        return {}
    scale = 300.0 * math.sqrt(len(g) / 10.0 + 1.0)
    strength = dict(g.degree(weight="weight"))
    ranked = sorted(g, key=lambda n: (-strength[n], str(n)))
    centre = ranked[:core]
    sub = nx.Graph()
    sub.add_nodes_from(centre)
    sub.add_edges_from((a, b) for a, b in g.subgraph(centre).edges())
    if len(sub) == 1:
        placed = {centre[0]: (0.0, 0.0)}
    else:
        raw = nx.spring_layout(sub, seed=seed, iterations=iterations, weight=None)
        placed = {n: (float(x) * scale, float(y) * scale) for n, (x, y) in raw.items()}
    if len(g) > len(placed):
        _place_rest(g, placed, ranked, scale, seed)
    return {n: (round(x, 1), round(y, 1)) for n, (x, y) in placed.items()}


def _place_rest(g: nx.Graph, placed: dict[object, tuple[float, float]], ranked: list[object],
                scale: float, seed: int) -> None:
    rng = random.Random(seed)  # noqa: S311 (a layout jitter, not a secret)
    spread = scale / math.sqrt(len(g)) * 2.0
    queue = deque(n for n in ranked if n in placed)
    while queue:
        node = queue.popleft()
        for neighbour in sorted(g[node], key=str):
            if neighbour in placed:
                continue
            around = [placed[m] for m in g[neighbour] if m in placed]
            x = sum(p[0] for p in around) / len(around)
            y = sum(p[1] for p in around) / len(around)
            angle = rng.uniform(0, 2 * math.pi)
            radius = spread * (0.5 + rng.random())
            placed[neighbour] = (x + radius * math.cos(angle), y + radius * math.sin(angle))
            queue.append(neighbour)
    rest = [n for n in ranked if n not in placed]
    for i, node in enumerate(rest):  # components with no tie to the core: a ring outside
        angle = 2 * math.pi * i / len(rest)
        placed[node] = (1.3 * scale * math.cos(angle), 1.3 * scale * math.sin(angle))
