"""Splicing attacked with generated data, queries and writes (``graph.queries.splicing``,
``graph.queries.confinement``, ``graph.queries.kept``): after each write, every answer
``KeptAnswers`` gives (spliced or evaluated) holds the rows of a fresh evaluation, as many
times, in an order the ORDER BY keys agree with, in the public scope and in the curators'
(which also reads a restricted graph). The generator covers what SPARQL offers (OPTIONAL,
MINUS, EXISTS, UNION, BIND, VALUES, sub-SELECTs, grouping, DISTINCT, ORDER BY, property
paths, GRAPH) over a few graphs that share triples; the test also checks that a good share
of the cases were spliced, else it proves little. Defects found are regression tests below,
shrunk by hand from what Hypothesis found."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.engine.snapshots import VersionedStore
from graph.ingest.writing import drop, replace
from graph.namespaces import RDF, RESTRICTED_PREFIX, graph_iri
from graph.queries.confinement import plan
from graph.queries.kept import KeptAnswers
from graph.sparql.request import QueryJob, execute
from graph.store import Store
from tests.support.stores import memory_store

E = "http://example.org/"
XSD = "http://www.w3.org/2001/XMLSchema#"
TYPE = RDF + "type"
GRAPHS = (graph_iri("fuzz/one"), graph_iri("fuzz/two"), RESTRICTED_PREFIX + "fuzz")
PREFIXES = f"PREFIX e: <{E}> PREFIX xsd: <{XSD}> PREFIX rdf: <{RDF}>\n"

SUBJECTS = [ox.NamedNode(f"{E}s{i}") for i in range(4)]
BLANK = ox.BlankNode("b0")
PREDICATES = [ox.NamedNode(f"{E}{p}") for p in ("p", "q", "r")]
CLASSES = [ox.NamedNode(f"{E}{c}") for c in ("C", "D")]
LITERALS = [
    ox.Literal("1", datatype=ox.NamedNode(XSD + "integer")),
    ox.Literal("2", datatype=ox.NamedNode(XSD + "integer")),
    ox.Literal("1.5", datatype=ox.NamedNode(XSD + "decimal")),
    ox.Literal("a", language="en"),
    ox.Literal("a"),
    ox.Literal("b", language="fr"),
    ox.Literal("2024-01-02", datatype=ox.NamedNode(XSD + "date")),
    ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean")),
    ox.Literal("a", language="fr"),
    ox.Literal("B"),
    ox.Literal("10", datatype=ox.NamedNode(XSD + "integer")),
    ox.Literal("2.5E0", datatype=ox.NamedNode(XSD + "double")),
    ox.Literal("2023-12-31", datatype=ox.NamedNode(XSD + "date")),
]
Term = ox.NamedNode | ox.BlankNode | ox.Literal


# --- data and writes ---------------------------------------------------------------------

def _triples() -> st.SearchStrategy[ox.Triple]:
    subject = st.sampled_from([*SUBJECTS, *SUBJECTS, BLANK])
    plain = st.builds(ox.Triple, subject, st.sampled_from(PREDICATES),
                      st.sampled_from([*SUBJECTS, *LITERALS, BLANK]))
    typed = st.builds(lambda s, c: ox.Triple(s, ox.NamedNode(TYPE), c), subject,
                      st.sampled_from(CLASSES))
    return st.one_of(plain, typed)


@st.composite
def datasets(draw: st.DrawFn) -> dict[str, list[ox.Triple]]:
    """A few graphs; the second often restates triples of the first."""
    one = draw(st.lists(_triples(), min_size=1, max_size=7, unique=True))
    two = draw(st.lists(_triples(), max_size=5, unique=True))
    shared = draw(st.lists(st.sampled_from(one), max_size=2, unique=True)) if one else []
    hidden = draw(st.lists(_triples(), max_size=4, unique=True))
    return {GRAPHS[0]: one, GRAPHS[1]: list(dict.fromkeys([*two, *shared])), GRAPHS[2]: hidden}


@dataclass(frozen=True)
class Write:
    """A write: a graph replaced (triples added, removed, an object changed) or dropped."""

    graph: str
    added: tuple[ox.Triple, ...] = ()
    removed: tuple[int, ...] = ()   # positions in the graph's triples (modulo)
    changed: tuple[tuple[int, int], ...] = ()   # (position, index of the new object)
    restated: bool = False   # a triple of another graph stated here too
    dropped: bool = False
    asked: bool = True   # the answers asked for after it (else after the next write only)

    def apply(self, store: Store, data: dict[str, list[ox.Triple]]) -> None:
        triples = list(data[self.graph])
        if self.dropped:
            if triples:
                drop(store, self.graph, who="test")
                data[self.graph] = []
            return
        objects = [*SUBJECTS, *LITERALS]
        for at, new in self.changed:
            if triples:
                old = triples[at % len(triples)]
                if old.predicate.value != TYPE:
                    triples[at % len(triples)] = ox.Triple(old.subject, old.predicate,
                                                           objects[new % len(objects)])
        for at in self.removed:
            if triples:
                triples.pop(at % len(triples))
        triples.extend(self.added)
        if self.restated:
            others = [t for g, ts in data.items() if g != self.graph for t in ts]
            triples.extend(others[:1])
        triples = list(dict.fromkeys(triples))
        data[self.graph] = triples
        replace(store, {self.graph: triples}, None, source="test", validate=False)


writes = st.builds(
    Write, st.sampled_from(GRAPHS),
    st.lists(_triples(), min_size=1, max_size=2).map(tuple),
    st.lists(st.integers(0, 9), max_size=2).map(tuple),
    st.lists(st.tuples(st.integers(0, 9), st.integers(0, 11)), max_size=1).map(tuple),
    st.booleans(), st.sampled_from([False, False, False, True]), st.booleans())
#: writes that only add triples: what keys are derived through a join after
additions = st.builds(
    Write, st.sampled_from(GRAPHS), st.lists(_triples(), min_size=1, max_size=3).map(tuple),
    restated=st.booleans(), asked=st.booleans())


# --- queries -----------------------------------------------------------------------------

VARIABLES = ("?a", "?b", "?c")
TERMS = ("e:s0", "e:s1", "e:s2", "1", "2", '"a"@en', '"a"', '"2024-01-02"^^xsd:date',
         "1.5", "true")


class _Query:
    """What the generator drew so far for one query: the fresh variables it bound."""

    def __init__(self) -> None:
        self.fresh = 0

    def new(self) -> str:
        self.fresh += 1
        return f"?x{self.fresh}"


def _path(draw: st.DrawFn) -> str:
    p = draw(st.sampled_from(("e:p", "e:q", "e:r")))
    q = draw(st.sampled_from(("e:p", "e:q", "e:r")))
    return draw(st.sampled_from((p, p, p, "a", f"{p}/{q}", f"^{p}", f"{p}?", f"{p}*",
                                 f"{p}|{q}", f"{p}+")))


def _triple(draw: st.DrawFn) -> str:
    subject = draw(st.sampled_from((*VARIABLES, *VARIABLES, "e:s0", "e:s1")))
    path = _path(draw)
    if path == "a":
        return f"{subject} a {draw(st.sampled_from(('e:C', 'e:D', '?c')))}"
    obj = draw(st.sampled_from((*VARIABLES, *VARIABLES, "e:s1", "1", '"a"@en')))
    return f"{subject} {path} {obj}"


def _filter(draw: st.DrawFn) -> str:
    v = draw(st.sampled_from(VARIABLES))
    w = draw(st.sampled_from(VARIABLES))
    t = draw(st.sampled_from(TERMS))
    return draw(st.sampled_from((
        f"FILTER({v} != {t})", f"FILTER(isLiteral({v}))", f"FILTER(!BOUND({v}))",
        f"FILTER(BOUND({v}))", f"FILTER({v} > 1)", f"FILTER({v} = {w})",
        f"FILTER(isIRI({v}))", f"FILTER(STR({v}) < \"m\")")))


def _group(draw: st.DrawFn, query: _Query, depth: int) -> str:
    """A group graph pattern's content: a triple first (at the top, mostly one a key may
    confine: else little is spliced), then a few elements."""
    first = draw(st.sampled_from(("?a e:p ?b", "?a e:q ?b", "?b e:p ?a", "")))
    parts = [first if depth == 0 and first else _triple(draw)]
    for _ in range(draw(st.integers(0, 2 if depth < 2 else 1))):
        parts.append(_element(draw, query, depth))
    return " . ".join(parts) if all(_is_triple(p) for p in parts) else " ".join(
        p + " ." if _is_triple(p) else p for p in parts)


def _is_triple(part: str) -> bool:
    return not part.startswith(("OPTIONAL", "MINUS", "FILTER", "{", "BIND", "VALUES",
                                "GRAPH"))


def _element(draw: st.DrawFn, query: _Query, depth: int) -> str:
    kinds = ["triple", "filter", "bind", "values"]
    if depth < 2:
        kinds += ["optional", "optional", "minus", "exists", "union", "sub", "graph"]
    kind = draw(st.sampled_from(kinds))
    if kind == "triple":
        return _triple(draw)
    if kind == "filter":
        return _filter(draw)
    if kind == "bind":
        v = draw(st.sampled_from(VARIABLES))
        expression = draw(st.sampled_from((f"STR({v})", f"COALESCE({v}, e:s0)",
                                           f"IF(BOUND({v}), {v}, 0)", "e:s1")))
        return f"BIND({expression} AS {query.new()})"
    if kind == "values":
        v = draw(st.sampled_from(VARIABLES))
        terms = draw(st.lists(st.sampled_from((*TERMS, "UNDEF")), min_size=1, max_size=3))
        return f"VALUES {v} {{ {' '.join(terms)} }}"
    inner = _group(draw, query, depth + 1)
    if kind == "optional":
        return f"OPTIONAL {{ {inner} }}"
    if kind == "minus":
        return f"MINUS {{ {inner} }}"
    if kind == "exists":
        return f"FILTER({draw(st.sampled_from(('', 'NOT ')))}EXISTS {{ {inner} }})"
    if kind == "union":
        return f"{{ {inner} }} UNION {{ {_group(draw, query, depth + 1)} }}"
    if kind == "graph":
        graph = draw(st.sampled_from(("?g", *(f"<{g}>" for g in GRAPHS))))
        return f"GRAPH {graph} {{ {inner} }}"
    # a sub-SELECT
    projected = draw(st.lists(st.sampled_from(VARIABLES), min_size=1, max_size=2, unique=True))
    distinct = draw(st.sampled_from(("", "DISTINCT ")))
    grouped = draw(st.booleans())
    if grouped:
        counted = query.new()
        head = f"SELECT {' '.join(projected)} (COUNT(*) AS {counted})"
        tail = f" GROUP BY {' '.join(projected)}"
    else:
        head, tail = f"SELECT {distinct}{' '.join(projected)}", ""
    limit = draw(st.sampled_from(("", "", " LIMIT 1", " ORDER BY " + projected[0] + " LIMIT 2")))
    return f"{{ {head} WHERE {{ {inner} }}{tail}{limit} }}"


AGGREGATES = ("COUNT(*)", "COUNT(DISTINCT {v})", "SUM({v})", "MIN({v})", "SAMPLE({v})",
              "GROUP_CONCAT(STR({v}))", "MAX({v})")


@st.composite
def queries(draw: st.DrawFn) -> str:
    query = _Query()
    where = _group(draw, query, 0)
    bound = [v for v in (*VARIABLES, "?g", *(f"?x{i}" for i in range(1, query.fresh + 1)))
             if v in where]
    if not bound:
        bound = ["?a"]
    keys = draw(st.lists(st.sampled_from(bound), min_size=1, max_size=2, unique=True))
    if "?a" in bound and "?a" not in keys and draw(st.booleans()):
        keys.insert(0, "?a")
    order_by = ""
    if draw(st.booleans()):   # grouped
        aggregated = draw(st.sampled_from(AGGREGATES)).format(
            v=draw(st.sampled_from(bound)))
        having = draw(st.sampled_from(("", "", " HAVING (COUNT(*) > 1)",
                                       f" HAVING (SAMPLE({keys[0]}) != e:s0)")))
        head = f"SELECT {' '.join(keys)} ({aggregated} AS ?n)"
        tail = f" GROUP BY {' '.join(keys)}{having}"
        sortable = [*keys, "?n"]
    else:
        projected = draw(st.lists(st.sampled_from(bound), min_size=1, max_size=3,
                                  unique=True))
        if "?a" in bound and "?a" not in projected and draw(st.booleans()):
            projected.insert(0, "?a")
        head = f"SELECT {draw(st.sampled_from(('', 'DISTINCT ')))}{' '.join(projected)}"
        tail = ""
        sortable = projected
    order = draw(st.lists(st.sampled_from(sortable), max_size=2, unique=True))
    if re.search(r"e:[pqr][?*]", where):   # every term of the data sorted: defect 5 below
        order = []
    if order:
        order_by = " ORDER BY " + " ".join(
            draw(st.sampled_from((f"{v}", f"DESC({v})", f"ASC({v})"))) for v in order)
    return f"{PREFIXES}{head} WHERE {{ {where} }}{tail}{order_by}"


@st.composite
def joins(draw: st.DrawFn) -> str:
    """A grouped query whose key the changed triples mostly reach through a join: keys
    derived through it (``graph.queries.derivation``), or not."""
    query = _Query()
    parts = ["?a e:p ?b", *(_triple(draw) for _ in range(draw(st.integers(1, 3))))]
    if draw(st.booleans()):
        parts.append(_element(draw, query, 1))
    where = " ".join(p + " ." if _is_triple(p) else p for p in parts)
    key = draw(st.sampled_from(("?b", "?b", "?a")))
    aggregated = draw(st.sampled_from(AGGREGATES)).format(v=draw(st.sampled_from(VARIABLES)))
    order = draw(st.sampled_from(("", f" ORDER BY {key}", " ORDER BY DESC(?n)")))
    if re.search(r"e:[pqr][?*]", where):   # every term of the data sorted: defect 5 below
        order = ""
    grouped = f"SELECT {key} ({aggregated} AS ?n) WHERE {{ {where} }} GROUP BY {key}"
    if draw(st.booleans()):   # counted in a sub-SELECT, labelled after
        return (f"{PREFIXES}SELECT {key} ?n ?l WHERE {{ {{ {grouped} }} "
                f"OPTIONAL {{ {key} e:r ?l }} }}{order}")
    return PREFIXES + grouped + order


# --- the comparison ----------------------------------------------------------------------

def _normal(row: dict[str, dict[str, str]]) -> str:
    """A row as text, blank nodes' labels left out (two evaluations may name them apart)."""
    return json.dumps({v: {**t, "value": "_"} if t["type"] == "bnode" else t
                       for v, t in row.items()}, sort_keys=True)


def _order_keys(rows: list[dict[str, Any]], order: tuple[tuple[str, bool], ...]) -> list[str]:
    return [json.dumps([_normal({"k": row[v]}) if v in row else None for v, _ in order])
            for row in rows]


@dataclass
class Outcome:
    """What one case found: a wrong answer's description, if any."""

    wrong: str | None = None


def check(data: dict[str, list[ox.Triple]], sparqls: list[str], write_list: list[Write],
          kept: KeptAnswers | None = None, store: VersionedStore | None = None,
          scopes: tuple[str, ...] = ("public", "all")) -> tuple[KeptAnswers, str | None]:
    """Keep the answers of ``sparqls`` over ``data``, apply the writes one by one and ask
    again after each (but those not ``asked`` after): the first answer that differs from a
    fresh evaluation's, described."""
    if store is None:
        store = VersionedStore(memory_store())
        contents = {g: ts for g, ts in data.items() if ts}
        if contents:
            replace(store, contents, None, source="test", validate=False)
    kept = kept or KeptAnswers(store)
    jobs = [QueryJob(s, scope, solutions_format="json")  # type: ignore[arg-type]
            for s in sparqls for scope in scopes]

    def evaluate(job: QueryJob) -> Any:
        return execute(store, job)

    for job in jobs:
        kept.run(job, evaluate)
    for number, write in enumerate(write_list):
        write.apply(store, data)
        if not write.asked and number < len(write_list) - 1:
            continue
        for job in jobs:
            given = kept.run(job, evaluate)
            fresh = execute(store, job)
            mine = json.loads(given.body)["results"]["bindings"]
            theirs = json.loads(fresh.body)["results"]["bindings"]
            where = f"after write {number} ({write}), scope {job.scope}:\n{job.sparql}"
            if Counter(map(_normal, mine)) != Counter(map(_normal, theirs)):
                return kept, f"rows differ {where}\ngiven {mine}\nfresh {theirs}"
            if given.count != fresh.count:
                return kept, f"counts differ {where}"
            order = plan(job.sparql).order
            if order and _order_keys(mine, order) != _order_keys(theirs, order):
                return kept, f"order differs {where}\ngiven {mine}\nfresh {theirs}"
    return kept, None


# --- the properties ----------------------------------------------------------------------

def _cases(examples: int, kinds: st.SearchStrategy[Write] = writes,
           texts: st.SearchStrategy[str] | None = None) -> Counter[str]:
    """Run ``examples`` generated cases (writes of ``kinds``, queries of ``texts``); what
    ``KeptAnswers`` did in them, summed."""
    counts = Counter[str]()

    @settings(max_examples=examples, derandomize=True, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(data=datasets(), sparqls=st.lists(queries() if texts is None else texts, min_size=1,
                                                max_size=3),
           write_list=st.lists(kinds, min_size=1, max_size=2))
    def case(data: dict[str, list[ox.Triple]], sparqls: list[str],
             write_list: list[Write]) -> None:
        kept, wrong = check(data, sparqls, write_list)
        assert wrong is None, wrong
        counts["cases"] += 1
        counts["spliced cases"] += kept.spliced > 0
        counts["spliced"] += kept.spliced
        counts["derived"] += kept.derived
        counts["forgotten"] += kept.forgotten

    case()
    return counts


def test_an_answer_given_after_writes_is_a_fresh_evaluations() -> None:
    counts = _cases(40)
    # else the test proves little: a good share of the cases spliced an answer
    assert counts["spliced cases"] >= counts["cases"] // 5, counts


def test_an_answer_given_after_additions_is_a_fresh_evaluations() -> None:
    # keys derived through a join: only after additions
    counts = _cases(60, additions, st.one_of(queries(), joins()))
    # most additions meet a pattern of the few predicates where one may take a row away,
    # or bind a blank node: a few derive (a check that the cases reach the derivation)
    assert counts["derived"] >= 2, counts


@pytest.mark.slow
def test_an_answer_given_after_writes_of_any_kind_over_joins_is_a_fresh_evaluations() -> None:
    counts = _cases(250, st.one_of(writes, additions), st.one_of(queries(), joins()))
    assert counts["derived"] >= counts["cases"] // 50, counts


@pytest.mark.slow
def test_an_answer_given_after_writes_is_a_fresh_evaluations_in_many_more_cases() -> None:
    counts = _cases(300)
    assert counts["spliced cases"] >= counts["cases"] // 5, counts


# --- defects found, shrunk ---------------------------------------------------------------

def _t(subject: int, predicate: int, obj: int) -> ox.Triple:
    return ox.Triple(SUBJECTS[subject], PREDICATES[predicate], SUBJECTS[obj])


def _wrong(sparql: str, data: dict[str, list[ox.Triple]], write: Write) -> str | None:
    """What is wrong in the answers to ``sparql`` over ``data`` after ``write``, if anything."""
    return check({g: data.get(g, []) for g in GRAPHS}, [PREFIXES + sparql], [write])[1]


def test_a_zero_length_path_to_a_constant_meets_any_triple_naming_the_constant() -> None:
    # e:s3 enters the data by a triple of e:q, which the query does not name
    assert _wrong("SELECT ?a WHERE { ?a e:p? e:s3 }", {GRAPHS[1]: [_t(1, 0, 2)]},
                  Write(GRAPHS[0], (_t(0, 1, 3),))) is None


def test_a_zero_length_path_in_a_graph_meets_a_triple_naming_its_term_there() -> None:
    assert _wrong("SELECT ?a ?g WHERE { ?a e:q ?c GRAPH ?g { ?a e:p? ?b } }",
                  {GRAPHS[0]: [_t(0, 1, 1)]}, Write(GRAPHS[1], (_t(0, 2, 2),))) is None


@pytest.mark.parametrize("added", [True, False], ids=["added", "removed"])
def test_a_triple_of_a_subject_a_values_block_gives_changes_the_answer(added: bool) -> None:
    write = Write(GRAPHS[0], (_t(0, 0, 2),)) if added else Write(GRAPHS[0], removed=(0,))
    assert _wrong("SELECT ?a ?b WHERE { VALUES ?a { e:s0 } ?a e:p ?b }",
                  {GRAPHS[0]: [_t(0, 0, 1)]}, write) is None


@pytest.mark.parametrize("sparql", [
    "SELECT ?a ?b WHERE { ?a e:p ?b VALUES ?a { 1 UNDEF } }",
    "SELECT ?a ?b WHERE { VALUES ?a { 1 UNDEF } OPTIONAL { ?a e:p ?b } }",
], ids=["joined", "optional"])
def test_a_values_block_with_undef_binds_its_variable_to_any_term(sparql: str) -> None:
    # with literals only in the block, defect 3 plays no part
    assert _wrong(sparql, {GRAPHS[1]: [_t(2, 1, 3)]}, Write(GRAPHS[0], (_t(1, 0, 2),))) is None


def test_a_zero_length_path_in_a_sub_select_is_not_anchored_by_a_variable_outside() -> None:
    assert _wrong("SELECT ?a ?n WHERE { ?a e:p ?b { SELECT (COUNT(*) AS ?n) "
                  "WHERE { ?a e:q? ?c } } }", {GRAPHS[0]: [_t(0, 0, 1)]},
                  Write(GRAPHS[1], (_t(2, 2, 3),))) is None


_SORTED = """
import pyoxigraph as ox
from graph.engine.snapshots import VersionedStore
from graph.ingest.writing import replace
from tests.graph.queries.test_splicing_fuzz import GRAPHS, PREFIXES, PREDICATES, SUBJECTS, XSD
from tests.support.stores import memory_store

def number(value, kind="integer"):
    return ox.Literal(value, datatype=ox.NamedNode(XSD + kind))

(s0, s1, s2, s3), (p, q, r), b = SUBJECTS, PREDICATES, ox.BlankNode("b0")
a, a_en = ox.Literal("a"), ox.Literal("a", language="en")
store = VersionedStore(memory_store())
replace(store, {
    GRAPHS[0]: [ox.Triple(b, q, a), ox.Triple(s1, p, s0)],
    GRAPHS[1]: [ox.Triple(b, r, s1), ox.Triple(s3, p, number("10"))],
    GRAPHS[2]: [ox.Triple(s2, p, a_en), ox.Triple(s3, p, a), ox.Triple(s1, q, a),
                ox.Triple(s2, p, number("1.5", "decimal")), ox.Triple(s0, q, s1),
                ox.Triple(s3, q, number("1"))],
}, None, source="test", validate=False)
list(store.query(PREFIXES + "SELECT ?c WHERE { ?c e:q? ?d } ORDER BY ?c"))
"""


@pytest.mark.xfail(strict=True, reason="defect 5: Oxigraph 0.5.13's ORDER BY over every term "
                   "of the data (a zero-length path's rows: IRIs, blank nodes, strings, "
                   "numbers, the meta graph's dateTimes) panics ('user-provided comparison "
                   "function does not correctly implement a total order') and the panic "
                   "aborts the process: a query brings down whatever process evaluates it")
def test_a_query_sorting_every_term_of_the_data_leaves_the_process_up() -> None:
    # in a process of its own: the abort would take the test run with it
    ran = subprocess.run([sys.executable, "-c", _SORTED], capture_output=True, timeout=120)
    assert ran.returncode == 0, ran.stderr.decode()[-2000:]
