"""The SPARQL patterns of SHACL constraints, for ``graph.ingest.shape_queries``.

A constraint, given the variable of its focus node, is a group ``Pattern``: SPARQL with one
solution per violation, and the variable holding the value it reports (None when it reports
none, as ``sh:minCount``). ``ValuePatterns`` makes them for the value nodes of one shape (the
values of its path, or the focus node itself); ``VALUE_TESTS`` are the constraints that look
at each value alone, as SPARQL expressions true when the value fails.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from typing import Final, Protocol

import pyoxigraph as ox

from graph.namespaces import RDF, RDFS, SH, XSD

Term = ox.NamedNode | ox.BlankNode | ox.Literal
Pattern = tuple[str, str | None]
Maker = Callable[[str], Pattern]
#: in a compiled query, the test that a value is an instance of none of a class and its
#: subclasses (``shape_queries.run`` writes it out once the data says the subclasses)
SUBCLASSES: Final = re.compile(r"«(\?\w+) not an instance of <([^>]*)>»")
#: shape predicates that describe, target or parametrise rather than constrain
PASSIVE: Final = frozenset(SH + name for name in (
    "message", "severity", "name", "description", "order", "group", "defaultValue", "path",
    "deactivated", "targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf",
    "ignoredProperties", "flags", "qualifiedMinCount", "qualifiedMaxCount",
    "qualifiedValueShapesDisjoint"))
#: XSD types whose lexical forms a SPARQL cast checks (an ill-formed literal fails the cast)
_CASTABLE: Final = frozenset(XSD + name for name in (
    "boolean", "integer", "decimal", "float", "double", "date", "dateTime", "time",
    "duration", "dayTimeDuration", "yearMonthDuration"))
_KINDS: Final = {
    "IRI": "!isIRI({v})", "Literal": "!isLiteral({v})", "BlankNode": "!isBlank({v})",
    "BlankNodeOrIRI": "isLiteral({v})", "BlankNodeOrLiteral": "isIRI({v})",
    "IRIOrLiteral": "isBlank({v})"}


class Unsupported(ValueError):
    """A shape uses a SHACL feature the compiler does not translate."""

    def __init__(self, feature: str, shape: str) -> None:
        self.feature, self.shape = feature, shape
        super().__init__(f"SHACL feature {feature} (shape {shape}) is not compiled to SPARQL")


class Reader(Protocol):
    """What the patterns read of the compiler: fresh variables and the shapes graph."""

    closed_path: str

    def var(self) -> str: ...

    def one(self, node: Term, predicate: str) -> Term | None: ...

    def items(self, node: Term) -> list[Term]: ...


class ValuePatterns:
    """The patterns of the constraints on the value nodes of one shape: those of ``path``
    from the focus node, or the focus node itself when ``path`` is None."""

    def __init__(self, compiler: Reader, path: str | None) -> None:
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


def is_class(shapes: ox.Store, node: object) -> bool:
    """Whether ``node`` is an ``rdfs:Class`` (a shape that is one targets its instances)."""
    return next(iter(shapes.quads_for_pattern(node, ox.NamedNode(RDF + "type"),  # type: ignore[arg-type]
                                              ox.NamedNode(RDFS + "Class"), None)), None) \
        is not None


def _class_test(compiler: Reader, shape: Term, c: Term) -> Callable[[str], str]:
    if not isinstance(c, ox.NamedNode):
        raise Unsupported("a sh:class that is not an IRI", name(shape))
    # one NOT EXISTS per class once the subclasses are known (``shape_queries.run``): a test
    # ``{ ?v a ?k FILTER(?k IN (...)) }`` with ?k free cost Oxigraph's memory store time
    # growing with the data when the values are hubs (a survey that generated 10^5 usages)
    return lambda v: f"«{v} not an instance of <{c.value}>»"


def _datatype_test(compiler: Reader, shape: Term, d: Term) -> Callable[[str], str]:
    if not isinstance(d, ox.NamedNode):
        raise Unsupported("a sh:datatype that is not an IRI", name(shape))
    cast = (f" || !COALESCE(isLiteral(<{d.value}>(STR({{v}}))), false)"
            if d.value in _CASTABLE else "")
    test = f"!isLiteral({{v}}) || datatype({{v}}) != <{d.value}>{cast}"
    return lambda v: test.replace("{v}", v)


def _kind_test(compiler: Reader, shape: Term, kind: Term) -> Callable[[str], str]:
    local = kind.value.removeprefix(SH) if isinstance(kind, ox.NamedNode) else ""
    if local not in _KINDS:
        raise Unsupported(f"sh:nodeKind {kind}", name(shape))
    return lambda v: _KINDS[local].format(v=v)


def _pattern_test(compiler: Reader, shape: Term, pattern: Term) -> Callable[[str], str]:
    flags = compiler.one(shape, SH + "flags")
    extra = f", {ox.Literal(flags.value)}" if isinstance(flags, ox.Literal) else ""
    regex = ox.Literal(pattern.value)
    return lambda v: f"isBlank({v}) || !REGEX(STR({v}), {regex}{extra})"


def _in_test(compiler: Reader, shape: Term, listed: Term) -> Callable[[str], str]:
    members = [sparql(m) for m in compiler.items(listed)]
    return lambda v: "!(" + (" || ".join(f"sameTerm({v}, {m})" for m in members)
                             or "false") + ")"


def _language_test(compiler: Reader, shape: Term, listed: Term) -> Callable[[str], str]:
    tags = [ox.Literal(m.value) for m in compiler.items(listed)]
    return lambda v: f"!isLiteral({v}) || !(" + (
        " || ".join(f"langMatches(lang({v}), {t})" for t in tags) or "false") + ")"


def _range_test(operator: str) -> Callable[[Reader, Term, Term], Callable[[str], str]]:
    def build(compiler: Reader, shape: Term, bound: Term) -> Callable[[str], str]:
        return lambda v: f"!COALESCE({v} {operator} {sparql(bound)}, false)"
    return build


def _length_test(operator: str) -> Callable[[Reader, Term, Term], Callable[[str], str]]:
    def build(compiler: Reader, shape: Term, bound: Term) -> Callable[[str], str]:
        if not isinstance(bound, ox.Literal) or not bound.value.isdigit():
            raise Unsupported("a non-integer length", name(shape))
        return lambda v: f"isBlank({v}) || !(STRLEN(STR({v})) {operator} {bound.value})"
    return build


#: constraints on each value node alone: parameter -> (compiler, shape, value) -> test on ?v
VALUE_TESTS: Final[dict[str, Callable[[Reader, Term, Term], Callable[[str], str]]]] = {
    SH + "class": _class_test, SH + "datatype": _datatype_test, SH + "nodeKind": _kind_test,
    SH + "pattern": _pattern_test, SH + "in": _in_test, SH + "languageIn": _language_test,
    SH + "minInclusive": _range_test(">="), SH + "maxInclusive": _range_test("<="),
    SH + "minExclusive": _range_test(">"), SH + "maxExclusive": _range_test("<"),
    SH + "minLength": _length_test(">="), SH + "maxLength": _length_test("<="),
}


KNOWN: Final = PASSIVE | set(VALUE_TESTS) | {SH + n for n in (
    "minCount", "maxCount", "hasValue", "uniqueLang", "equals", "disjoint", "lessThan",
    "lessThanOrEquals", "node", "property", "or", "and", "xone", "not", "qualifiedValueShape",
    "closed")}


def component(predicate: str) -> str:
    """The constraint component of a parameter: ``sh:minCount`` -> its component's name."""
    local = predicate.removeprefix(SH)
    return f"sh:{local[0].upper()}{local[1:]}ConstraintComponent"


def short(iri: str) -> str:
    """``sh:X`` for the SHACL namespace, the IRI otherwise."""
    return "sh:" + iri[len(SH):] if iri.startswith(SH) else iri


def name(node: object) -> str:
    """A shape or node as results name it: an IRI, or ``_:id``."""
    if isinstance(node, ox.BlankNode):
        return f"_:{node.value}"
    return str(getattr(node, "value", node))


def sparql(term: Term) -> str:
    """A term in SPARQL syntax (N-Triples syntax is valid SPARQL)."""
    if isinstance(term, ox.BlankNode):
        raise Unsupported("a blank node as a constant", str(term))
    return str(term)


__all__ = ["KNOWN", "SUBCLASSES", "VALUE_TESTS", "Maker", "Pattern", "Reader", "Term",
           "Unsupported", "ValuePatterns", "component", "is_class", "name", "short", "sparql"]
