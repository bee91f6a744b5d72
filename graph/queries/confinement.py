"""Which rows of an answer a changed triple can change: the analysis behind splicing.

``graph.queries.footprint`` proves that a triple of subject ``s`` only matters to the rows
binding some ``?v`` to ``s`` *on the way up to a join*. Splicing an answer after a write
(``graph.queries.splicing``) needs more: that every row a changed triple adds, removes or
changes binds a *projected* variable ``?k`` to the triple's subject (or object), all the
way up to the answer. Then the new answer is the old rows minus those whose ``?k`` is
among those terms, plus the rows of the same query restricted to them.

``plan`` reads the query's algebra (rdflib's, as the footprint does) and gives:

- ``Plan.keys``: the projected variables ``?k`` for which restricting the answer is the
  same as restricting the query: ``?k`` is projected as it is (no ``(expr AS ?k)``), every
  solution of the WHERE group binds it (a VALUES block joined there then filters rows, and
  binds nothing new), it is a GROUP BY key when there is a grouping (an aggregate over
  several ``?k`` is not a per-``?k`` row), and there is no LIMIT or OFFSET (a new row would
  push out another one);
- ``Plan.patterns``: each triple pattern, with its predicate (its class for ``rdf:type``),
  its anchors (as the footprint gives them: a triple whose subject satisfies none does not
  matter to it), and the variables among ``keys`` that still confine a change of its rows
  at the top, with the end of the triple they are bound to. A change confined to rows
  binding ``?v`` to one term stays so through a Join, a UNION, a FILTER (and from the
  patterns of an EXISTS in it when every row it filters binds ``?v``: the EXISTS is
  evaluated with the row's values), a BIND of another variable, a GRAPH, DISTINCT, ORDER BY,
  the left of an OPTIONAL or MINUS, the right of an OPTIONAL when its left binds ``?v`` in
  every row, a sub-SELECT that projects ``?v`` and a grouping by ``?v``; never through a
  LIMIT or an OFFSET, the right of a MINUS, a grouping without ``?v``;
- property paths: ``p``, ``^p``, ``p|q``, ``p?`` (a change of ``s p o`` changes the rows
  binding either end to ``s`` or ``o``: zero-length rows come and go with the terms), the
  first step of a sequence (rows binding its start to ``s``) and its last (its end to
  ``o``); any other step (``p*``, a middle step) confines nothing;
- ``Plan.order``: the ORDER BY keys, when all are projected variables (else None: merged
  rows could not be put back in order).

Where nothing can be spliced, ``Plan.reason`` says why.

>>> found = plan('''SELECT ?s (COUNT(*) AS ?n) { ?s <urn:p> ?o . OPTIONAL { ?s <urn:l> ?l } }
... GROUP BY ?s ORDER BY DESC(?n) ?s''')
>>> sorted(found.keys), found.order
(['s'], (('n', True), ('s', False)))
>>> [dict(p.ends) for p in found.patterns]
[{'s': 'subject'}, {'s': 'subject'}]
>>> plan("SELECT (COUNT(*) AS ?n) { ?s <urn:p> ?o }").reason
'an aggregate over every row: no projected variable is a GROUP BY key'
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

import pyoxigraph as ox

from graph.queries import paths
from graph.queries.footprint import (
    _READER,
    TYPE,
    Anchor,
    _aggregated,
    _anchor,
    _certain,
    _through,
    _types_in,
    iri_of,
)
from graph.queries.footprint import algebra as footprint_algebra

#: where a pattern binds a variable: the triple's subject, its object, or either (``p?``)
SUBJECT: Final = "subject"
OBJECT: Final = "object"
BOTH: Final = "both"


@dataclass(frozen=True)
class Pattern:
    """A triple pattern: the triples it may match, and the projected variables that
    confine a change of its rows (by the end of the triple each is bound to)."""

    predicate: str
    #: for ``rdf:type``: the classes it matches (None: any class)
    classes: frozenset[str] | None = None
    #: the anchors of its subject (None: any subject), as in ``Footprint.anchors``
    anchors: tuple[Anchor, ...] | None = None
    ends: Mapping[str, str] = field(default_factory=dict)
    #: the SELECT it is in, innermost: 0 the query's own, then its sub-SELECTs in the
    #: order they are read (see ``Plan.selects``)
    source: int = 0

    def meets(self, triple: ox.Triple, holds: Callable[[Any, Anchor], bool]) -> bool:
        """Whether ``triple`` may match this pattern, to any effect on the answer."""
        if triple.predicate.value != self.predicate:
            return False
        if self.predicate == TYPE:
            return self.classes is None or iri_of(triple.object) in self.classes
        return self.anchors is None or any(holds(triple.subject, a) for a in self.anchors)


@dataclass(frozen=True)
class Plan:
    """What splicing an answer of a query may rely on (see the module's text)."""

    keys: frozenset[str]
    order: tuple[tuple[str, bool], ...] | None
    patterns: tuple[Pattern, ...]
    reason: str | None = None
    #: each SELECT's projected variables and those of them that confine a change of its
    #: rows up to the answer (keys), in the order of ``Pattern.source`` (the query's own
    #: first): what ``graph.queries.derivation`` derives keys through (none when a SELECT
    #: sits in an expression: rdflib reads it out of the text's order)
    selects: tuple[tuple[frozenset[str], frozenset[str]], ...] = ()
    #: each SELECT as a ``graph.queries.derivation.Source`` (or None), in the same order
    #: (a ``graph.queries.derivation.Sources``, given by ``graph.queries.derivation.plan``;
    #: None: no key derived through the query)
    sources: Any = None
    #: the Project node of each SELECT of ``selects`` (rdflib's algebra)
    projects: tuple[Any, ...] = field(default=(), compare=False, repr=False)


def refused(reason: str) -> Plan:
    return Plan(frozenset(), None, (), reason)


@functools.lru_cache(maxsize=256)
def plan(sparql: str, bound: frozenset[str] = frozenset()) -> Plan:
    """The splicing plan of the query ``sparql`` whose variables ``bound`` are substituted
    (read on the footprint's thread: see ``graph.queries.footprint.footprint``)."""
    return _READER.submit(_plan, sparql, bound).result()


def _plan(sparql: str, bound: frozenset[str], algebra: Any = None) -> Plan:
    """The plan of ``sparql`` (its ``algebra``: by default the one its footprint reads)."""
    algebra = footprint_algebra(sparql) if algebra is None else algebra
    if algebra is None:   # whatever rdflib cannot read, nothing is assumed of
        return refused("the query is not one rdflib reads")
    if algebra.name != "SelectQuery":
        return refused("not a SELECT query")
    keys, order, reason, _ = _modifiers(algebra.p, bound)
    if reason is not None:
        return refused(reason)
    patterns: list[Pattern] = []
    selects: list[tuple[frozenset[str], frozenset[str]]] = []
    within = _Within(selects, projects=[])
    try:
        _walk(algebra.p, patterns, {}, keys, within)
    except _Unconfined as error:
        return refused(str(error))
    except Exception:   # an algebra rdflib cannot translate further: nothing is assumed
        return refused("a pattern rdflib's algebra cannot read (EXISTS in an expression?)")
    if order is None:
        return Plan(frozenset(), None, tuple(patterns),
                    "the ORDER BY sorts by an expression or a variable not projected")
    # a SELECT in an expression is read out of the text's order: none is told
    return Plan(keys, order, tuple(patterns), selects=() if within.inside else tuple(selects),
                projects=tuple(within.projects))


@dataclass(frozen=True)
class _Within:
    """Where the walk is: the SELECTs met so far (projected, confining up to the answer),
    the index of the innermost one around the node, and whether the node is in an
    expression (an EXISTS: its SELECTs are read out of the text's order, ``inside``)."""

    selects: list[tuple[frozenset[str], frozenset[str]]]
    source: int = -1
    expression: bool = False
    inside: list[int] = field(default_factory=list)
    #: whether the node is in a GRAPH (a SELECT there confines nothing derived through:
    #: read alone, it would read another graph); the SELECTs' Project nodes
    graph: bool = False
    projects: list[Any] = field(default_factory=list)

    def into(self, *, graph: bool = False) -> _Within:
        """Where the walk is in an expression (or, with ``graph``, in a GRAPH)."""
        return _Within(self.selects, self.source, self.expression or not graph, self.inside,
                       self.graph or graph, self.projects)


class _Unconfined(Exception):
    """A pattern whose changes no projected variable may confine (a variable predicate)."""


_MODIFIERS: Final = frozenset({"Distinct", "Reduced", "OrderBy", "Extend", "Filter",
                               "AggregateJoin"})


def _modifiers(node: Any, bound: frozenset[str]) -> tuple[
        frozenset[str], tuple[tuple[str, bool], ...] | None, str | None, Any]:
    """The candidate keys and the ORDER BY keys read down the solution modifiers to the
    WHERE group, or why none can be; and the WHERE group."""
    from rdflib.term import Variable

    keys: set[str] | None = None
    projected: set[str] = set()
    order: tuple[tuple[str, bool], ...] | None = ()
    where = None   # without a grouping: the first node under Project, ORDER BY, DISTINCT
    while True:
        name = node.name
        if where is None and name not in ("Project", "OrderBy", "Distinct", "Reduced"):
            where = node
        if name == "Slice":
            return frozenset(), None, "a LIMIT or OFFSET: a new row may push out another one", \
                None
        if name == "Project" and keys is None:
            projected = {str(v) for v in node.PV}
            keys = projected - bound
        elif name == "OrderBy":
            conditions = [(c.expr, c.order == "DESC") if getattr(c, "name", "") ==
                          "OrderCondition" else (c, False) for c in node.expr]
            order = tuple((str(e), d) for e, d in conditions) \
                if all(isinstance(e, Variable) for e, _ in conditions) else None
        elif name == "Extend" and keys is not None and not _aggregated(node):
            keys.discard(str(node.var))
        elif name == "Group" and keys is not None:
            grouped = {str(v) for v in node.expr or [] if isinstance(v, Variable)}
            keys &= grouped
            if not keys:
                return frozenset(), None, ("an aggregate over every row: no projected "
                                           "variable is a GROUP BY key"), None
            where = node.p
            break
        elif name not in _MODIFIERS:
            break
        node = node.p
    certain = _certain(where)
    keys = {k for k in keys or () if k in certain and _commutes(where, k)}
    if not keys:
        return frozenset(), None, "no projected variable is bound in every row of WHERE", None
    if order is not None and not {v for v, _ in order} <= projected:
        order = None
    return frozenset(keys), order, None, where


def _commutes(node: Any, key: str) -> bool:
    """Whether a VALUES block of ``key`` opening the WHERE group ``node`` is the same as
    the rows of ``node`` binding ``key`` to one of its terms. The block joins the group's
    first element; each OPTIONAL, MINUS, BIND and FILTER after it applies to rows that
    already bind ``key`` where ``key`` is bound in every row of its left (a row of a
    pattern before an OPTIONAL that did not bind ``key`` would otherwise be bound by the
    block, then meet another row of the OPTIONAL than without it)."""
    name = node.name
    if name == "Join":
        return _commutes(node.p1, key)
    if name in ("LeftJoin", "Minus", "Filter", "Extend"):
        left = node.p1 if name in ("LeftJoin", "Minus") else node.p
        if name == "Extend" and str(node.var) == key:
            return False
        return key in _certain(left) and _commutes(left, key)
    return True


def _walk(node: Any, out: list[Pattern], typed: Mapping[str, Any],
          confined: frozenset[str], at: _Within) -> None:
    """Record the patterns under ``node``; ``typed`` as in the footprint's walk (the
    anchors), ``confined``: the keys a change of the rows under ``node`` stays confined by
    up to the answer."""
    from rdflib.plugins.sparql.algebra import translateGroupGraphPattern, triples
    from rdflib.plugins.sparql.parserutils import CompValue
    from rdflib.term import Variable

    if isinstance(node, CompValue):
        name = node.name
        if name == "GroupGraphPatternSub":   # an EXISTS's pattern (see Filter below)
            _walk(translateGroupGraphPattern(node), out, {}, confined, at)
            return
        if name.startswith("Builtin_") or name.endswith("Expression"):   # as the FILTER
            for value in node.values():
                _walk(value, out, {}, confined, at)
            return
        if name in ("BGP", "TriplesBlock"):
            patterns = list(node.triples if name == "BGP" else triples(node.triples))
            here = {**typed}
            for variable, classes in _types_in(patterns).items():
                here[variable] = (("type", classes),)
            for index in range(len(patterns)):
                _pattern(index, patterns, here, confined, out, at.source)
            return
        if name == "Join":
            for side, other in ((node.p1, node.p2), (node.p2, node.p1)):
                _walk(side, out, {**typed, **_certain(other)}, confined, at)
            return
        if name == "LeftJoin":
            left = _certain(node.p1)
            _walk(node.p1, out, typed, confined, at)
            _walk(node.p2, out, {**{v: a for v, a in typed.items() if v in left}, **left},
                  frozenset(v for v in confined if v in left), at)
            _walk(node.get("expr"), out, {}, frozenset(), at.into())
            return
        if name == "Minus":
            _walk(node.p1, out, typed, confined, at)
            _walk(node.p2, out, {}, frozenset(), at)
            return
        inherited = _through(node, typed)
        kept = frozenset(_through(node, dict.fromkeys(confined, ())))
        if name == "Project":
            projected = frozenset(str(v) for v in node.PV if isinstance(v, Variable))
            kept = confined & projected
            if at.expression:
                at.inside.append(len(at.selects))
            at.projects.append(node)
            at.selects.append((projected, frozenset() if at.graph else kept))
            at = _Within(at.selects, len(at.selects) - 1, at.expression, at.inside, at.graph,
                         at.projects)
        # a FILTER's EXISTS is evaluated with the row's values: a change of its pattern's
        # rows binding ?v to one term (?v bound in every row filtered) changes the rows
        # binding ?v to it
        tested = frozenset(v for v in kept if v in _certain(node.p)) if name == "Filter" \
            else frozenset()
        within = at.into(graph=True) if name == "Graph" else at
        for key, value in node.items():
            if key in ("p", "p1", "p2"):
                _walk(value, out, inherited, kept, within)
            else:
                _walk(value, out, {}, tested if key == "expr" else frozenset(), at.into())
    elif isinstance(node, (list, tuple, set, frozenset)):
        for value in node:
            _walk(value, out, typed, confined, at)


def _pattern(index: int, patterns: list[tuple[Any, Any, Any]], typed: Mapping[str, Any],
             confined: frozenset[str], out: list[Pattern], source: int = 0) -> None:
    from rdflib.term import URIRef, Variable

    subject, predicate, obj = patterns[index]

    def ends(*pairs: tuple[Any, str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for end, where in pairs:
            if isinstance(end, Variable) and str(end) in confined:
                found[str(end)] = BOTH if found.get(str(end), where) != where else where
        return found

    if paths.choice(predicate):   # p|q: the pattern with p and the pattern with q
        for step in predicate.args:
            _pattern(index, [*patterns[:index], (subject, step, obj), *patterns[index + 1:]],
                     typed, confined, out, source)
        return
    if isinstance(predicate, URIRef):
        iri = str(predicate)
        if iri == TYPE:
            values = typed.get(str(obj)) if isinstance(obj, Variable) else None
            classes: frozenset[str] | None = None
            if isinstance(obj, URIRef):
                classes = frozenset({str(obj)})
            elif values and all(kind == "value" for kind, _ in values):
                classes = frozenset(str(t) for _, terms in values for t in terms)
            out.append(Pattern(TYPE, classes, None, ends((subject, SUBJECT), (obj, OBJECT)),
                               source))
            return
        anchors = _anchor(subject, index, patterns, typed)
        out.append(Pattern(iri, None, None if anchors is None else tuple(anchors),
                           ends((subject, SUBJECT), (obj, OBJECT)), source))
        return
    if isinstance(predicate, Variable):
        raise _Unconfined("a variable predicate: any triple may change any row")
    for iri, where in _steps(predicate):
        if where == SUBJECT:
            found = ends((subject, SUBJECT))
        elif where == OBJECT:
            found = ends((obj, OBJECT))
        elif where == BOTH:   # p? alone: either end, bound to either term
            found = {v: BOTH for v in ends((subject, BOTH), (obj, BOTH))}
        else:
            found = {}
        out.append(Pattern(iri, None, None, found, source))


def _steps(path: Any) -> list[tuple[str, str | None]]:
    """The IRIs of ``path``, each with the end of the path a triple matching it binds to
    its subject (``SUBJECT``) or object (``OBJECT``), ``BOTH`` for ``p?`` alone, None where
    a change may reach rows of any ends."""
    from rdflib.paths import AlternativePath, InvPath, MulPath, SequencePath
    from rdflib.term import URIRef

    def single(step: Any) -> str | None:   # p or p?: the IRI
        if isinstance(step, URIRef):
            return str(step)
        if isinstance(step, MulPath) and step.mod == "?" and isinstance(step.path, URIRef):
            return str(step.path)
        return None

    if isinstance(path, InvPath) and isinstance(path.arg, URIRef):
        return [(str(path.arg), None)]   # ^p: kept simple, confines nothing
    if isinstance(path, MulPath) and path.mod == "?" and isinstance(path.path, URIRef):
        return [(str(path.path), BOTH)]
    if isinstance(path, SequencePath):
        found: list[tuple[str, str | None]] = []
        last = len(path.args) - 1
        for at, step in enumerate(path.args):
            iri = single(step)
            if iri is not None and at in (0, last) and last > 0:
                found.append((iri, SUBJECT if at == 0 else OBJECT))
            else:
                found.extend((i, None) for i in _iris(step))
        return found
    if isinstance(path, (AlternativePath, MulPath, InvPath)):
        return [(i, None) for i in _iris(path)]
    raise _Unconfined("a negated property set: any triple may change any row")


def _iris(path: Any) -> list[str]:
    from rdflib.paths import AlternativePath, InvPath, MulPath, SequencePath
    from rdflib.term import URIRef

    if isinstance(path, URIRef):
        return [str(path)]
    if isinstance(path, (SequencePath, AlternativePath)):
        return [i for step in path.args for i in _iris(step)]
    if isinstance(path, MulPath):
        return _iris(path.path)
    if isinstance(path, InvPath):
        return _iris(path.arg)
    raise _Unconfined("a negated property set: any triple may change any row")


__all__ = ["BOTH", "OBJECT", "SUBJECT", "Pattern", "Plan", "plan", "refused"]
