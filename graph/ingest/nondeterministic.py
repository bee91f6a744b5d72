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

The changes are written as ``DELETE DATA`` and ``INSERT DATA``. SPARQL cannot name a blank
node of the store (``DELETE DATA`` refuses them, ``INSERT DATA`` makes fresh ones): the new
blank nodes a run made are written as fresh ones (the same node wherever one label is used,
under another label than the checked run's), and a run that removed a triple of a blank node,
or added one to a blank node the store held, is refused (``InputError``): written another
way, it would split a node other graphs share. So is a triple term in the changes.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence

import pyoxigraph as ox

from graph.errors import InputError
from graph.store import DEFAULT_GRAPH, Store

#: the SPARQL functions whose value differs from one run of an update to the next
#: (SPARQL 1.1 Query §17.4: RAND, NOW, UUID, STRUUID; BNODE makes a new node each call)
NONDETERMINISTIC = frozenset({"RAND", "NOW", "UUID", "STRUUID", "BNODE"})


#: one of their names, as a word (not ``?now``, ``ex:now`` or ``known``)
_NAME = re.compile(r"(?<![\w:?$])(" + "|".join(NONDETERMINISTIC) + r")(?![\w\-])",
                   re.IGNORECASE)
#: SPARQL's codepoint escapes, read before the text is parsed (SPARQL 1.1 Query §19.2)
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def nondeterministic(text: str) -> bool:
    """Whether the update ``text`` may call one of ``NONDETERMINISTIC``: whether it names
    one, as a word, anywhere, codepoint escapes read first. Strings, IRIs and comments are
    searched too: a lexer cannot tell an IRI from comparisons (``FILTER(0.5<RAND()&&1>0)``)
    or a comment's start the way the engine does, and a name that is not a call only makes
    exact a write that did not need to be."""
    return _NAME.search(_ESCAPE.sub(_codepoint, text)) is not None


def _codepoint(match: re.Match[str]) -> str:
    value = int(match.group(1) or match.group(2), 16)
    return chr(value) if value <= 0x10FFFF else match.group(0)


#: a graph's change: its triples after, those added, those removed
Change = tuple[Sequence[ox.Triple], Sequence[ox.Triple], Sequence[ox.Triple]]


def commit_operations(changes: Mapping[str, Change], created: Iterable[str],
                      existing: Iterable[str], maintained: Iterable[str] = (), *,
                      existed: Iterable[str] = (), held: Iterable[ox.Triple] = ()) -> list[str]:
    """The operations that make the store hold what the checked run made: ``changes`` by
    graph, the graphs it ``created`` (empty ones included), the named graphs ``existing``
    after it and those that ``existed`` before (a graph gone was dropped), and the
    ``maintained`` graphs it emptied (``CLEAR ALL``: their descriptions are written anew
    beside); ``held``: the triples the copy held before (their blank nodes are the store's).
    ``InputError`` when the changes cannot be written as they were made (see the module)."""
    existing = set(existing)
    known = {n for t in held for n in _nodes(t) if isinstance(n, ox.BlankNode)}
    removed: list[str] = []
    cleared: list[str] = [_clear(g, g in existing) for g in maintained]
    inserted: list[str] = []
    for graph, (after, plus, minus) in sorted(changes.items()):
        if not after:   # emptied: every triple goes, blank nodes' or not
            cleared.append(_clear(graph, graph in existing))
            continue
        _expressible(graph, plus, minus, known)
        if minus:
            removed.append(_block(graph, minus))
        if plus:
            inserted.append(_block(graph, plus))
    made = [f"CREATE SILENT GRAPH <{g}>" for g in sorted(set(created) - set(changes))]
    gone = [f"DROP SILENT GRAPH <{g}>" for g in sorted(set(existed) - existing - set(changes))]
    return [*([f"DELETE DATA {{ {' '.join(removed)} }}"] if removed else []), *cleared,
            *gone, *made, *([f"INSERT DATA {{ {' '.join(inserted)} }}"] if inserted else [])]


def empty_graphs(store: Store, scratch: ox.Store, named: Collection[str] | None) -> list[str]:
    """The named graphs of ``store`` that exist empty (an embedded store keeps a graph made by
    ``CREATE GRAPH``), among ``named`` (None: all), added to ``scratch`` as they are: a
    ``CREATE`` of one fails and a ``DROP`` of one drops it, on the copy as on the store."""
    native = store.native
    if native is None:
        return []
    found = []
    for name in native.named_graphs():
        if isinstance(name, ox.NamedNode) and (named is None or name.value in named) and \
                next(native.quads_for_pattern(None, None, None, name), None) is None:
            scratch.add_graph(name)
            found.append(name.value)
    return found


def _expressible(graph: str, plus: Sequence[ox.Triple], minus: Sequence[ox.Triple],
              known: set[ox.BlankNode]) -> None:
    why = ""
    if any(isinstance(n, ox.Triple) for t in (*plus, *minus) for n in _nodes(t)):
        why = "holds a triple term"
    elif any(isinstance(n, ox.BlankNode) for t in minus for n in _nodes(t)):
        why = "removes a triple of a blank node"
    elif any(n in known for t in plus for n in _nodes(t)):
        why = "adds a triple to a blank node the store holds"
    if why:
        raise InputError(
            f"this update may call {', '.join(f'{n}()' for n in sorted(NONDETERMINISTIC))} "
            f"(its text names one) and {why} in <{graph}>: civicgraph checks such an update "
            "on a copy and "
            "writes what that run changed, and SPARQL cannot name a blank node (or a triple "
            "term) of the store to write it; compute the value first and send it as a "
            "constant, or give the node an IRI")


def _nodes(triple: ox.Triple) -> list[object]:
    """The terms of ``triple``, those of its triple terms too (with the triple terms)."""
    found: list[object] = []
    for term in (triple.subject, triple.object):
        found.append(term)
        if isinstance(term, ox.Triple):
            found += _nodes(term)
    return found


def _clear(graph: str, keep: bool) -> str:
    """Empty ``graph``; a named one left existing (``CLEAR``) or dropped (``DROP``)."""
    if graph == DEFAULT_GRAPH:
        return "CLEAR SILENT DEFAULT"
    return f"{'CLEAR' if keep else 'DROP'} SILENT GRAPH <{graph}>"


def _block(graph: str, triples: Iterable[ox.Triple]) -> str:
    body = (ox.serialize(list(triples), format=ox.RdfFormat.N_TRIPLES) or b"").decode()
    return body if graph == DEFAULT_GRAPH else f"GRAPH <{graph}> {{\n{body}}}"


__all__ = ["NONDETERMINISTIC", "commit_operations", "empty_graphs", "nondeterministic"]
