"""SHACL shapes compiled into SPARQL queries that Oxigraph runs over the data to validate.

``compile_shapes(files)`` turns each constraint of each targeted shape into one ``Check``: a
``SELECT`` whose solutions are the violations only (focus node, value, and for ``sh:closed``
the offending predicate). ``run(checks, store)`` evaluates them over ``store`` (a few checks
of a target screened by one query first) and returns the same ``Violation`` records as the
other engines of
``graph.ingest.validation``: focus node, path, constraint component, shape, message (the
shape's English ``sh:message``, else a generated one), value, severity.

Supported (SHACL Core): targets ``sh:targetClass`` (and implicit class targets),
``targetNode``, ``targetSubjectsOf``, ``targetObjectsOf``; paths of any SPARQL form (inverse,
sequence, alternative, ``*``/``+``/``?``); ``class`` (through ``rdf:type/rdfs:subClassOf*``
in the data, vocabulary included), ``datatype`` (well-formed lexical forms of the XSD types
SPARQL can cast), ``nodeKind``, ``pattern``/``flags``, ``in``, ``hasValue``, ``languageIn``,
``min/maxInclusive``, ``min/maxExclusive``, ``min/maxLength``, ``minCount``/``maxCount`` (up
to ``MAX_COUNT``), ``uniqueLang``, ``equals``, ``disjoint``, ``lessThan(OrEquals)``,
``node``, ``property``, ``or``, ``and``, ``xone``, ``not``, ``qualifiedValueShape`` with
``qualifiedMin/MaxCount``, ``closed``/``ignoredProperties``, ``deactivated``. Anything else
in the SHACL namespace on a shape (``sh:sparql``, ``sh:target``, ...) raises ``Unsupported``,
and the caller validates with another engine: a feature is never silently skipped.

>>> from graph.vocabulary import shapes_path
>>> len(compile_shapes((shapes_path("core"),))) > 100
True
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Final

import pyoxigraph as ox

from graph.errors import Violation
from graph.ingest.shape_patterns import (
    KNOWN,
    SUBCLASSES,
    VALUE_TESTS,
    Maker,
    Term,
    Unsupported,
    ValuePatterns,
    component,
    is_class,
    name,
    short,
    sparql,
)
from graph.namespaces import RDF, RDFS, SH

#: the largest sh:minCount / sh:maxCount compiled (n distinct values are n variables)
MAX_COUNT: Final = 8
#: checks screened by one query (see ``run``)
SCREENING: Final = 4
#: focus nodes named in one query of a check, once screened
SCREENED: Final = 2_000
_NIL: Final = ox.NamedNode(RDF + "nil")
#: constraints that only a property shape may have
PATH_ONLY: Final = ("minCount", "maxCount", "uniqueLang", "equals", "disjoint", "lessThan",
                     "lessThanOrEquals", "qualifiedValueShape")


@dataclass(frozen=True)
class Check:
    """One constraint of one shape: ``query`` answers ``?focus`` (and ``?value``, ``?path``
    when the constraint reports them) for each violation; it is ``pattern`` (a violation of
    ``?focus``) joined to ``target`` (the focus nodes)."""

    query: str
    target: str
    pattern: str
    constraint: str          # e.g. "sh:MinCountConstraintComponent"
    shape: str
    path: str | None
    message: str
    severity: str


def compile_shapes(files: Sequence[Path]) -> tuple[Check, ...]:
    """The checks of the shapes in ``files`` (compiled once per process and file version)."""
    return _compiled(tuple((path, path.stat().st_mtime_ns) for path in files))


@functools.cache
def _compiled(versions: tuple[tuple[Path, int], ...]) -> tuple[Check, ...]:
    shapes = ox.Store()
    for path, _ in versions:
        shapes.bulk_extend(ox.Quad(q.subject, q.predicate, q.object)
                           for q in ox.parse(path=path, format=ox.RdfFormat.TURTLE))
    return tuple(_Compiler(shapes).checks())


def run(checks: Sequence[Check], store: ox.Store, *, workers: int = 1,
        union: bool = True) -> list[Violation]:
    """The violations ``checks`` find in ``store`` (all its graphs as one, or only its default
    graph if not ``union``), ``workers`` queries at a time (Oxigraph evaluates without holding
    the interpreter lock).

    ``SCREENING`` checks of one target at a time are screened first by one query (the focus
    nodes that violate any of them, each an ``EXISTS``); then each check's own query runs on
    the focus nodes screened only, for values and paths: valid data costs one query per
    ``SCREENING`` checks."""
    below: dict[str, list[str]] = {}

    def subclasses(found: re.Match[str]) -> str:
        """The test of ``found``: its value has no ``rdf:type`` among the class and its
        subclasses (``rdfs:subClassOf*`` in ``store``), one ``NOT EXISTS`` for each."""
        value, iri = found[1], found[2]
        if iri not in below:
            rows = store.query(f"SELECT DISTINCT ?c {{ ?c <{RDFS}subClassOf>* <{iri}> }}",
                               use_default_graph_as_union=union)
            assert isinstance(rows, ox.QuerySolutions)
            below[iri] = [f"<{iri}>", *sorted({str(row[0]) for row in rows if isinstance(
                row[0], ox.NamedNode) and row[0].value != iri})]
        return "(" + " && ".join(f"NOT EXISTS {{ {value} <{RDF}type> {c} }}"
                                 for c in below[iri]) + ")"

    targets: dict[str, list[tuple[Check, str, str]]] = {}
    for check in checks:
        targets.setdefault(check.target, []).append(
            (check, SUBCLASSES.sub(subclasses, check.query),
             SUBCLASSES.sub(subclasses, check.pattern)))
    # a few checks per screening, so that the workers share a large target
    groups = [(target, members[start:start + SCREENING])
              for target, members in targets.items()
              for start in range(0, len(members), SCREENING)]

    def select(query: str) -> ox.QuerySolutions:
        rows = store.query(query, use_default_graph_as_union=union)
        assert isinstance(rows, ox.QuerySolutions)
        return rows

    def group(work: tuple[str, list[tuple[Check, str, str]]]) -> list[Violation]:
        target, members = work
        flags = " || ".join(f"EXISTS {{ {pattern} }}" for _, _, pattern in members)
        flagged = [row[0] for row in select(
            f"SELECT DISTINCT ?focus WHERE {{ {{ {target} }} FILTER({flags}) }}")]
        if not flagged:
            return []
        found: list[Violation] = []
        for check, query, _ in members:
            if any(isinstance(f, ox.BlankNode) for f in flagged):  # VALUES cannot name them
                found += _violations(check, select(query))
                continue
            for start in range(0, len(flagged), SCREENED):
                values = " ".join(str(f) for f in flagged[start:start + SCREENED])
                found += _violations(check, select(query.replace(
                    " WHERE { ", f" WHERE {{ VALUES ?focus {{ {values} }} ", 1)))
        return found

    if workers <= 1:
        return [v for work in groups for v in group(work)]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(workers) as pool:
        return [v for found in pool.map(group, groups) for v in found]


def _violations(check: Check, rows: ox.QuerySolutions) -> Iterator[Violation]:
    for row in rows:
        path = row["path"]
        yield Violation(
            focus_node=_focus(row["focus"]),
            path=path.value if isinstance(path, ox.NamedNode) else check.path,
            constraint=check.constraint, shape=check.shape, message=check.message,
            value=_text(row["value"]), severity=check.severity)


def _focus(term: object) -> str:
    """A focus node as ``Violation`` and ``checking.key`` spell it: an IRI, ``_:id``, or a
    literal in N-Triples syntax."""
    return term.value if isinstance(term, ox.NamedNode) else str(term)


def _text(term: object) -> str | None:
    """A result term as ``Violation`` spells it: an IRI, a literal's lexical form, ``_:id``."""
    if term is None:
        return None
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return str(getattr(term, "value", term))


class _Compiler:
    def __init__(self, shapes: ox.Store) -> None:
        self.shapes = shapes
        self.variables = itertools.count()
        self.nesting: list[Term] = []
        self.closed_path = "?path"    # the predicate variable of the last sh:closed compiled

    # reading the shapes graph ---------------------------------------------------------------

    def objects(self, node: Term, predicate: str) -> list[Term]:
        return [q.object for q in self.shapes.quads_for_pattern(  # type: ignore[misc]
            node, ox.NamedNode(predicate), None, None)]  # type: ignore[arg-type]

    def one(self, node: Term, predicate: str) -> Term | None:
        found = self.objects(node, predicate)
        return found[0] if found else None

    def items(self, node: Term) -> list[Term]:
        out: list[Term] = []
        while node != _NIL:
            first = self.one(node, RDF + "first")
            if first is None:
                raise Unsupported("a malformed RDF list", name(node))
            out.append(first)
            node = self.one(node, RDF + "rest") or _NIL
        return out

    def integer(self, node: Term, predicate: str) -> int | None:
        value = self.one(node, predicate)
        if value is None:
            return None
        if not isinstance(value, ox.Literal) or not value.value.isdigit():
            raise Unsupported(f"a non-integer {short(predicate)}", name(node))
        if int(value.value) > MAX_COUNT:
            raise Unsupported(f"{short(predicate)} above {MAX_COUNT}", name(node))
        return int(value.value)

    def var(self) -> str:
        return f"?v{next(self.variables)}"

    # paths ----------------------------------------------------------------------------------

    def path(self, node: Term) -> tuple[str, str]:
        """A SHACL path as SPARQL and as text (rudof's spelling: ``^(p)``, ``(p / q)``)."""
        if isinstance(node, ox.NamedNode):
            return f"<{node.value}>", node.value
        if isinstance(node, ox.Literal):
            raise Unsupported("a literal path", name(node))
        if self.one(node, RDF + "first") is not None:
            parts = [self.path(item) for item in self.items(node)]
            return "(" + "/".join(p for p, _ in parts) + ")", \
                "(" + " / ".join(t for _, t in parts) + ")"
        for predicate, spell in (("inversePath", "^({})"), ("zeroOrMorePath", "({})*"),
                                 ("oneOrMorePath", "({})+"), ("zeroOrOnePath", "({})?")):
            inner = self.one(node, SH + predicate)
            if inner is not None:
                sparql, text = self.path(inner)
                return spell.format(sparql), spell.format(text)
        alternatives = self.one(node, SH + "alternativePath")
        if alternatives is not None:
            parts = [self.path(item) for item in self.items(alternatives)]
            return "(" + "|".join(p for p, _ in parts) + ")", \
                "(" + " | ".join(t for _, t in parts) + ")"
        raise Unsupported("an unknown path form", name(node))

    # constraints ----------------------------------------------------------------------------

    def constraints(self, shape: Term) -> Iterator[tuple[str, Maker]]:
        """(component, pattern maker) for each constraint of ``shape`` itself."""
        if self.one(shape, SH + "deactivated") == ox.Literal(True):
            return
        for quad in self.shapes.quads_for_pattern(shape, None, None, None):  # type: ignore[arg-type]
            if quad.predicate.value.startswith(SH) and quad.predicate.value not in KNOWN:
                raise Unsupported(short(quad.predicate.value), name(shape))
        path_node = self.one(shape, SH + "path")
        view = ValuePatterns(self, self.path(path_node)[0] if path_node is not None else None)
        if path_node is None:
            for key in PATH_ONLY:
                if self.one(shape, SH + key) is not None:
                    raise Unsupported(f"sh:{key} on a node shape", name(shape))
        for predicate, build in VALUE_TESTS.items():
            for parameter in self.objects(shape, predicate):
                yield component(predicate), partial(view.failing, build(self, shape, parameter))
        minimum = self.integer(shape, SH + "minCount")
        if minimum:
            yield "sh:MinCountConstraintComponent", partial(view.fewer, minimum, None)
        maximum = self.integer(shape, SH + "maxCount")
        if maximum is not None:
            yield "sh:MaxCountConstraintComponent", partial(view.more, maximum, None)
        for value in self.objects(shape, SH + "hasValue"):
            yield "sh:HasValueConstraintComponent", partial(view.lacking, sparql(value))
        if self.one(shape, SH + "uniqueLang") == ox.Literal(True):
            yield "sh:UniqueLangConstraintComponent", view.same_language
        for other in self.objects(shape, SH + "equals"):
            yield "sh:EqualsConstraintComponent", partial(view.unequal, sparql(other))
        for other in self.objects(shape, SH + "disjoint"):
            yield "sh:DisjointConstraintComponent", partial(view.shared, sparql(other))
        for key, operator in (("lessThan", "<"), ("lessThanOrEquals", "<=")):
            for other in self.objects(shape, SH + key):
                yield component(SH + key), partial(view.above, sparql(other), operator)
        for node in self.objects(shape, SH + "node"):
            yield "sh:NodeConstraintComponent", partial(
                view.failing, partial(self.combination, "and", [node]))
        for kind in ("or", "and", "xone"):
            for listed in self.objects(shape, SH + kind):
                yield component(SH + kind), partial(
                    view.failing, partial(self.combination, kind, self.items(listed)))
        for negated in self.objects(shape, SH + "not"):
            yield "sh:NotConstraintComponent", partial(
                view.failing, partial(self.combination, "not", [negated]))
        for qualified in self.objects(shape, SH + "qualifiedValueShape"):
            if self.one(shape, SH + "qualifiedValueShapesDisjoint") == ox.Literal(True):
                raise Unsupported("sh:qualifiedValueShapesDisjoint", name(shape))
            conforming = partial(self.conforming, qualified)
            low = self.integer(shape, SH + "qualifiedMinCount")
            if low:
                yield "sh:QualifiedMinCountConstraintComponent", partial(
                    view.fewer, low, conforming)
            high = self.integer(shape, SH + "qualifiedMaxCount")
            if high is not None:
                yield "sh:QualifiedMaxCountConstraintComponent", partial(
                    view.more, high, conforming)
        if self.one(shape, SH + "closed") == ox.Literal(True):
            if path_node is not None:
                raise Unsupported("sh:closed on a property shape", name(shape))
            allowed: list[Term] = [p for p in (self.one(q, SH + "path")
                                               for q in self.objects(shape, SH + "property"))
                                   if isinstance(p, ox.NamedNode)]
            for ignored in self.objects(shape, SH + "ignoredProperties"):
                allowed += self.items(ignored)
            yield "sh:ClosedConstraintComponent", partial(
                view.outside, ", ".join(sparql(p) for p in allowed))

    def conforming(self, shape: Term, value: str) -> str:
        return f"FILTER NOT EXISTS {{ {self.violation(shape, value)} }}"

    def combination(self, kind: str, members: list[Term], value: str) -> str:
        """The test that ``value`` fails ``sh:or`` / ``sh:and`` / ``sh:xone`` / ``sh:not`` of
        ``members`` (``sh:node`` is ``and`` of one)."""
        failed = [f"EXISTS {{ {self.violation(m, value)} }}" for m in members]
        if kind == "or":
            return " && ".join(failed) or "true"
        if kind == "and":
            return " || ".join(failed) or "false"
        if kind == "not":
            return f"NOT {failed[0]}"
        return "(" + " + ".join(f"IF({f}, 0, 1)" for f in failed) + ") != 1" if failed \
            else "true"

    def violation(self, shape: Term, focus: str) -> str:
        """A group pattern with a solution when ``focus`` does not conform to ``shape``."""
        if shape in self.nesting:
            raise Unsupported("recursive shapes", name(shape))
        self.nesting.append(shape)
        try:
            branches = [make(focus)[0] for _, make in self.constraints(shape)]
            for nested in self.objects(shape, SH + "property"):
                if self.one(shape, SH + "path") is not None:
                    raise Unsupported("sh:property on a property shape", name(shape))
                branches.append(self.violation(nested, focus))
        finally:
            self.nesting.pop()
        return " UNION ".join(f"{{ {b} }}" for b in branches) or "FILTER(false)"

    # top-level checks -------------------------------------------------------------------------

    def targets(self, shape: Term) -> list[str]:
        found = [f"{{ ?class <{RDFS}subClassOf>* {sparql(c)} . "
                 f"?focus <{RDF}type> ?class }}"
                 for c in self.objects(shape, SH + "targetClass")]
        if is_class(self.shapes, shape):
            found.append(f"{{ ?class <{RDFS}subClassOf>* {sparql(shape)} . "
                         f"?focus <{RDF}type> ?class }}")
        nodes = " ".join(sparql(n) for n in self.objects(shape, SH + "targetNode"))
        if nodes:
            found.append(f"{{ VALUES ?focus {{ {nodes} }} }}")
        found += [f"{{ ?focus {sparql(p)} [] }}"
                  for p in self.objects(shape, SH + "targetSubjectsOf")]
        found += [f"{{ [] {sparql(p)} ?focus }}"
                  for p in self.objects(shape, SH + "targetObjectsOf")]
        return found

    def checks(self) -> Iterator[Check]:
        """One check per constraint of each shape with targets (its property shapes' too)."""
        shapes: set[Term] = set()
        for quad in self.shapes.quads_for_pattern(None, None, None, None):
            subject, predicate, value = quad.subject, quad.predicate.value, quad.object
            if not isinstance(subject, ox.NamedNode | ox.BlankNode):
                continue
            if predicate == SH + "target":
                raise Unsupported("sh:target", name(subject))
            if predicate.startswith(SH + "target") or (
                    predicate == RDF + "type" and isinstance(value, ox.NamedNode)
                    and value.value in (SH + "NodeShape", SH + "PropertyShape")
                    and is_class(self.shapes, subject)):
                shapes.add(subject)
        for shape in sorted(shapes, key=str):
            targets = self.targets(shape)
            if not targets or self.one(shape, SH + "deactivated") == ox.Literal(True):
                continue
            target = " UNION ".join(targets)
            owners = [shape] if self.one(shape, SH + "path") is not None \
                else [shape, *self.objects(shape, SH + "property")]
            for owner in owners:
                yield from self.owned(owner, target)

    def owned(self, owner: Term, target: str) -> Iterator[Check]:
        """The checks of the constraints of ``owner`` on the focus nodes of ``target``."""
        path_node = self.one(owner, SH + "path")
        path_text = self.path(path_node)[1] if path_node is not None else None
        severity = self.one(owner, SH + "severity")
        for constraint, make in self.constraints(owner):
            pattern, value = make("?focus")
            selected = f"({value} AS ?value)" if value else ""
            if constraint == "sh:ClosedConstraintComponent":
                selected += f" ({self.closed_path} AS ?path)"
            yield Check(
                query=f"SELECT DISTINCT ?focus {selected} WHERE {{ {{ {target} }} {pattern} }}",
                target=target, pattern=pattern,
                constraint=constraint, shape=name(owner), path=path_text,
                message=self.message(owner, constraint),
                severity=short(severity.value if isinstance(severity, ox.NamedNode)
                                else SH + "Violation").removeprefix("sh:"))

    def message(self, shape: Term, component: str) -> str:
        messages = [m for m in self.objects(shape, SH + "message") if isinstance(m, ox.Literal)]
        for wanted in ("en", None):
            for m in messages:
                if m.language == wanted:
                    return m.value
        return messages[0].value if messages else f"{component} not satisfied"



__all__ = ["MAX_COUNT", "Check", "Unsupported", "compile_shapes", "run"]
