"""What data a query can read: enough to know that a write left its answer as it was.

A query's solutions are built from the triples its patterns match. A triple that matches no
pattern changes no solution when it is added or removed, whatever graph it sits in. The
*footprint* of a query, read from its algebra (``footprint``), says which triples may match:

- a triple whose predicate no pattern names matches none (``rdf:type`` triples are told
  apart by their class; a choice of predicates ``p|q`` is the pattern with each, and ``a|a
  C``, which reads a type several graphs state once, is ``a C``);
- a pattern ``?v p ?o`` whose subject is certainly of a class ``C`` can only be matched,
  to any effect, by a triple whose subject is of class ``C`` (its *anchor*,
  ``Footprint.anchors``). That holds when ``?v a C`` sits in the same basic graph pattern (a
  triple of another subject joins with nothing there); without a class, another pattern of
  the same basic graph pattern naming ``?v`` anchors it: ``?o org:purpose ?p`` beside ``?u
  cg:organisation ?o`` only matters for an organisation some triple names with
  ``cg:organisation``. An anchor is a choice where a variable may be bound either way (``?x
  cg:involves|cg:workedOnAt ?v``, or two UNION branches);
- a pattern further from the anchoring pattern is anchored all the same when every row a
  triple of subject ``s`` adds or removes (or changes) on the way up to the join binds ``?v``
  to ``s``: a row that joins with no row of the other side. The way up may cross a Join, a
  UNION, a FILTER, a BIND, a GRAPH, a DISTINCT, the left of an OPTIONAL or a MINUS, and a
  sub-SELECT that projects ``?v`` (the same variable: a variable a sub-SELECT does not
  project is another one), with a GROUP BY that groups by ``?v`` (an aggregate is then per
  subject). It may not cross a LIMIT or an OFFSET (a new row pushes out another one), a
  grouping without ``?v`` among its keys (one row of all), the right of a MINUS, an EXISTS,
  or the right of an OPTIONAL whose left may leave ``?v`` unbound (a left row extended, or
  no longer extended, by a row binding ``?v`` to ``s`` was compatible with every ``?v``).
  Labels of software read in an OPTIONAL, or in a sub-SELECT grouped by software joined
  there, are so matched only by triples about software, not by an organisation's;
- ``None`` stands for "any triple" (a variable predicate, a negated property set, a
  zero-length path whose ends nothing else binds).

A *summary* of some triples (``Summary``: their predicates and classes) is what is known of
a graph whose triples are not kept; ``Footprint.meets`` and ``Footprint.meets_triple`` tell
whether changed triples may change the answer.

>>> found = footprint('''PREFIX cg: <https://w3id.org/civicgraph/ns#>
... PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
... SELECT ?s (COUNT(*) AS ?n) { ?u a cg:ToolUsage ; cg:tool/cg:software? ?s
...   OPTIONAL { ?u rdfs:label ?l } } GROUP BY ?s''')
>>> sorted(p.rsplit("#")[-1] for p in found.predicates)
['label', 'software', 'tool']
>>> found.anchors["http://www.w3.org/2000/01/rdf-schema#label"]
(('type', frozenset({'https://w3id.org/civicgraph/ns#ToolUsage'})),)
>>> found.meets(Summary(frozenset({"https://w3id.org/civicgraph/ns#needs"}), frozenset()))
False
>>> footprint("SELECT * { ?s ?p ?o }") is None
True
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Final

import pyoxigraph as ox

from graph.namespaces import RDF
from graph.queries import paths

#: ``rdf:type``, whose triples are told apart by their class
TYPE: Final = RDF + "type"
#: the algebra nodes a change confined to the rows binding a variable to one term crosses as
#: it is, to their ``p``, ``p1`` and ``p2`` (see the module's text; sub-SELECTs, BIND,
#: GROUP BY, OPTIONAL and MINUS have rules of their own)
_CONFINING: Final = frozenset({"Join", "Union", "Filter", "Graph", "ToMultiSet", "Distinct",
                               "Reduced", "OrderBy", "AggregateJoin"})


@dataclass(frozen=True)
class Summary:
    """The predicates of some triples, and the classes of their ``rdf:type`` triples."""

    predicates: frozenset[str]
    classes: frozenset[str]

    def __or__(self, other: Summary) -> Summary:
        return Summary(self.predicates | other.predicates, self.classes | other.classes)


#: the summary of no triple
NOTHING: Final = Summary(frozenset(), frozenset())


#: what a triple's subject must be for the triple to matter to a pattern: of one of some
#: classes (``("type", classes)``), one of the terms a VALUES block gives
#: (``("value", terms)``), or the subject (``("subject-of", p)``) or object
#: (``("object-of", p)``) of a triple of predicate ``p`` in the data
Anchor = paths.Anchor


@dataclass(frozen=True)
class Footprint:
    """The triples a query's patterns can match, to any effect on its answer: triples whose
    predicate is one of ``predicates`` (``rdf:type`` excepted) and whose subject satisfies
    one of the predicate's ``anchors`` (any subject where a predicate has no entry there);
    ``rdf:type`` triples whose class is one of ``classes``, or any when ``any_class``."""

    predicates: frozenset[str]
    classes: frozenset[str]
    any_class: bool
    anchors: Mapping[str, tuple[Anchor, ...]] = field(default_factory=dict)

    def meets(self, summary: Summary) -> bool:
        """Whether a triple summed up by ``summary`` may match a pattern of the query."""
        if self.predicates & summary.predicates:
            return True
        if TYPE not in summary.predicates:
            return False
        return self.any_class or bool(self.classes & summary.classes)

    def meets_triple(self, triple: ox.Triple, holds: Callable[[Any, Anchor], bool]) -> bool:
        """Whether adding or removing ``triple`` may change the answer; ``holds(subject,
        anchor)``: whether the data *where the triple is* (after the change for an added
        one, before it for a removed one) satisfies the anchor."""
        predicate = triple.predicate.value
        if predicate == TYPE:
            return self.any_class or iri_of(triple.object) in self.classes
        if predicate not in self.predicates:
            return False
        anchors = self.anchors.get(predicate)
        if anchors is None:
            return True
        return any(holds(triple.subject, anchor) for anchor in anchors)


def iri_of(term: object) -> str | None:
    """The IRI of ``term``, None if it is not an IRI."""
    return term.value if isinstance(term, ox.NamedNode) else None


class _Everything(Exception):
    """A pattern that may match any triple."""


#: the anchors a variable's value satisfies one of at least (a choice: see ``paths.either``)
_Anchors = paths.Anchors


@dataclass
class _Found:
    predicates: set[str] = field(default_factory=set)
    classes: set[str] = field(default_factory=set)
    any_class: bool = False
    #: per predicate, the anchors of its patterns, or None where one may be matched by any
    #: subject
    anchors: dict[str, list[Anchor] | None] = field(default_factory=dict)

    def pattern(self, index: int, patterns: list[tuple[Any, Any, Any]],
                typed: Mapping[str, _Anchors]) -> None:
        from rdflib.term import URIRef, Variable

        subject, predicate, obj = patterns[index]
        if paths.choice(predicate):   # p|q: the pattern with p and the pattern with q
            for step in predicate.args:
                self.pattern(index, [*patterns[:index], (subject, step, obj),
                                     *patterns[index + 1:]], typed)
            return
        if not isinstance(predicate, URIRef):   # another path: any step may match a triple
            for iri in _path_iris(predicate):
                self.predicates.add(iri)
                self.anchors[iri] = None
                if iri == TYPE:
                    self.any_class = True
            return
        iri = str(predicate)
        self.predicates.add(iri)
        if iri == TYPE:
            values = typed.get(str(obj)) if isinstance(obj, Variable) else None
            if isinstance(obj, URIRef):
                self.classes.add(str(obj))
            elif values and all(kind == "value" for kind, _ in values):   # among constants
                self.classes.update(str(term) for _, terms in values for term in terms)
            else:
                self.any_class = True
            return
        self._note(iri, _anchor(subject, index, patterns, typed))

    def _note(self, iri: str, anchors: _Anchors | None) -> None:
        if anchors is None or self.anchors.get(iri, []) is None:
            self.anchors[iri] = None
        else:
            self.anchors.setdefault(iri, []).extend(anchors)  # type: ignore[union-attr]


def _anchor(subject: Any, index: int, patterns: list[tuple[Any, Any, Any]],
            typed: Mapping[str, _Anchors]) -> _Anchors | None:
    """What the subject of ``patterns[index]`` must be for a triple to matter to it: what
    it certainly is (``typed``), else what another pattern of the same group makes it."""
    from rdflib.term import Variable

    if not isinstance(subject, Variable):
        return None
    if str(subject) in typed:
        return typed[str(subject)]
    return _bound_by(subject, [t for at, t in enumerate(patterns) if at != index])


def _bound_by(variable: Any, patterns: Iterable[tuple[Any, Any, Any]]) -> _Anchors | None:
    """The anchors a pattern of ``patterns`` whose predicate (or path) matches at least one
    triple gives ``variable``, at either end."""
    from rdflib.term import Variable

    for s, p, o in patterns:
        if isinstance(p, Variable) or paths.nullable(p):
            continue
        ends = paths.ends(p)
        if ends is None:
            continue
        if s == variable:
            return ends[0]
        if o == variable:
            return ends[1]
    return None


#: the thread rdflib reads queries in (see ``footprint``)
_READER = ThreadPoolExecutor(1, thread_name_prefix="civicgraph-footprint")


@functools.lru_cache(maxsize=256)
def footprint(sparql: str, bound: frozenset[str] = frozenset()) -> Footprint | None:
    """The footprint of the query ``sparql`` whose variables ``bound`` are given values
    (substitutions); None when a pattern may match any triple (or the text is not a query
    rdflib reads: then nothing is assumed).

    rdflib's parser (pyparsing) leaves reference cycles of exceptions, tracebacks and frames
    behind, and a frame kept by one keeps its callers' frames and their locals: a pyoxigraph
    result held by a route would then be freed by the garbage collector on whatever thread
    runs it, which pyoxigraph refuses (its results belong to their thread). So the text is
    read on a thread of its own, whose frames lead to nothing of the caller's."""
    return _READER.submit(_footprint, sparql, bound).result()


#: parses kept (``algebra``): the footprint and the plan of a text are read one after the
#: other, around its evaluation, with at most the round's other texts between
PARSES = 16
#: what ``algebra`` gives for a text rdflib does not read
_UNREAD: Final = object()


def algebra(sparql: str) -> Any | None:
    """rdflib's algebra of the query ``sparql``, or None if rdflib does not read it; one
    parse for the footprint and the plan (``graph.queries.confinement``), which read it and
    never change it (``tests/graph/queries/test_shared_algebra.py``). Called on
    ``_READER`` only."""
    found = _parsed(sparql)
    return None if found is _UNREAD else found


@functools.lru_cache(maxsize=PARSES)
def _parsed(sparql: str) -> Any:
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        return translateQuery(parseQuery(sparql)).algebra
    except Exception:   # whatever rdflib cannot read, nothing is assumed of
        return _UNREAD


def _footprint(sparql: str, bound: frozenset[str]) -> Footprint | None:
    found = algebra(sparql)
    return None if found is None else _read(found)


def _read(algebra: Any) -> Footprint | None:
    """The footprint of a query of algebra ``algebra`` (see ``footprint``)."""
    found = _Found()
    try:   # a substituted variable is a constant: it anchors no zero-length path
        _walk(algebra, found, {}, frozenset())
    except _Everything:
        return None
    except Exception:   # an algebra rdflib cannot translate further (EXISTS in a SELECT
        return None     # expression): nothing is assumed
    anchors = {p: tuple(dict.fromkeys(a)) for p, a in found.anchors.items() if a is not None}
    return Footprint(frozenset(found.predicates - {TYPE}), frozenset(found.classes),
                     found.any_class, anchors)


def _walk(node: Any, found: _Found, typed: Mapping[str, _Anchors],
          bound: frozenset[str]) -> None:
    """Record the patterns under ``node``; ``typed``: the anchors the variables certainly
    satisfy where a change of the rows under ``node`` could make a difference (see the
    module's text)."""
    from rdflib.plugins.sparql.algebra import translateGroupGraphPattern, triples
    from rdflib.plugins.sparql.parserutils import CompValue
    from rdflib.term import Variable

    if isinstance(node, CompValue):
        name = node.name
        if name == "GroupGraphPatternSub":   # EXISTS keeps its pattern untranslated
            _walk(translateGroupGraphPattern(node), found, {}, bound)
            return
        if name in ("BGP", "TriplesBlock"):
            patterns = list(node.triples if name == "BGP" else triples(node.triples))
            _check_empty_paths(patterns, bound)
            here = {**typed}
            for variable, classes in _types_in(patterns).items():
                here[variable] = (("type", classes),)
            for index in range(len(patterns)):
                found.pattern(index, patterns, here)
            return
        if name == "Join":
            # a variable the other side binds to a term of a triple it matches in the same
            # graph (a sub-SELECT as much as a pattern) anchors a zero-length path here as it
            # would beside it
            for side, other in ((node.p1, node.p2), (node.p2, node.p1)):
                _walk(side, found, {**typed, **_certain(other)}, bound | _grounded(other))
            return
        if name == "Graph":   # zero-length paths in GRAPH ?g: terms of that graph only
            _walk(node.p, found, _through(node, typed), frozenset())
            return
        if name == "LeftJoin":
            # a row of the right side extends the left rows it is compatible with: those
            # binding its ?v to the same term only where every left row binds ?v
            left = _certain(node.p1)
            _walk(node.p1, found, typed, bound)
            _walk(node.p2, found, {**{v: a for v, a in typed.items() if v in left}, **left},
                  bound)
            _walk(node.get("expr"), found, {}, bound)
            return
        if name == "Minus":   # a row of the right side takes out the left rows it meets
            _walk(node.p1, found, typed, bound)
            _walk(node.p2, found, {}, bound)
            return
        inherited = _through(node, typed)
        # an EXISTS in a FILTER or BIND sees the variables of the pattern it filters bound
        # (to terms of triples, where that pattern binds them with a triple)
        seen = bound | _grounded(node.get("p")) if name in ("Filter", "Extend") else bound
        if name == "Project":   # a variable a sub-SELECT does not project is another one
            bound = frozenset(v for v in bound if Variable(v) in node.PV)
        for key, value in node.items():
            if key == "expr":
                _walk(value, found, {}, seen)
            else:
                _walk(value, found, inherited if key in ("p", "p1", "p2") else {}, bound)
    elif isinstance(node, (list, tuple, set, frozenset)):
        for value in node:
            _walk(value, found, typed, bound)


def _through(node: Any, typed: Mapping[str, _Anchors]) -> Mapping[str, _Anchors]:
    """What of ``typed`` holds for the rows of ``node``'s ``p`` (``p1``, ``p2``): the variables
    a change confined to the rows binding them to one term is still confined by, up
    through ``node`` (see the module's text)."""
    from rdflib.term import Variable

    name = node.name
    if name in _CONFINING:
        return typed
    if name == "Project":
        return {v: a for v, a in typed.items() if Variable(v) in node.PV}
    if name == "Extend":   # a variable BIND gives is another than the one of patterns below
        return {v: a for v, a in typed.items()
                if v != str(node.var) or _aggregated(node)}
    if name == "Group":
        keys = node.expr if node.expr is not None else []
        return {v: a for v, a in typed.items() if Variable(v) in keys}
    return {}


def _aggregated(extend: Any) -> bool:
    """Whether ``extend`` binds its variable to an aggregate's result (rdflib's
    ``__agg_N__``), as it does a GROUP BY key: the grouping then tells whether the
    variable is still the patterns'."""
    from rdflib.term import Variable

    expr = extend.expr
    return isinstance(expr, Variable) and str(expr).startswith("__agg_")


def _types_in(patterns: Iterable[tuple[Any, Any, Any]]) -> dict[str, frozenset[str]]:
    """The classes ``?v a C`` patterns give their variables."""
    from rdflib.term import URIRef, Variable

    found: dict[str, frozenset[str]] = {}
    for subject, predicate, obj in patterns:
        steps = predicate.args if paths.choice(predicate) else [predicate]   # a, or a|a
        if isinstance(subject, Variable) and isinstance(obj, URIRef) \
                and all(isinstance(p, URIRef) and str(p) == TYPE for p in steps):
            found[str(subject)] = found.get(str(subject), frozenset()) | {str(obj)}
    return found


def _certain(node: Any) -> dict[str, _Anchors]:
    """The variables every solution of ``node`` binds, each with anchors its value
    satisfies one of in the data: a class, or a triple naming it."""
    from rdflib.plugins.sparql.parserutils import CompValue
    from rdflib.term import Identifier, Variable

    if not isinstance(node, CompValue):
        return {}
    name = node.name
    if name == "BGP":
        found: dict[str, _Anchors] = {}
        for pattern in node.triples:
            for end in (pattern[0], pattern[2]):
                if isinstance(end, Variable) and str(end) not in found:
                    anchors = _bound_by(end, node.triples)
                    if anchors is not None:
                        found[str(end)] = anchors
        found.update((v, (("type", c),)) for v, c in _types_in(node.triples).items())
        return found
    if name == "Join":
        return {**_certain(node.p2), **_certain(node.p1)}
    if name in ("LeftJoin", "Minus"):
        return _certain(node.p1)
    if name == "values":   # rdflib reads UNDEF as the plain string "UNDEF", not a term
        rows = list(node.res)
        names = {str(v) for row in rows for v in row}
        return {name: (("value", frozenset(row[Variable(name)] for row in rows)),)
                for name in names
                if all(isinstance(row.get(Variable(name)), Identifier) for row in rows)}
    if name == "Union":
        one, other = _certain(node.p1), _certain(node.p2)
        return {v: paths.either(one[v], other[v]) for v in one.keys() & other.keys()}
    if name in ("Project", "Extend", "Group"):
        return {v: a for v, a in _certain(node.p).items() if v in _through(node, {v: a})}
    if name in ("Filter", "Graph", "Distinct", "Reduced", "OrderBy", "Slice",
                "AggregateJoin", "SelectQuery", "ToMultiSet"):
        inner = node.get("p")
        return _certain(inner) if inner is not None else {}
    return {}


def _path_iris(path: Any) -> Iterable[str]:
    from rdflib.paths import AlternativePath, InvPath, MulPath, SequencePath
    from rdflib.term import URIRef

    if isinstance(path, URIRef):
        yield str(path)
    elif isinstance(path, (SequencePath, AlternativePath)):
        for step in path.args:
            yield from _path_iris(step)
    elif isinstance(path, MulPath):
        yield from _path_iris(path.path)
    elif isinstance(path, InvPath):
        yield from _path_iris(path.arg)
    else:   # a variable predicate, a negated property set: any triple
        raise _Everything


def _check_empty_paths(triples: Iterable[tuple[Any, Any, Any]], bound: frozenset[str]) -> None:
    """A zero-length path binds its variable ends to *every* term of the active graph,
    whatever its predicates; from a constant end it gives that constant only while the
    graph names it (Oxigraph: ``?a p? <c>`` has no row until a triple, of any predicate,
    names ``<c>``). That is no dependence on other triples when one end is a variable that
    another pattern of the same group, or ``bound`` (``_grounded``), binds from a triple it
    matches in the same graph: the zero-length solutions that join are then terms of those
    triples. Otherwise: ``_Everything``."""
    from rdflib.term import Variable

    patterns = list(triples)
    for index, (subject, predicate, obj) in enumerate(patterns):
        if not paths.nullable(predicate):
            continue
        anchored = [isinstance(end, Variable) and (str(end) in bound or any(
            end in (s, o) and not paths.nullable(p)
            for at, (s, p, o) in enumerate(patterns) if at != index)) for end in (subject, obj)]
        if not any(anchored):
            raise _Everything


def _grounded(node: Any) -> frozenset[str]:
    """The variables every solution of ``node`` binds to a term of a triple it matches in
    its active graph (not a constant of a VALUES block, nor a term of another graph: a
    zero-length path these anchor would depend on other triples)."""
    from rdflib.plugins.sparql.parserutils import CompValue
    from rdflib.term import Variable

    if not isinstance(node, CompValue):
        return frozenset()
    name = node.name
    if name == "BGP":
        return frozenset(str(end) for s, p, o in node.triples if not paths.nullable(p)
                         for end in (s, o) if isinstance(end, Variable))
    if name == "Join":
        return _grounded(node.p1) | _grounded(node.p2)
    if name in ("LeftJoin", "Minus"):
        return _grounded(node.p1)
    if name == "Union":
        return _grounded(node.p1) & _grounded(node.p2)
    if name in ("Project", "Extend", "Group"):
        return frozenset(v for v in _grounded(node.p) if v in _through(node, {v: ()}))
    if name in ("Filter", "Distinct", "Reduced", "OrderBy", "Slice", "AggregateJoin",
                "SelectQuery", "ToMultiSet"):
        inner = node.get("p")
        return _grounded(inner) if inner is not None else frozenset()
    return frozenset()


__all__ = ["NOTHING", "TYPE", "Anchor", "Footprint", "Summary", "footprint", "iri_of"]
