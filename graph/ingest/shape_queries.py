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
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Final

import pyoxigraph as ox

from graph.errors import Violation
from graph.namespaces import RDF, RDFS, SH, XSD

#: the largest sh:minCount / sh:maxCount compiled (n distinct values are n variables)
MAX_COUNT: Final = 8
#: checks screened by one query (see ``run``)
SCREENING: Final = 4
#: focus nodes named in one query of a check, once screened
SCREENED: Final = 2_000
#: in a compiled query, where the class and its subclasses go (``run`` writes them in)
_SUBCLASSES: Final = re.compile(r"«subclasses of <([^>]*)>»")
_NIL: Final = ox.NamedNode(RDF + "nil")
#: shape predicates that describe, target or parametrise rather than constrain
_PASSIVE: Final = frozenset(SH + name for name in (
    "message", "severity", "name", "description", "order", "group", "defaultValue", "path",
    "deactivated", "targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf",
    "ignoredProperties", "flags", "qualifiedMinCount", "qualifiedMaxCount",
    "qualifiedValueShapesDisjoint"))
#: constraints that only a property shape may have
_PATH_ONLY: Final = ("minCount", "maxCount", "uniqueLang", "equals", "disjoint", "lessThan",
                     "lessThanOrEquals", "qualifiedValueShape")
#: XSD types whose lexical forms a SPARQL cast checks (an ill-formed literal fails the cast)
_CASTABLE: Final = frozenset(XSD + name for name in (
    "boolean", "integer", "decimal", "float", "double", "date", "dateTime", "time",
    "duration", "dayTimeDuration", "yearMonthDuration"))
_KINDS: Final = {
    "IRI": "!isIRI({v})", "Literal": "!isLiteral({v})", "BlankNode": "!isBlank({v})",
    "BlankNodeOrIRI": "isLiteral({v})", "BlankNodeOrLiteral": "isIRI({v})",
    "IRIOrLiteral": "isBlank({v})"}

Term = ox.NamedNode | ox.BlankNode | ox.Literal


class Unsupported(ValueError):
    """A shape uses a SHACL feature the compiler does not translate."""

    def __init__(self, feature: str, shape: str) -> None:
        self.feature, self.shape = feature, shape
        super().__init__(f"SHACL feature {feature} (shape {shape}) is not compiled to SPARQL")


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


# a constraint, given the focus variable, is a group pattern with one solution per violation
# and the variable holding the value it reports (None: no value, as for sh:minCount)
Pattern = tuple[str, str | None]
Maker = Callable[[str], Pattern]


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
    below: dict[str, str] = {}

    def subclasses(found: re.Match[str]) -> str:
        """The class of ``found`` and its subclasses (``rdfs:subClassOf*`` in ``store``)."""
        iri = found[1]
        if iri not in below:
            rows = store.query(f"SELECT DISTINCT ?c {{ ?c <{RDFS}subClassOf>* <{iri}> }}",
                               use_default_graph_as_union=union)
            assert isinstance(rows, ox.QuerySolutions)
            below[iri] = ", ".join({f"<{iri}>", *(str(row[0]) for row in rows
                                                  if isinstance(row[0], ox.NamedNode))})
        return below[iri]

    targets: dict[str, list[tuple[Check, str, str]]] = {}
    for check in checks:
        targets.setdefault(check.target, []).append(
            (check, _SUBCLASSES.sub(subclasses, check.query),
             _SUBCLASSES.sub(subclasses, check.pattern)))
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


def _sparql(term: Term) -> str:
    """A term in SPARQL syntax (N-Triples syntax is valid SPARQL)."""
    if isinstance(term, ox.BlankNode):
        raise Unsupported("a blank node as a constant", str(term))
    return str(term)


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
                raise Unsupported("a malformed RDF list", _name(node))
            out.append(first)
            node = self.one(node, RDF + "rest") or _NIL
        return out

    def integer(self, node: Term, predicate: str) -> int | None:
        value = self.one(node, predicate)
        if value is None:
            return None
        if not isinstance(value, ox.Literal) or not value.value.isdigit():
            raise Unsupported(f"a non-integer {_short(predicate)}", _name(node))
        if int(value.value) > MAX_COUNT:
            raise Unsupported(f"{_short(predicate)} above {MAX_COUNT}", _name(node))
        return int(value.value)

    def var(self) -> str:
        return f"?v{next(self.variables)}"

    # paths ----------------------------------------------------------------------------------

    def path(self, node: Term) -> tuple[str, str]:
        """A SHACL path as SPARQL and as text (rudof's spelling: ``^(p)``, ``(p / q)``)."""
        if isinstance(node, ox.NamedNode):
            return f"<{node.value}>", node.value
        if isinstance(node, ox.Literal):
            raise Unsupported("a literal path", _name(node))
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
        raise Unsupported("an unknown path form", _name(node))

    # constraints ----------------------------------------------------------------------------

    def constraints(self, shape: Term) -> Iterator[tuple[str, Maker]]:
        """(component, pattern maker) for each constraint of ``shape`` itself."""
        if self.one(shape, SH + "deactivated") == ox.Literal(True):
            return
        for quad in self.shapes.quads_for_pattern(shape, None, None, None):  # type: ignore[arg-type]
            if quad.predicate.value.startswith(SH) and quad.predicate.value not in _KNOWN:
                raise Unsupported(_short(quad.predicate.value), _name(shape))
        path_node = self.one(shape, SH + "path")
        view = _Values(self, self.path(path_node)[0] if path_node is not None else None)
        if path_node is None:
            for name in _PATH_ONLY:
                if self.one(shape, SH + name) is not None:
                    raise Unsupported(f"sh:{name} on a node shape", _name(shape))
        for predicate, build in _VALUE_TESTS.items():
            for parameter in self.objects(shape, predicate):
                yield _component(predicate), partial(view.failing, build(self, shape, parameter))
        minimum = self.integer(shape, SH + "minCount")
        if minimum:
            yield "sh:MinCountConstraintComponent", partial(view.fewer, minimum, None)
        maximum = self.integer(shape, SH + "maxCount")
        if maximum is not None:
            yield "sh:MaxCountConstraintComponent", partial(view.more, maximum, None)
        for value in self.objects(shape, SH + "hasValue"):
            yield "sh:HasValueConstraintComponent", partial(view.lacking, _sparql(value))
        if self.one(shape, SH + "uniqueLang") == ox.Literal(True):
            yield "sh:UniqueLangConstraintComponent", view.same_language
        for other in self.objects(shape, SH + "equals"):
            yield "sh:EqualsConstraintComponent", partial(view.unequal, _sparql(other))
        for other in self.objects(shape, SH + "disjoint"):
            yield "sh:DisjointConstraintComponent", partial(view.shared, _sparql(other))
        for name, operator in (("lessThan", "<"), ("lessThanOrEquals", "<=")):
            for other in self.objects(shape, SH + name):
                yield _component(SH + name), partial(view.above, _sparql(other), operator)
        for node in self.objects(shape, SH + "node"):
            yield "sh:NodeConstraintComponent", partial(
                view.failing, partial(self.combination, "and", [node]))
        for kind in ("or", "and", "xone"):
            for listed in self.objects(shape, SH + kind):
                yield _component(SH + kind), partial(
                    view.failing, partial(self.combination, kind, self.items(listed)))
        for negated in self.objects(shape, SH + "not"):
            yield "sh:NotConstraintComponent", partial(
                view.failing, partial(self.combination, "not", [negated]))
        for qualified in self.objects(shape, SH + "qualifiedValueShape"):
            if self.one(shape, SH + "qualifiedValueShapesDisjoint") == ox.Literal(True):
                raise Unsupported("sh:qualifiedValueShapesDisjoint", _name(shape))
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
                raise Unsupported("sh:closed on a property shape", _name(shape))
            allowed: list[Term] = [p for p in (self.one(q, SH + "path")
                                               for q in self.objects(shape, SH + "property"))
                                   if isinstance(p, ox.NamedNode)]
            for ignored in self.objects(shape, SH + "ignoredProperties"):
                allowed += self.items(ignored)
            yield "sh:ClosedConstraintComponent", partial(
                view.outside, ", ".join(_sparql(p) for p in allowed))

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
            raise Unsupported("recursive shapes", _name(shape))
        self.nesting.append(shape)
        try:
            branches = [make(focus)[0] for _, make in self.constraints(shape)]
            for nested in self.objects(shape, SH + "property"):
                if self.one(shape, SH + "path") is not None:
                    raise Unsupported("sh:property on a property shape", _name(shape))
                branches.append(self.violation(nested, focus))
        finally:
            self.nesting.pop()
        return " UNION ".join(f"{{ {b} }}" for b in branches) or "FILTER(false)"

    # top-level checks -------------------------------------------------------------------------

    def targets(self, shape: Term) -> list[str]:
        found = [f"{{ ?class <{RDFS}subClassOf>* {_sparql(c)} . "
                 f"?focus <{RDF}type> ?class }}"
                 for c in self.objects(shape, SH + "targetClass")]
        if _is_class(self.shapes, shape):
            found.append(f"{{ ?class <{RDFS}subClassOf>* {_sparql(shape)} . "
                         f"?focus <{RDF}type> ?class }}")
        nodes = " ".join(_sparql(n) for n in self.objects(shape, SH + "targetNode"))
        if nodes:
            found.append(f"{{ VALUES ?focus {{ {nodes} }} }}")
        found += [f"{{ ?focus {_sparql(p)} [] }}"
                  for p in self.objects(shape, SH + "targetSubjectsOf")]
        found += [f"{{ [] {_sparql(p)} ?focus }}"
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
                raise Unsupported("sh:target", _name(subject))
            if predicate.startswith(SH + "target") or (
                    predicate == RDF + "type" and isinstance(value, ox.NamedNode)
                    and value.value in (SH + "NodeShape", SH + "PropertyShape")
                    and _is_class(self.shapes, subject)):
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
        for component, make in self.constraints(owner):
            pattern, value = make("?focus")
            selected = f"({value} AS ?value)" if value else ""
            if component == "sh:ClosedConstraintComponent":
                selected += f" ({self.closed_path} AS ?path)"
            yield Check(
                query=f"SELECT DISTINCT ?focus {selected} WHERE {{ {{ {target} }} {pattern} }}",
                target=target, pattern=pattern,
                constraint=component, shape=_name(owner), path=path_text,
                message=self.message(owner, component),
                severity=_short(severity.value if isinstance(severity, ox.NamedNode)
                                else SH + "Violation").removeprefix("sh:"))

    def message(self, shape: Term, component: str) -> str:
        messages = [m for m in self.objects(shape, SH + "message") if isinstance(m, ox.Literal)]
        for wanted in ("en", None):
            for m in messages:
                if m.language == wanted:
                    return m.value
        return messages[0].value if messages else f"{component} not satisfied"


class _Values:
    """The patterns of the constraints on the value nodes of one shape: those of ``path``
    from the focus node, or the focus node itself when ``path`` is None."""

    def __init__(self, compiler: _Compiler, path: str | None) -> None:
        self.compiler, self.path = compiler, path

    def values(self, focus: str) -> tuple[str, str]:
        if self.path is None:
            return "", focus
        value = self.compiler.var()
        return f"{focus} {self.path} {value} .", value

    def failing(self, test: Callable[[str], str], focus: str) -> Pattern:
        pattern, value = self.values(focus)
        return f"{pattern} FILTER({test(value)})", value

    def distinct(self, focus: str, count: int, each: Callable[[str], str] | None) -> str:
        """``count`` pairwise distinct values (each passing ``each``, a pattern maker)."""
        names = [self.compiler.var() for _ in range(count)]
        body = " ".join(f"{focus} {self.path} {n} . {each(n) if each else ''}" for n in names)
        differ = " && ".join(f"!sameTerm({a}, {b})" for a, b in itertools.combinations(names, 2))
        return body + (f" FILTER({differ})" if differ else "")

    def fewer(self, count: int, each: Callable[[str], str] | None, focus: str) -> Pattern:
        return f"FILTER NOT EXISTS {{ {self.distinct(focus, count, each)} }}", None

    def more(self, count: int, each: Callable[[str], str] | None, focus: str) -> Pattern:
        return self.distinct(focus, count + 1, each), None

    def lacking(self, term: str, focus: str) -> Pattern:
        if self.path is None:
            return f"FILTER(!sameTerm({focus}, {term}))", focus
        return f"FILTER NOT EXISTS {{ {focus} {self.path} {term} }}", None

    def same_language(self, focus: str) -> Pattern:
        pattern, value = self.values(focus)
        other = self.compiler.var()
        return (f"{pattern} {focus} {self.path} {other} . FILTER(!sameTerm({value}, {other}) "
                f"&& lang({value}) != \"\" && LCASE(lang({value})) = LCASE(lang({other})))",
                None)

    def unequal(self, other: str, focus: str) -> Pattern:
        value = self.compiler.var()
        return (f"{{ {focus} {self.path} {value} FILTER NOT EXISTS {{ {focus} {other} {value} }}"
                f" }} UNION {{ {focus} {other} {value} FILTER NOT EXISTS {{ {focus} {self.path} "
                f"{value} }} }}", value)

    def shared(self, other: str, focus: str) -> Pattern:
        pattern, value = self.values(focus)
        return f"{pattern} {focus} {other} {value} .", value

    def above(self, other: str, operator: str, focus: str) -> Pattern:
        pattern, value = self.values(focus)
        bound = self.compiler.var()
        return (f"{pattern} {focus} {other} {bound} . "
                f"FILTER(!COALESCE({value} {operator} {bound}, false))", value)

    def outside(self, allowed: str, focus: str) -> Pattern:
        value = self.compiler.var()
        self.compiler.closed_path = self.compiler.var()
        test = f" FILTER({self.compiler.closed_path} NOT IN ({allowed}))" if allowed else ""
        return f"{focus} {self.compiler.closed_path} {value} .{test}", value


def _is_class(shapes: ox.Store, node: object) -> bool:
    """Whether ``node`` is an ``rdfs:Class`` (a shape that is one targets its instances)."""
    return next(iter(shapes.quads_for_pattern(node, ox.NamedNode(RDF + "type"),  # type: ignore[arg-type]
                                              ox.NamedNode(RDFS + "Class"), None)), None) \
        is not None


def _class_test(compiler: _Compiler, shape: Term, c: Term) -> Callable[[str], str]:
    if not isinstance(c, ox.NamedNode):
        raise Unsupported("a sh:class that is not an IRI", _name(shape))
    # the class's subclasses, looked up once per run, test a value faster than a path would
    def test(v: str) -> str:
        kind = compiler.var()
        return (f"NOT EXISTS {{ {v} <{RDF}type> {kind} . "
                f"FILTER({kind} IN («subclasses of <{c.value}>»)) }}")
    return test


def _datatype_test(compiler: _Compiler, shape: Term, d: Term) -> Callable[[str], str]:
    if not isinstance(d, ox.NamedNode):
        raise Unsupported("a sh:datatype that is not an IRI", _name(shape))
    cast = (f" || !COALESCE(isLiteral(<{d.value}>(STR({{v}}))), false)"
            if d.value in _CASTABLE else "")
    test = f"!isLiteral({{v}}) || datatype({{v}}) != <{d.value}>{cast}"
    return lambda v: test.replace("{v}", v)


def _kind_test(compiler: _Compiler, shape: Term, kind: Term) -> Callable[[str], str]:
    name = kind.value.removeprefix(SH) if isinstance(kind, ox.NamedNode) else ""
    if name not in _KINDS:
        raise Unsupported(f"sh:nodeKind {kind}", _name(shape))
    return lambda v: _KINDS[name].format(v=v)


def _pattern_test(compiler: _Compiler, shape: Term, pattern: Term) -> Callable[[str], str]:
    flags = compiler.one(shape, SH + "flags")
    extra = f", {ox.Literal(flags.value)}" if isinstance(flags, ox.Literal) else ""
    regex = ox.Literal(pattern.value)
    return lambda v: f"isBlank({v}) || !REGEX(STR({v}), {regex}{extra})"


def _in_test(compiler: _Compiler, shape: Term, listed: Term) -> Callable[[str], str]:
    members = [_sparql(m) for m in compiler.items(listed)]
    return lambda v: "!(" + (" || ".join(f"sameTerm({v}, {m})" for m in members)
                             or "false") + ")"


def _language_test(compiler: _Compiler, shape: Term, listed: Term) -> Callable[[str], str]:
    tags = [ox.Literal(m.value) for m in compiler.items(listed)]
    return lambda v: f"!isLiteral({v}) || !(" + (
        " || ".join(f"langMatches(lang({v}), {t})" for t in tags) or "false") + ")"


def _range_test(operator: str) -> Callable[[_Compiler, Term, Term], Callable[[str], str]]:
    def build(compiler: _Compiler, shape: Term, bound: Term) -> Callable[[str], str]:
        return lambda v: f"!COALESCE({v} {operator} {_sparql(bound)}, false)"
    return build


def _length_test(operator: str) -> Callable[[_Compiler, Term, Term], Callable[[str], str]]:
    def build(compiler: _Compiler, shape: Term, bound: Term) -> Callable[[str], str]:
        if not isinstance(bound, ox.Literal) or not bound.value.isdigit():
            raise Unsupported("a non-integer length", _name(shape))
        return lambda v: f"isBlank({v}) || !(STRLEN(STR({v})) {operator} {bound.value})"
    return build


#: constraints on each value node alone: parameter -> (compiler, shape, value) -> test on ?v
_VALUE_TESTS: Final[dict[str, Callable[[_Compiler, Term, Term], Callable[[str], str]]]] = {
    SH + "class": _class_test, SH + "datatype": _datatype_test, SH + "nodeKind": _kind_test,
    SH + "pattern": _pattern_test, SH + "in": _in_test, SH + "languageIn": _language_test,
    SH + "minInclusive": _range_test(">="), SH + "maxInclusive": _range_test("<="),
    SH + "minExclusive": _range_test(">"), SH + "maxExclusive": _range_test("<"),
    SH + "minLength": _length_test(">="), SH + "maxLength": _length_test("<="),
}


_KNOWN: Final = _PASSIVE | set(_VALUE_TESTS) | {SH + n for n in (
    "minCount", "maxCount", "hasValue", "uniqueLang", "equals", "disjoint", "lessThan",
    "lessThanOrEquals", "node", "property", "or", "and", "xone", "not", "qualifiedValueShape",
    "closed")}


def _component(predicate: str) -> str:
    name = predicate.removeprefix(SH)
    return f"sh:{name[0].upper()}{name[1:]}ConstraintComponent"


def _short(iri: str) -> str:
    return "sh:" + iri[len(SH):] if iri.startswith(SH) else iri


def _name(node: object) -> str:
    if isinstance(node, ox.BlankNode):
        return f"_:{node.value}"
    return str(getattr(node, "value", node))


__all__ = ["MAX_COUNT", "Check", "Unsupported", "compile_shapes", "run"]
