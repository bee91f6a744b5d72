"""The usage table kept up to date across writes: a base indexed once, the graphs written
since patched onto it.

Assembling the table from all the fragments costs seconds at 10^6 triples (a Python loop over
every usage), while an import writes a graph of a few hundred triples. ``Upkeep`` keeps the
*base* (the described graphs' fragments when the table was last built whole, their index and
their table) and, at each new reading, patches onto the base table the *delta*: the fragments
of every graph not in the base (new graphs, and graphs never described such as the meta
graph), indexed again each time (they are small). The table is built whole again when a base
graph changed or went away (a write replaced it), or when the delta has grown past
``rebase_share`` of the base (and ``rebase_min`` pairs).

``table(fragments)`` is a pure function of the fragments' pairs, whichever way it was made:
``tests/visualisations/test_index.py`` checks a patched table against one built whole.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from graph.namespaces import DEFAULT_BASE
from visualisations.fragments import Fragment
from visualisations.index import Index, Layered
from visualisations.table import UsageTable, build, patch


class Upkeep:
    """The base of the last whole build, and the table of the fragments of each reading."""

    def __init__(self, base: str = DEFAULT_BASE, *, rebase_share: float = 0.1,
                 rebase_min: int = 50_000) -> None:
        self.base_iri = base
        self.rebase_share = rebase_share
        self.rebase_min = rebase_min
        self._fragments: dict[str, Fragment] = {}
        self._index: Index | None = None
        self._table: UsageTable | None = None
        #: how the last table was made: "built" (whole) or "patched" (tests, logs)
        self.last = ""

    def table(self, fragments: Sequence[Fragment], described: Collection[str]) -> UsageTable:
        """The usage table of ``fragments``; ``described``: the graphs that may join the base
        (graphs read again at every reading, such as the meta graph, stay in the delta)."""
        current = {f.graph: f for f in fragments}
        if self._index is not None and self._table is not None and all(
                current.get(g) is f for g, f in self._fragments.items()):
            delta = Index.of(f for f in fragments if f.graph not in self._fragments)
            if delta.size <= max(self.rebase_min, self.rebase_share * self._index.size):
                self.last = "patched"
                return patch(self._table, self._index, delta)
        kept = [f for f in fragments if f.graph in described]
        self._fragments = {f.graph: f for f in kept}
        self._index = Index.of(kept)
        self._table = build(Layered([self._index]), self.base_iri)
        self.last = "built"
        return patch(self._table, self._index,
                     Index.of(f for f in fragments if f.graph not in self._fragments))
