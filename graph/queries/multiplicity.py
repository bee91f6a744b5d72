"""Answers that a triple restated in one more graph cannot change.

Over the union default graph Oxigraph yields a triple once per graph that states it
(oxigraph/oxigraph#1919): a software's description that a new organisation's import restates
adds a solution wherever the description was matched, and ``KeptAnswers`` counts such a
triple as changed (``graph.queries.kept``). For most answers that is so: a ``COUNT(*)`` counts
one more row, a plain SELECT gives a row twice. But an answer that only ever reads *whether*
a solution exists, never how many times, is the same over the triples as a set: a SELECT
DISTINCT, or one grouped with aggregates that a repeated solution leaves as they are
(``COUNT(DISTINCT …)``, ``MIN``, ``MAX``, ``SUM(DISTINCT …)``, ``AVG(DISTINCT …)``, and the
``SAMPLE`` of a grouping key, which rdflib adds for each key the SELECT projects), with the
same holding of every grouping below it and no LIMIT or OFFSET below it (a repeated row
would push another out). For such an answer (``insensitive``), a triple added to a graph
while another graph it reads held it already, and held it before the write, is no change at
all; nor is a triple removed from a graph while another such graph still holds it
(``restated``).

A query that reads named graphs (``GRAPH``, ``FROM``) is never so read: there the graph is
part of what a solution says. Neither is one whose aggregates repeat with their solutions
(``COUNT`` without DISTINCT, ``SUM``, ``AVG``, ``GROUP_CONCAT``, a ``SAMPLE`` of anything but
a key).

>>> insensitive('SELECT DISTINCT ?s WHERE { ?s ?p ?o }')
True
>>> insensitive('SELECT ?s (COUNT(DISTINCT ?o) AS ?n) (MIN(?o) AS ?m) WHERE { ?s ?p ?o } '
...             'GROUP BY ?s')
True
>>> insensitive('SELECT ?s (COUNT(?o) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?s')
False
>>> insensitive('SELECT DISTINCT ?s WHERE { { SELECT ?s WHERE { ?s ?p ?o } LIMIT 3 } }')
False
>>> insensitive('SELECT DISTINCT ?s WHERE { GRAPH ?g { ?s ?p ?o } }')
False
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterable
from typing import Any

import pyoxigraph as ox

from graph.queries.footprint import _READER, algebra
from graph.store import Store

#: the aggregates a repeated solution leaves as they are whether DISTINCT or not
_ANY = frozenset({"Aggregate_Min", "Aggregate_Max"})
#: those it leaves so only when DISTINCT
_DISTINCT = frozenset({"Aggregate_Count", "Aggregate_Sum", "Aggregate_Avg"})
#: what the answer's rows may pass through above its DISTINCT or its grouping
_ABOVE = frozenset({"Slice", "Project", "OrderBy", "Extend", "Filter", "ToMultiSet"})
#: the changed triples looked for among the holders' in one query at most
_BATCH = 500


@functools.lru_cache(maxsize=256)
def insensitive(sparql: str) -> bool:
    """Whether the answer to ``sparql`` is the same whatever the number of times the
    union default graph yields each triple (see the module's text)."""
    return bool(_READER.submit(_insensitive, sparql).result())


def _insensitive(sparql: str) -> bool:
    from rdflib.plugins.sparql.parserutils import CompValue

    query = algebra(sparql)
    if not isinstance(query, CompValue) or query.name != "SelectQuery" or \
            query.get("datasetClause"):
        return False
    node = query.p
    while isinstance(node, CompValue) and node.name in _ABOVE:
        node = node.p
    if not isinstance(node, CompValue) or node.name not in ("Distinct", "AggregateJoin"):
        return False
    try:
        return _below(node)
    except Exception:   # an algebra read otherwise than expected: nothing assumed
        return False


def _below(node: Any) -> bool:
    """Whether nothing under ``node`` (the answer's DISTINCT or grouping) counts repeats:
    no LIMIT or OFFSET, no named graph, every grouping's aggregates as above."""
    from rdflib.plugins.sparql.parserutils import CompValue

    if isinstance(node, CompValue):
        if node.name in ("Slice", "Graph", "ServiceGraphPattern", "SubSelect",
                         "GraphGraphPattern"):
            return False   # (an EXISTS's group is left as parsed: its sub-SELECTs unread)
        if node.name == "AggregateJoin" and not all(_kept_as_is(a, node.p) for a in node.A):
            return False
        return all(_below(v) for k, v in node.items() if k != "_vars")
    if isinstance(node, dict):
        return all(_below(v) for v in node.values())
    if isinstance(node, (list, tuple)):
        return all(_below(v) for v in node)
    return True


def _kept_as_is(aggregate: Any, group: Any) -> bool:
    """Whether ``aggregate`` of the grouping ``group`` is the same over repeated rows."""
    from rdflib.term import Variable

    name = aggregate.name
    if name in _ANY:
        return True
    if name in _DISTINCT:
        return bool(aggregate.get("distinct") == "DISTINCT")
    if name == "Aggregate_Sample":   # deterministic only for a grouping key
        keys = group.get("expr") or []
        return isinstance(aggregate.vars, Variable) and bool(aggregate.vars in keys)
    return False


def restated(store: Store, triples: Iterable[ox.Triple], holders: Collection[str]
             ) -> set[ox.Triple]:
    """Those of ``triples`` that one of the graphs ``holders`` holds in ``store`` now (the
    store's default graph among them as ``graph.store.DEFAULT_GRAPH``). A triple with a
    blank node or a triple term is never found (it cannot be named in a query)."""
    if not holders:
        return set()
    named = [t for t in triples if _nameable(t)]
    found: set[ox.Triple] = set()
    for start in range(0, len(named), _BATCH):
        rows = " ".join(f"({t.subject} {t.predicate} {t.object})"
                        for t in named[start:start + _BATCH])
        result = store.query(f"SELECT ?s ?p ?o WHERE {{ VALUES (?s ?p ?o) {{ {rows} }} "
                             "?s ?p ?o }", default_graph=sorted(holders))
        assert isinstance(result, ox.QuerySolutions)
        found.update(ox.Triple(row["s"], row["p"], row["o"]) for row in result)
    return found


def _nameable(triple: ox.Triple) -> bool:
    return isinstance(triple.subject, ox.NamedNode) and \
        isinstance(triple.object, (ox.NamedNode, ox.Literal))


__all__ = ["insensitive", "restated"]
