"""Updates whose effect a second run would not repeat, written as their checked run made them.

The write path runs a SPARQL update on a scratch copy of the graphs it may touch, checks what
that run changed (shapes, privacy guard, the meta graphs' guard) and describes the graphs
from it, then runs the update on the store (``graph.ingest.writing.apply_update``). An
update calling ``RAND()``, ``NOW()``, ``UUID()``, ``STRUUID()`` or ``BNODE()`` may change
other triples on its second run than on its first (``FILTER(RAND() < 0.5)`` inserts on one
and not on the other; ``GRAPH ?g`` bound by ``IF(RAND() < 0.5, …)`` picks another graph):
for such an update the store is given the changes of the checked run instead
(``commit_operations``), in one update with the descriptions, so what was checked is what
is written.

The changes are written as ``DELETE DATA`` and ``INSERT DATA`` where they hold no blank
node; SPARQL cannot name a blank node of the store (``DELETE DATA`` refuses them, ``INSERT
DATA`` makes fresh ones), so a graph whose changes hold one is written whole, in one
``INSERT DATA`` with the others of its kind: the same graph up to its blank nodes' labels.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from itertools import pairwise

import pyoxigraph as ox

from graph.sparql import lexer
from graph.store import DEFAULT_GRAPH

#: the SPARQL functions whose value differs from one run of an update to the next
#: (SPARQL 1.1 Query §17.4: RAND, NOW, UUID, STRUUID; BNODE makes a new node each call)
NONDETERMINISTIC = frozenset({"RAND", "NOW", "UUID", "STRUUID", "BNODE"})


def nondeterministic(text: str) -> bool:
    """Whether the update ``text`` calls one of ``NONDETERMINISTIC`` (a word followed by
    ``(``; words in strings, IRIs and comments are not calls)."""
    words = [t for t in lexer.tokens(text, spaces=False) if t.kind != "COMMENT"]
    return any(t.kind == "WORD" and t.text.upper() in NONDETERMINISTIC
               and following.text == "(" for t, following in pairwise(words))


#: a graph's change: its triples after, those added, those removed
Change = tuple[Sequence[ox.Triple], Sequence[ox.Triple], Sequence[ox.Triple]]


def commit_operations(changes: Mapping[str, Change], created: Iterable[str],
                      existing: Iterable[str], maintained: Iterable[str] = ()) -> list[str]:
    """The operations that make the store hold what the checked run made: ``changes`` by
    graph, the graphs it ``created`` (empty ones included), the named graphs ``existing``
    after it (a graph changed and not among them was dropped), and the ``maintained``
    graphs it emptied (``CLEAR ALL``: their descriptions are written anew beside)."""
    existing = set(existing)
    removed: list[str] = []
    cleared: list[str] = [_clear(g, g in existing) for g in maintained]
    inserted: list[str] = []
    for graph, (after, plus, minus) in sorted(changes.items()):
        if not after:
            cleared.append(_clear(graph, graph in existing))
        elif _blank(plus) or _blank(minus):
            cleared.append(_clear(graph, True))
            inserted.append(_block(graph, after))
        else:
            if minus:
                removed.append(_block(graph, minus))
            if plus:
                inserted.append(_block(graph, plus))
    made = [f"CREATE SILENT GRAPH <{g}>" for g in sorted(set(created) - set(changes))]
    return [*([f"DELETE DATA {{ {' '.join(removed)} }}"] if removed else []), *cleared, *made,
            *([f"INSERT DATA {{ {' '.join(inserted)} }}"] if inserted else [])]


def _clear(graph: str, keep: bool) -> str:
    """Empty ``graph``; a named one left existing (``CLEAR``) or dropped (``DROP``)."""
    if graph == DEFAULT_GRAPH:
        return "CLEAR SILENT DEFAULT"
    return f"{'CLEAR' if keep else 'DROP'} SILENT GRAPH <{graph}>"


def _blank(triples: Iterable[ox.Triple]) -> bool:
    return any(isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode)
               for t in triples)


def _block(graph: str, triples: Iterable[ox.Triple]) -> str:
    body = (ox.serialize(list(triples), format=ox.RdfFormat.N_TRIPLES) or b"").decode()
    return body if graph == DEFAULT_GRAPH else f"GRAPH <{graph}> {{\n{body}}}"


__all__ = ["NONDETERMINISTIC", "commit_operations", "nondeterministic"]
