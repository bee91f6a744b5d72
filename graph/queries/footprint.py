"""What data a query can read: enough to know that a write left its answer as it was.

A query's solutions are built from the triples its patterns match. A triple that matches no
pattern changes no solution when it is added or removed, whatever graph it sits in. The
*footprint* of a query, read from its algebra (``footprint``), says which triples may match:

- a triple whose predicate no pattern names matches none (``rdf:type`` triples are told
  apart by their class);
- a pattern ``?v p ?o`` whose subject is certainly of a class ``C`` can only be matched,
  to any effect, by a triple whose subject is of class ``C`` (its *anchor*,
  ``Footprint.anchors``). That holds when ``?v a C`` sits in the same basic graph pattern (a
  triple of another subject joins with nothing there), or when the pattern is in an
  OPTIONAL whose left side binds ``?v`` with ``?v a C`` and whose own side only ever adds
  solutions (no nested OPTIONAL, MINUS or EXISTS): a solution with another subject extends
  no row. Labels of software read in an OPTIONAL are so matched only by triples about
  software, not by an organisation's. Without a class, another pattern of the same basic
  graph pattern naming ``?v`` anchors it: ``?o org:purpose ?p`` beside ``?u cg:organisation
  ?o`` only matters for an organisation some triple names with ``cg:organisation``;
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

#: ``rdf:type``, whose triples are told apart by their class
TYPE: Final = RDF + "type"
#: the algebra nodes whose solutions only grow when triples are added (and shrink when
#: removed), solution by solution: a new solution never replaces an old one (a sub-SELECT
#: without aggregate, OPTIONAL, LIMIT or ORDER is a Project, or a Distinct, of such nodes)
_MONOTONE: Final = frozenset({"BGP", "Join", "Union", "Filter", "Extend", "Graph",
                              "ToMultiSet", "values", "Project", "Distinct"})


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
Anchor = tuple[str, Any]


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


@dataclass
class _Found:
    predicates: set[str] = field(default_factory=set)
    classes: set[str] = field(default_factory=set)
    any_class: bool = False
    #: per predicate, the anchor of each pattern, or None where one may be matched by any
    #: subject
    anchors: dict[str, list[Anchor] | None] = field(default_factory=dict)

    def pattern(self, index: int, patterns: list[tuple[Any, Any, Any]],
                typed: Mapping[str, Anchor]) -> None:
        from rdflib.term import URIRef, Variable

        subject, predicate, obj = patterns[index]
        if not isinstance(predicate, URIRef):
            for iri in _path_iris(predicate):   # a path: any step may match a triple
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
            elif values is not None and values[0] == "value":   # a class among constants
                self.classes.update(str(term) for term in values[1])
            else:
                self.any_class = True
            return
        anchor = _anchor(subject, index, patterns, typed)
        if anchor is None or self.anchors.get(iri, []) is None:
            self.anchors[iri] = None
        else:
            self.anchors.setdefault(iri, []).append(anchor)  # type: ignore[union-attr]


def _anchor(subject: Any, index: int, patterns: list[tuple[Any, Any, Any]],
            typed: Mapping[str, Anchor]) -> Anchor | None:
    """What the subject of ``patterns[index]`` must be for a triple to matter to it: a
    class it certainly has (``typed``), else another pattern of the same group binding it."""
    from rdflib.term import Variable

    if not isinstance(subject, Variable):
        return None
    if str(subject) in typed:
        return typed[str(subject)]
    return _bound_by(subject, [t for at, t in enumerate(patterns) if at != index])


def _bound_by(variable: Any, patterns: Iterable[tuple[Any, Any, Any]]) -> Anchor | None:
    """The anchor a pattern of ``patterns`` with a plain predicate gives ``variable``."""
    from rdflib.term import URIRef

    for s, p, o in patterns:
        if not isinstance(p, URIRef):
            continue
        if s == variable:
            return ("subject-of", str(p))
        if o == variable:
            return ("object-of", str(p))
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


def _footprint(sparql: str, bound: frozenset[str]) -> Footprint | None:
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        algebra = translateQuery(parseQuery(sparql)).algebra
    except Exception:   # whatever rdflib cannot read, nothing is assumed of
        return None
    found = _Found()
    try:
        _walk(algebra, found, {}, bound)
    except _Everything:
        return None
    anchors = {p: tuple(a) for p, a in found.anchors.items() if a is not None}
    return Footprint(frozenset(found.predicates - {TYPE}), frozenset(found.classes),
                     found.any_class, anchors)


def _walk(node: Any, found: _Found, typed: Mapping[str, Anchor],
          bound: frozenset[str]) -> None:
    """Record the patterns under ``node``; ``typed``: the classes the variables certainly
    have where a solution under ``node`` could make a difference (see the module's text)."""
    from rdflib.plugins.sparql.algebra import translateGroupGraphPattern, triples
    from rdflib.plugins.sparql.parserutils import CompValue

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
                here[variable] = ("type", classes)
            for index in range(len(patterns)):
                found.pattern(index, patterns, here)
            return
        if name == "Join":
            # a variable the other side binds to a term of a triple it matches (a sub-SELECT
            # as much as a pattern) anchors a zero-length path here as it would beside it
            for side, other in ((node.p1, node.p2), (node.p2, node.p1)):
                certain = _certain(other)
                given = {**typed, **certain} if _monotone(side) else {}
                _walk(side, found, given, bound | frozenset(certain))
            return
        if name == "LeftJoin":
            _walk(node.p1, found, {}, bound)
            right = _certain(node.p1) if _monotone(node.p2) else {}
            _walk(node.p2, found, right, bound)
            _walk(node.get("expr"), found, {}, bound)
            return
        inherited = typed if name in _MONOTONE else {}
        # an EXISTS in a FILTER or BIND sees the variables of the pattern it filters bound
        # (to terms of triples, where that pattern binds them with a triple)
        seen = bound | frozenset(_certain(node.get("p"))) if name in ("Filter", "Extend") \
            else bound
        for key, value in node.items():
            if key == "expr":
                _walk(value, found, {}, seen)
            else:
                _walk(value, found, inherited, bound)
    elif isinstance(node, (list, tuple, set, frozenset)):
        for value in node:
            _walk(value, found, typed, bound)


def _types_in(patterns: Iterable[tuple[Any, Any, Any]]) -> dict[str, frozenset[str]]:
    """The classes ``?v a C`` patterns give their variables."""
    from rdflib.term import URIRef, Variable

    found: dict[str, frozenset[str]] = {}
    for subject, predicate, obj in patterns:
        if isinstance(subject, Variable) and isinstance(predicate, URIRef) \
                and str(predicate) == TYPE and isinstance(obj, URIRef):
            found[str(subject)] = found.get(str(subject), frozenset()) | {str(obj)}
    return found


def _certain(node: Any) -> dict[str, Anchor]:
    """The variables every solution of ``node`` binds, each with an anchor its value
    satisfies in the data: a class, or a triple naming it."""
    from rdflib.plugins.sparql.parserutils import CompValue
    from rdflib.term import Variable

    if not isinstance(node, CompValue):
        return {}
    name = node.name
    if name == "BGP":
        found: dict[str, Anchor] = {}
        for pattern in node.triples:
            for end in (pattern[0], pattern[2]):
                if isinstance(end, Variable) and str(end) not in found:
                    anchor = _bound_by(end, node.triples)
                    if anchor is not None:
                        found[str(end)] = anchor
        found.update((v, ("type", c)) for v, c in _types_in(node.triples).items())
        return found
    if name == "Join":
        return {**_certain(node.p2), **_certain(node.p1)}
    if name in ("LeftJoin", "Minus"):
        return _certain(node.p1)
    if name == "values":
        rows = list(node.res)
        names = {str(v) for row in rows for v in row}
        return {name: ("value", frozenset(row[Variable(name)] for row in rows))
                for name in names
                if all(row.get(Variable(name)) is not None for row in rows)}
    if name == "Union":
        one, other = _certain(node.p1), _certain(node.p2)
        return {v: ("type", one[v][1] | other[v][1]) for v in one.keys() & other.keys()
                if one[v][0] == other[v][0] == "type"}
    if name == "Project":
        kept = {str(v) for v in node.PV}
        return {v: c for v, c in _certain(node.p).items() if v in kept}
    if name in ("Filter", "Extend", "Graph", "Distinct", "Reduced", "OrderBy", "Slice",
                "Group", "AggregateJoin", "SelectQuery", "ToMultiSet"):
        inner = node.get("p")
        return _certain(inner) if inner is not None else {}
    return {}


def _monotone(node: Any) -> bool:
    """Whether ``node``'s solutions only grow with added triples, one by one (no OPTIONAL,
    MINUS, EXISTS, aggregate or sub-query inside)."""
    from rdflib.plugins.sparql.parserutils import CompValue

    if isinstance(node, CompValue):
        if node.name.startswith("Builtin_") and "EXISTS" in node.name:
            return False
        if node.name in ("GroupGraphPatternSub",):
            return False
        if ("p" in node or "p1" in node or "triples" in node) \
                and node.name not in _MONOTONE:   # a graph pattern that is not monotone
            return False
        return all(_monotone(value) for key, value in node.items() if key != "_vars")
    if isinstance(node, (list, tuple)):
        return all(_monotone(value) for value in node)
    return True


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


def _nullable(path: Any) -> bool:
    """Whether ``path`` matches zero-length paths (``p?``, ``p*``, ...)."""
    from rdflib.paths import AlternativePath, InvPath, MulPath, SequencePath

    if isinstance(path, MulPath):
        return path.mod in ("?", "*") or _nullable(path.path)
    if isinstance(path, SequencePath):
        return all(_nullable(step) for step in path.args)
    if isinstance(path, AlternativePath):
        return any(_nullable(step) for step in path.args)
    if isinstance(path, InvPath):
        return _nullable(path.arg)
    return False


def _check_empty_paths(triples: Iterable[tuple[Any, Any, Any]], bound: frozenset[str]) -> None:
    """A zero-length path binds its variable ends to *every* term of the data, whatever its
    predicates. That is no dependence on other triples when one end is a constant (or a
    bound variable) or a variable that another pattern of the same group binds from a
    triple it matches: the zero-length solutions that join are then terms of those
    triples. Otherwise: ``_Everything``."""
    from rdflib.term import Variable

    patterns = list(triples)
    for index, (subject, predicate, obj) in enumerate(patterns):
        if not _nullable(predicate):
            continue
        anchored = [not isinstance(end, Variable) or str(end) in bound or any(
            end in (s, o) and not _nullable(p)
            for at, (s, p, o) in enumerate(patterns) if at != index) for end in (subject, obj)]
        if not any(anchored):
            raise _Everything


__all__ = ["NOTHING", "TYPE", "Anchor", "Footprint", "Summary", "footprint", "iri_of"]
