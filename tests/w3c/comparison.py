"""Answers compared as the W3C suite says: solutions as bags (a sequence only under ORDER BY),
blank nodes up to a consistent renaming, graphs by isomorphism (``rdflib.compare``), booleans
as booleans; expected results read from ``.srx``, ``.srj``, ``.tsv``, ``.csv`` or an RDF
result set (the ``rs:`` vocabulary of the SPARQL 1.0 tests).
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pyoxigraph as ox
import rdflib
from rdflib.compare import isomorphic

RS = "http://www.w3.org/2001/sw/DataAccess/tests/result-set#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

Row = tuple[object, ...]


@dataclass(frozen=True)
class Solutions:
    """A table: its variables and rows (a term, a CSV string, or None when unbound)."""

    variables: tuple[str, ...]
    rows: tuple[dict[str, object], ...]
    ordered: bool = False  # rs:index was given

    def table(self, variables: Sequence[str]) -> list[Row]:
        return [tuple(row.get(v) for v in variables) for row in self.rows]


Answer = bool | Solutions | list[ox.Triple]


def results_format(path: str) -> ox.QueryResultsFormat | None:
    for suffix, fmt in ((".srx", ox.QueryResultsFormat.XML), (".srj", ox.QueryResultsFormat.JSON),
                        (".tsv", ox.QueryResultsFormat.TSV)):
        if path.endswith(suffix):
            return fmt
    return None


def rdf_format(path_or_media: str) -> ox.RdfFormat:
    media = path_or_media.split(";")[0].strip().lower()
    for suffix, fmt in ((".ttl", ox.RdfFormat.TURTLE), (".nt", ox.RdfFormat.N_TRIPLES),
                        (".rdf", ox.RdfFormat.RDF_XML), (".nq", ox.RdfFormat.N_QUADS),
                        (".trig", ox.RdfFormat.TRIG)):
        if media.endswith(suffix):
            return fmt
    found = ox.RdfFormat.from_media_type(media)
    if found is None:
        raise ValueError(f"not an RDF format: {path_or_media}")
    return found


def parse_results(data: bytes, fmt: ox.QueryResultsFormat) -> bool | Solutions:
    parsed = ox.parse_query_results(data, format=fmt)
    if isinstance(parsed, ox.QueryBoolean):
        return bool(parsed)
    variables = tuple(v.value for v in parsed.variables)
    rows = tuple({v: s[v] for v in variables if s[v] is not None} for s in parsed)
    return Solutions(variables, rows)


def parse_csv(data: bytes) -> Solutions:
    """CSV results as strings (the format is lossy: compared as text, blank nodes as ``_:``)."""
    reader = csv.reader(io.StringIO(data.decode("utf-8")))
    lines = list(reader)
    if not lines:
        return Solutions((), ())
    variables = tuple(lines[0])
    rows: tuple[dict[str, object], ...] = tuple(
        {v: cell for v, cell in zip(variables, line, strict=False) if cell != ""}
        for line in lines[1:])
    return Solutions(variables, rows)


def parse_rdf(data: bytes, fmt: ox.RdfFormat, base: str | None = None) -> list[ox.Triple]:
    """The triples of ``data``, each blank node renamed apart (two files' ``_:x`` differ)."""
    return [q.triple for q in ox.parse(data, format=fmt, base_iri=base, rename_blank_nodes=True)]


def from_result_set(triples: list[ox.Triple]) -> bool | Solutions | None:
    """An ``rs:ResultSet`` read back as a boolean or a table; None when the graph has none."""
    by_subject: dict[object, list[ox.Triple]] = {}
    for t in triples:
        by_subject.setdefault(t.subject, []).append(t)

    def values(subject: object, predicate: str) -> list[object]:
        return [t.object for t in by_subject.get(subject, []) if t.predicate.value == predicate]

    sets = [t.subject for t in triples
            if t.predicate.value == RDF_TYPE and t.object == ox.NamedNode(RS + "ResultSet")]
    if not sets:
        return None
    result_set = sets[0]
    boolean = values(result_set, RS + "boolean")
    if boolean:
        return str(boolean[0].value) == "true"  # type: ignore[attr-defined]
    variables = tuple(str(v.value) for v in values(result_set, RS + "resultVariable"))  # type: ignore[attr-defined]
    indexed: list[tuple[int, dict[str, object]]] = []
    ordered = False
    for solution in values(result_set, RS + "solution"):
        row: dict[str, object] = {}
        for binding in values(solution, RS + "binding"):
            name = values(binding, RS + "variable")[0].value  # type: ignore[attr-defined]
            row[str(name)] = values(binding, RS + "value")[0]
        index = values(solution, RS + "index")
        ordered = ordered or bool(index)
        indexed.append((int(index[0].value) if index else 0, row))  # type: ignore[attr-defined]
    indexed.sort(key=lambda pair: pair[0])
    return Solutions(variables, tuple(row for _, row in indexed), ordered)


def _is_blank(term: object) -> bool:
    return isinstance(term, ox.BlankNode) or (isinstance(term, str) and term.startswith("_:"))


def _unify(expected: Row, actual: Row,
           mapping: dict[object, object]) -> dict[object, object] | None:
    """``mapping`` extended so that ``expected`` renamed is ``actual``; None if impossible."""
    extended = dict(mapping)
    used = set(extended.values())
    for e, a in zip(expected, actual, strict=True):
        if _is_blank(e) and _is_blank(a):
            if e in extended:
                if extended[e] != a:
                    return None
            elif a in used:
                return None
            else:
                extended[e] = a
                used.add(a)
        elif e != a:
            return None
    return extended


def _match_bag(expected: list[Row], actual: list[Row], mapping: dict[object, object]) -> bool:
    if not expected:
        return not actual
    first, rest = expected[0], expected[1:]
    tried: set[Row] = set()
    for i, candidate in enumerate(actual):
        if candidate in tried:
            continue
        tried.add(candidate)
        extended = _unify(first, candidate, mapping)
        if extended is not None and _match_bag(rest, actual[:i] + actual[i + 1:], extended):
            return True
    return False


def _match_sequence(expected: list[Row], actual: list[Row]) -> bool:
    mapping: dict[object, object] | None = {}
    if len(expected) != len(actual):
        return False
    for e, a in zip(expected, actual, strict=True):
        assert mapping is not None
        mapping = _unify(e, a, mapping)
        if mapping is None:
            return False
    return True


def same_bag(expected: list[Row], actual: list[Row]) -> bool:
    """Equal as multisets, blank nodes renamed consistently."""
    if len(expected) != len(actual):
        return False
    ground_e = Counter(r for r in expected if not any(_is_blank(t) for t in r))
    ground_a = Counter(r for r in actual if not any(_is_blank(t) for t in r))
    if ground_e != ground_a:
        return False
    blank_e = [r for r in expected if any(_is_blank(t) for t in r)]
    blank_a = [r for r in actual if any(_is_blank(t) for t in r)]
    return _match_bag(blank_e, blank_a, {})


def compare_solutions(expected: Solutions, actual: Solutions, *, ordered: bool,
                      lax: bool = False) -> str | None:
    """None when they match, else why not."""
    if set(expected.variables) != set(actual.variables):
        return f"variables {sorted(actual.variables)}, expected {sorted(expected.variables)}"
    variables = sorted(expected.variables)
    e, a = expected.table(variables), actual.table(variables)
    if lax and set(a) == set(e):  # REDUCED: any number of duplicates may go
        return None
    if ordered and _match_sequence(e, a):
        return None
    if same_bag(e, a):
        return None if not ordered else "same solutions in another order"
    missing = Counter(e) - Counter(a)
    extra = Counter(a) - Counter(e)
    return (f"{len(a)} solutions, expected {len(e)}; missing {_show(missing)}; "
            f"unexpected {_show(extra)}")


def _show(rows: Iterable[Row]) -> str:
    shown = [tuple(str(t) for t in row) for row in list(rows)[:3]]
    return str(shown)[:400]


def _to_rdflib(term: object) -> rdflib.term.Node:
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    assert isinstance(term, ox.Literal), term
    if term.language:
        return rdflib.Literal(term.value, lang=term.language, normalize=False)
    return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value),
                          normalize=False)


def rdflib_graph(triples: Iterable[ox.Triple]) -> rdflib.Graph:
    graph = rdflib.Graph()
    for t in triples:
        graph.add((_to_rdflib(t.subject), _to_rdflib(t.predicate), _to_rdflib(t.object)))
    return graph


def compare_graphs(expected: Iterable[ox.Triple], actual: Iterable[ox.Triple]) -> str | None:
    e, a = rdflib_graph(expected), rdflib_graph(actual)
    if isomorphic(e, a):
        return None
    return f"graph of {len(a)} triples is not isomorphic to the expected {len(e)}"


def compare(expected: Answer, actual: Answer, *, ordered: bool, lax: bool) -> str | None:
    """None when ``actual`` answers as ``expected`` says, else why not."""
    if isinstance(expected, bool):
        if not isinstance(actual, bool):
            return f"expected the boolean {expected}, got {type(actual).__name__}"
        return None if expected == actual else f"got {actual}, expected {expected}"
    if isinstance(expected, Solutions):
        if not isinstance(actual, Solutions):
            return f"expected solutions, got {type(actual).__name__}"
        return compare_solutions(expected, actual, ordered=ordered or expected.ordered, lax=lax)
    if not isinstance(actual, list):
        return f"expected a graph, got {type(actual).__name__}"
    return compare_graphs(expected, actual)
