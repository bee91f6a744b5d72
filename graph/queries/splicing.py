"""A kept answer brought up to date by the rows a write changed, instead of evaluated anew.

When the triples a write added and removed are known one by one and, for a kept answer,
every one of them that may matter changes only rows whose projected ``?k`` is its subject
or object (``graph.queries.confinement``), the new answer is the old rows minus those whose
``?k`` is among those terms (``Splice.keys``), plus the rows of the same query restricted
to them: the query with ``VALUES ?k { ... }`` opening its WHERE group (``restricted``),
evaluated by the engine with the job's own scope (privacy unchanged), merged and put back
in the query's ORDER BY order (``merged``). Rows tied on every ORDER BY key may come in
another order than a full evaluation's.

Triples confined by different variables (a new organisation's label by ``?organisation``,
its usages by ``?usage``) make a splice of several: the rows binding ``?k1`` to one of its
terms *or* ``?k2`` to one of its are replaced, by the rows of one restricted query per
variable, a row of the second that binds ``?k1`` to one of its terms left out (the first
has it, as many times: both are exact subsets of the same answer).

The order is SPARQL 1.1's (§15.1) as Oxigraph 0.5 applies it, checked against it
(``tests/graph/queries/test_splicing``): unbound first, then blank nodes, IRIs (by their
text), literals. Among literals Oxigraph orders numbers by value, dates, booleans, and
plain and language-tagged strings together by their text (at equal text, tagged before
plain, by tag); literals of two of these kinds, or of another datatype, it leaves in an
order of its own: an ORDER BY column holding such literals is not spliced
(``Unsortable``), nor is a blank node a key (no query can name it).

>>> restricted("SELECT ?s { ?s <urn:p> ?o }", "s", frozenset({ox.NamedNode("urn:a")}))
'SELECT ?s { VALUES ?s { <urn:a> } ?s <urn:p> ?o }'
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Final

import pyoxigraph as ox

from graph.queries.confinement import BOTH, OBJECT, SUBJECT, Pattern, Plan
from graph.queries.footprint import Anchor
from graph.store.binding import where_group_offset

XSD: Final = "http://www.w3.org/2001/XMLSchema#"
RDF_LANG: Final = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_NUMBERS: Final = frozenset(XSD + t for t in (
    "integer", "decimal", "double", "float", "int", "long", "short", "byte",
    "nonNegativeInteger", "positiveInteger", "negativeInteger", "nonPositiveInteger",
    "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte"))


class Unsortable(Exception):
    """Rows whose ORDER BY keys this module cannot order as Oxigraph does."""


Key = ox.NamedNode | ox.Literal


@dataclass(frozen=True)
class Splice:
    """The rows to replace: those binding one of the variables of ``keys`` to one of its
    terms, and those binding ``?k`` to a value ``?k`` takes in the rows of SELECT ``i``'s
    WHERE group that bind ``?u`` to one of the terms of ``derived[(i, k, u)]``
    (``graph.queries.derivation``: found after the write, before the splice)."""

    keys: Mapping[str, frozenset[Key]]
    derived: Mapping[tuple[int, str, str], frozenset[Key]] = field(default_factory=dict)

    def __or__(self, other: Splice) -> Splice:
        """Both splices as one."""
        return Splice(_union(self.keys, other.keys), _union(self.derived, other.derived))


def _union(one: Mapping[Any, frozenset[Key]], other: Mapping[Any, frozenset[Key]]
           ) -> dict[Any, frozenset[Key]]:
    return {v: one.get(v, frozenset()) | other.get(v, frozenset())
            for v in sorted({*one, *other})}


#: a changed triple, what its anchors are checked against (``holds`` for an added one,
#: ``held`` for a removed one), and whether it was added
Changed = tuple[ox.Triple, Callable[[Any, Anchor], bool], bool]


def confine(found: Plan, changed: Iterable[Changed], *, derive: bool = True
            ) -> Splice | str:
    """The splice that brings an answer of a query of plan ``found`` over the changed
    triples (keys derived through a join if ``derive``), or why there is none."""
    if found.reason is not None:
        return found.reason
    met: list[tuple[ox.Triple, dict[str, str]]] = []
    through: dict[tuple[int, str], list[tuple[ox.Triple, dict[str, str]]]] = {}
    for triple, holds, added in changed:
        for pattern in found.patterns:
            if not pattern.meets(triple, holds):
                continue
            options = {v: end for v, end in pattern.ends.items() if v in found.keys}
            if options:
                met.append((triple, options))
                continue
            derived = _derivable(found, pattern, triple, holds) if added and derive else None
            if derived is None:
                return (f"a changed triple of <{pattern.predicate}> meets a pattern whose "
                        "rows no projected variable confines")
            where, inner = derived
            through.setdefault(where, []).extend(inner)
    if not met and not through:
        return "no changed triple meets a pattern: the footprint says otherwise"
    terms = _cover(met)
    derivations = {(i, k, u): frozenset(ts) for (i, k), inner in through.items()
                   for u, ts in _cover(inner).items()}
    if not all(isinstance(k, (ox.NamedNode, ox.Literal))
               for ks in [*terms.values(), *derivations.values()] for k in ks):
        return "a key is a blank node, which no query can name"
    return Splice({v: frozenset(terms[v]) for v in sorted(terms)},  # type: ignore[misc]
                  derivations)  # type: ignore[arg-type]


def _derivable(found: Plan, pattern: Pattern, triple: ox.Triple,
               holds: Callable[[Any, Anchor], bool]
               ) -> tuple[tuple[int, str], list[tuple[ox.Triple, dict[str, str]]]] | None:
    """Where the keys of the rows an added ``triple`` changes through ``pattern`` may be
    derived from (the SELECT, the key), with the variables that confine them there; None
    if nowhere: from the innermost SELECT around the pattern out to the query's own."""
    if found.sources is None:
        return None
    for index, source in found.sources.chain(pattern.source):
        keys = source.keys & found.selects[index][1]
        if not keys or any(r.meets(triple, holds) for r in source.risky):
            continue
        inner = [(triple, dict(p.ends)) for p in source.patterns if p.meets(triple, holds)]
        if inner and all(options for _, options in inner):
            return (index, min(keys)), inner
    return None


def _cover(met: list[tuple[ox.Triple, dict[str, str]]]) -> dict[str, set[object]]:
    """The terms of each variable whose rows cover every change of ``met`` (each triple
    with the variables that confine the rows it changes, by the end bound to them): as
    few variables as may be (each is one restricted evaluation), the one confining most
    of the changes first."""
    chosen: list[str] = []
    left = met
    while left:
        counts: dict[str, int] = {}
        for _, options in left:
            for variable in options:
                counts[variable] = counts.get(variable, 0) + 1
        chosen.append(min(counts, key=lambda v: (-counts[v], v)))
        left = [(t, o) for t, o in left if chosen[-1] not in o]
    terms: dict[str, set[object]] = {}
    for triple, options in met:
        variable = next(v for v in chosen if v in options)
        terms.setdefault(variable, set()).update({
            SUBJECT: (triple.subject,), OBJECT: (triple.object,),
            BOTH: (triple.subject, triple.object)}[options[variable]])
    return terms


def term_of(binding: Mapping[str, str]) -> Key | None:
    """The term of a SPARQL JSON binding (None for a blank node)."""
    kind = binding["type"]
    if kind == "uri":
        return ox.NamedNode(binding["value"])
    if kind not in ("literal", "typed-literal"):
        return None
    if "xml:lang" in binding:
        return ox.Literal(binding["value"], language=binding["xml:lang"])
    if "datatype" in binding:
        return ox.Literal(binding["value"], datatype=ox.NamedNode(binding["datatype"]))
    return ox.Literal(binding["value"])


def restricted(sparql: str, variable: str, keys: Iterable[Key]) -> str:
    """``sparql`` restricted to the rows binding ``variable`` to one of ``keys``: a VALUES
    block opening its WHERE group."""
    at = where_group_offset(sparql)
    values = " ".join(sorted(str(k) for k in keys))
    return f"{sparql[:at]} VALUES ?{variable} {{ {values} }}{sparql[at:]}"


def _json_term(term: ox.NamedNode | ox.Literal) -> tuple[str, ...]:
    if isinstance(term, ox.NamedNode):
        return ("uri", term.value)
    if term.language is not None:
        return ("literal", term.value, "", term.language)
    datatype = term.datatype.value
    return ("literal", term.value, "" if datatype == XSD + "string" else datatype, "")


def _row_term(binding: dict[str, str]) -> tuple[str, ...]:
    if binding["type"] == "uri":
        return ("uri", binding["value"])
    if binding["type"] in ("literal", "typed-literal"):
        datatype = binding.get("datatype", "")
        return ("literal", binding["value"], "" if datatype == XSD + "string" else datatype,
                binding.get("xml:lang", ""))
    return ("bnode", binding["value"])


def merged(old: bytes, new: Sequence[tuple[str, bytes]], splice: Splice,
           order: tuple[tuple[str, bool], ...]) -> tuple[bytes, int]:
    """The SPARQL JSON answer ``old`` with the rows binding a variable of the splice to one
    of its keys replaced by those of ``new`` (each variable's restricted query's answer),
    in ``order``; and its row count. ``Unsortable``: rows this module cannot order as
    Oxigraph does."""
    before = json.loads(old)
    keys = {v: {_json_term(k) for k in terms} for v, terms in splice.keys.items()}

    def replaced(row: dict[str, Any], variables: Iterable[str]) -> bool:
        return any(v in row and _row_term(row[v]) in keys[v] for v in variables)

    rows = [row for row in before["results"]["bindings"] if not replaced(row, keys)]
    done: list[str] = []
    for variable, body in new:
        after = json.loads(body)
        if before["head"].get("vars") != after["head"].get("vars"):
            raise Unsortable("the restricted query's variables differ")
        rows.extend(row for row in after["results"]["bindings"] if not replaced(row, done))
        done.append(variable)
    for name, descending in reversed(order):   # stable sorts, the last key first
        rows.sort(key=_sort_key(rows, name), reverse=descending)
    before["results"]["bindings"] = rows
    body = json.dumps(before, ensure_ascii=False, separators=(",", ":")).encode()
    return body, len(rows)


def _sort_key(rows: list[dict[str, Any]], name: str) -> Callable[[dict[str, Any]], Any]:
    """The key of ``rows`` by their value of ``name``, as Oxigraph orders them."""
    kinds = {_kind(row.get(name)) for row in rows} - {"unbound", "uri"}
    literal_kinds = kinds - {"bnode"}
    if "bnode" in kinds:
        raise Unsortable(f"?{name} holds blank nodes")
    if len(literal_kinds) > 1 or "other" in literal_kinds:
        raise Unsortable(f"?{name} holds literals Oxigraph does not order together")

    def key(row: dict[str, Any]) -> Any:
        binding = row.get(name)
        kind = _kind(binding)
        if kind == "unbound":
            return (0,)
        if kind == "uri":
            return (2, binding["value"])  # type: ignore[index]
        return (3, _literal_key(kind, binding))  # type: ignore[arg-type]

    return key


def _kind(binding: dict[str, str] | None) -> str:
    if binding is None:
        return "unbound"
    if binding["type"] == "uri":
        return "uri"
    if binding["type"] == "bnode":
        return "bnode"
    datatype = binding.get("datatype", XSD + "string")
    if "xml:lang" in binding or datatype in (XSD + "string", RDF_LANG):
        return "string"
    if datatype in _NUMBERS:
        return "number"
    if datatype == XSD + "boolean":
        return "boolean"
    if datatype == XSD + "date":
        return "date"
    return "other"


def _literal_key(kind: str, binding: dict[str, str]) -> Any:
    value = binding["value"]
    if kind == "string":
        language = binding.get("xml:lang")
        return (value, 0, language) if language is not None else (value, 1, "")
    if kind == "number":
        try:
            number = Decimal(value.strip())
        except InvalidOperation as error:
            raise Unsortable(f"{value!r} is not a number this module reads") from error
        if not number.is_finite():
            raise Unsortable(f"{value!r}: NaN and infinities are not ordered here")
        return number
    if kind == "boolean":
        if value not in ("true", "false", "1", "0"):
            raise Unsortable(f"{value!r} is not a boolean")
        return value in ("true", "1")
    try:   # a date without a time zone only (one with a zone compares otherwise)
        return datetime.date.fromisoformat(value) if len(value) == 10 else _no_zone(value)
    except ValueError as error:
        raise Unsortable(f"{value!r} is not a date this module orders") from error


def _no_zone(value: str) -> datetime.date:
    raise ValueError(value)


__all__ = ["Changed", "Splice", "Unsortable", "confine", "merged", "restricted", "term_of"]
