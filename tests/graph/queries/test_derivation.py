"""Keys derived through a join (``graph.queries.derivation``): an answer whose changed rows
bind its keys only through a join of the added triples is spliced by the keys found after
the write, and exactly so; what cannot be derived (a removal, an addition that may take a
row away, a graph hidden from the reader) is not."""

from __future__ import annotations

import json
from collections import Counter

import pyoxigraph as ox
import pytest

from graph.engine.snapshots import VersionedStore
from graph.ingest.loading import import_source
from graph.ingest.writing import replace
from graph.namespaces import graph_iri
from graph.queries import derivation
from graph.queries.derivation import plan
from graph.queries.kept import KeptAnswers
from graph.queries.splicing import Splice, confine
from graph.sparql.request import QueryJob, execute
from tests.support.stores import memory_store

E = "urn:e:"
ONE = graph_iri("derivation/one")
TWO = graph_iri("derivation/two")
#: usages of tools; each tool is of a software: counted per software
COUNT = f"""PREFIX e: <{E}>
SELECT ?software (COUNT(DISTINCT ?usage) AS ?n) WHERE {{
  ?usage e:tool ?tool . ?tool e:software ?software }}
GROUP BY ?software ORDER BY DESC(?n) ?software"""


def _t(s: str, p: str, o: str) -> ox.Triple:
    return ox.Triple(ox.NamedNode(E + s), ox.NamedNode(E + p), ox.NamedNode(E + o))


def _always(subject: object, anchor: object) -> bool:
    return True


BASE = [_t("u1", "tool", "t1"), _t("t1", "software", "s1"), _t("u2", "tool", "t2"),
        _t("t2", "software", "s2"), _t("t3", "software", "s2")]


def test_an_added_triple_bound_to_an_unprojected_variable_derives_the_key() -> None:
    found = plan(COUNT)
    splice = confine(found, [(_t("u3", "tool", "t3"), _always, True)])
    # ?tool and ?usage both confine its rows: the first by name of those tied
    assert splice == Splice({}, {(0, "software", "tool"): frozenset({ox.NamedNode(E + "t3")})})
    text = found.sources.found[0].text("software", "usage", ["<urn:e:u3>"])
    # the operands of the join that lead from ?usage to ?software
    assert text.endswith("SELECT DISTINCT ?software WHERE { VALUES ?usage { <urn:e:u3> } "
                         "?tool <urn:e:software> ?software . ?usage <urn:e:tool> ?tool . }")


def test_a_derivation_reads_the_fewest_operands_joining_the_variable_to_the_key() -> None:
    found = plan(f"""PREFIX e: <{E}> SELECT ?software (COUNT(*) AS ?n) WHERE {{
      ?usage e:tool ?tool ; e:by ?who . ?who e:name ?name FILTER(?name != "x")
      {{ SELECT DISTINCT ?tool ?software WHERE {{ ?tool e:software ?software
                                                   FILTER(isIRI(?software)) }} }}
      {{ SELECT ?usage ?tool WHERE {{ ?usage e:tool ?tool }} }}
      OPTIONAL {{ ?usage e:note ?note }} MINUS {{ ?usage e:hidden ?h }} }} GROUP BY ?software""")
    text = found.sources.found[0].text("software", "usage", ["<urn:e:u3>"])
    where = text[text.index("WHERE"):]
    # the FILTER, the OPTIONAL, the MINUS and the author's name only take rows away: the
    # keys found are a superset of those of the rows the new usage brings
    assert "e:name" not in where and "!=" not in where and "OPTIONAL" not in where
    # a sub-SELECT of patterns it projects whole is read as its patterns, others as they are
    expected = ("WHERE { VALUES ?usage { <urn:e:u3> } ?usage <urn:e:tool> ?tool . "
                "{ SELECT DISTINCT ?tool ?software WHERE { ?tool e:software ?software "
                "FILTER(isIRI(?software)) } } }")
    assert where.split() == expected.split()


def test_a_removed_triple_no_key_confines_is_not_derived() -> None:
    # the rows it took away are gone: their keys can no longer be read
    assert isinstance(confine(plan(COUNT), [(_t("u1", "tool", "t1"), _always, False)]), str)


@pytest.mark.parametrize("where", [
    "?usage e:tool ?tool . ?tool e:software ?software MINUS { ?usage e:hidden ?h }",
    "?usage e:tool ?tool . ?tool e:software ?software FILTER NOT EXISTS { ?usage e:hidden ?h }",
    # ?h, which the OPTIONAL binds, is read again outside it: a row it extends may be lost
    "?usage e:tool ?tool . ?tool e:software ?software OPTIONAL { ?usage e:hidden ?h } "
    "FILTER(!BOUND(?h))",
    # a grouping inside the group derived through: a new row there replaces another
    "?usage e:tool ?tool { SELECT ?tool (COUNT(?h) AS ?c) WHERE { ?tool e:hidden ?h } "
    "GROUP BY ?tool HAVING (COUNT(?h) < 2) } ?tool e:software ?software",
])
def test_an_addition_that_may_take_a_row_away_is_not_derived(where: str) -> None:
    found = plan(f"PREFIX e: <{E}> SELECT ?software (COUNT(*) AS ?n) WHERE {{ {where} }} "
                 "GROUP BY ?software")
    assert found.reason is None
    assert isinstance(confine(found, [(_t("u1", "hidden", "x"), _always, True)]), str)


def test_patterns_outside_the_where_group_or_selects_in_an_expression_are_not_derived() -> None:
    # a new e:tool triple meets the HAVING's EXISTS too, which may flip any group
    found = plan(f"PREFIX e: <{E}> SELECT ?software (COUNT(*) AS ?n) WHERE {{ ?usage e:tool "
                 "?tool . ?tool e:software ?software } GROUP BY ?software "
                 "HAVING (EXISTS { ?x e:tool ?software })")
    assert isinstance(confine(found, [(_t("u3", "tool", "t3"), _always, True)]), str)
    # braces after a sub-SELECT's WHERE group (a VALUES block there): not derived through
    found = plan(f"PREFIX e: <{E}> SELECT ?software (COUNT(*) AS ?n) WHERE {{ ?usage e:tool "
                 "?tool { SELECT ?tool ?software WHERE { ?tool e:software ?software } "
                 "VALUES ?tool { <urn:e:t1> } } } GROUP BY ?software")
    assert found.reason is None and found.sources.found[0] is not None and \
        found.sources.found[1] is None
    # a sub-SELECT in an EXISTS is read by rdflib before the patterns it filters
    found = plan(f"PREFIX e: <{E}> SELECT ?software (COUNT(*) AS ?n) WHERE {{ "
                 "{ SELECT ?tool ?software WHERE { ?tool e:software ?software } } "
                 "?usage e:tool ?tool FILTER EXISTS { { SELECT ?usage WHERE { ?usage e:by ?o } } }"
                 "} GROUP BY ?software")
    assert found.reason is None and found.sources is None


def test_a_grouped_sub_select_is_derived_through_its_own_group() -> None:
    # its HAVING reads what the OPTIONAL binds, but the group's key is read from the rows
    # of its WHERE group, which the new triple only extends
    found = plan(f"""PREFIX e: <{E}> SELECT ?software (COUNT(*) AS ?n) WHERE {{
      ?usage e:tool ?tool {{ SELECT ?tool ?software WHERE {{ ?tool e:software ?software
      OPTIONAL {{ ?tool e:hidden ?h }} }} GROUP BY ?tool ?software HAVING (COUNT(?h) = 0) }} }}
      GROUP BY ?software""")
    splice = confine(found, [(_t("t1", "hidden", "x"), _always, True)])
    assert isinstance(splice, Splice) and list(splice.derived) == [(1, "software", "tool")]


def test_an_optional_whose_variables_are_read_nowhere_else_is_derived_through() -> None:
    found = plan(f"""PREFIX e: <{E}> SELECT ?software (COUNT(?h) AS ?n) WHERE {{
      ?usage e:tool ?tool . ?tool e:software ?software OPTIONAL {{ ?usage e:note ?h }} }}
      GROUP BY ?software""")
    splice = confine(found, [(_t("u1", "note", "x"), _always, True)])
    assert isinstance(splice, Splice) and splice.derived


def test_a_sub_select_is_derived_through_unless_it_reads_a_parameter() -> None:
    text = f"""PREFIX e: <{E}> SELECT ?software ?n ?label WHERE {{
      {{ SELECT ?software (COUNT(*) AS ?n) WHERE {{ ?usage e:tool ?tool .
           ?tool e:software ?software }} GROUP BY ?software }}
      OPTIONAL {{ ?software e:label ?label }} }}"""
    found = plan(text)
    splice = confine(found, [(_t("u3", "tool", "t3"), _always, True)])
    assert isinstance(splice, Splice) and list(splice.derived) == [(1, "software", "tool")]
    assert found.sources.found[1].body.strip() == "?usage e:tool ?tool .\n           " \
        "?tool e:software ?software"
    # the same with a parameter read inside the sub-SELECT: not derived through there
    found = plan(text.replace("?usage e:tool ?tool", "?usage e:tool ?tool ; e:by ?who"),
                 frozenset({"who"}))
    assert found.sources.found[1] is None


#: queries, data (ONE's; TWO holds "u3 hidden yes"), triples added to ONE, parameters, the
#: union default graph: a derivation must read what the query reads (found by review)
STALE = {
    "a parameter read in a nested group": (
        "SELECT ?x ?w (COUNT(*) AS ?n) WHERE { ?x e:p ?y { ?y e:q ?z FILTER(?z = ?w) } } "
        "GROUP BY ?x ?w ORDER BY ?x",
        [_t("a", "p", "b"), _t("a2", "p", "b2"), _t("b2", "q", "c")], [_t("b", "q", "c")],
        {"w": ox.NamedNode(E + "c")}, True),
    "a FROM clause": (
        f"SELECT ?software (COUNT(*) AS ?n) FROM <{ONE}> WHERE {{ ?usage e:tool ?tool . "  # noqa: S608
        "?tool e:software ?software MINUS { ?usage e:hidden e:yes } } GROUP BY ?software",
        [_t("u1", "tool", "t1"), _t("t1", "software", "s1"), _t("t3", "software", "s2")],
        [_t("u3", "tool", "t3")], {}, True),
    "a sub-SELECT in a GRAPH": (
        f"SELECT ?software (COUNT(*) AS ?n) WHERE {{ GRAPH <{ONE}> {{ {{ SELECT ?software "
        "?usage WHERE { ?usage e:tool ?tool . ?tool e:software ?software "
        "FILTER NOT EXISTS { ?usage e:hidden e:yes } } } } } GROUP BY ?software",
        [_t("u1", "tool", "t1"), _t("t1", "software", "s1"), _t("t3", "software", "s2")],
        [_t("u3", "tool", "t3")], {}, True),
    "a sub-SELECT in GRAPH ?g, no union default graph": (
        "SELECT ?software (COUNT(*) AS ?n) WHERE { GRAPH ?g { { SELECT ?software ?usage "
        "WHERE { ?usage e:tool ?tool . ?tool e:software ?software } } } } GROUP BY ?software",
        [_t("u1", "tool", "t1"), _t("t1", "software", "s1"), _t("t3", "software", "s2")],
        [_t("u3", "tool", "t3")], {}, False),
    "an OPTIONAL trimmed before a '.'": (
        "SELECT ?software (COUNT(*) AS ?n) WHERE { ?tool e:software ?software . "
        "?usage e:tool ?tool . OPTIONAL { ?tool e:label ?l } . ?usage e:by ?who } "
        "GROUP BY ?software",
        [_t("u1", "tool", "t1"), _t("u1", "by", "o"), _t("t1", "software", "s1"),
         _t("t3", "software", "s2"), _t("u3", "by", "o")], [_t("u3", "tool", "t3")], {}, True),
}


@pytest.mark.parametrize("case", list(STALE))
def test_an_answer_spliced_after_an_addition_is_a_fresh_evaluations(case: str) -> None:
    text, data, added, parameters, union = STALE[case]
    store = VersionedStore(memory_store())
    replace(store, {ONE: data, TWO: [_t("u3", "hidden", "yes")]}, None, source="test",
            validate=False)
    kept = KeptAnswers(store)
    job = QueryJob(f"PREFIX e: <{E}> {text}", "all", substitutions=parameters,
                   solutions_format="json", union_default_graph=union)
    kept.run(job, lambda j: execute(store, j))
    replace(store, {ONE: [*data, *added]}, None, source="test", validate=False)
    given, fresh = _answer(kept, store, job)
    assert given == fresh


@pytest.mark.parametrize(("text", "count"), [
    ('SELECT ?a { ?a <urn:p> "SELECT { }" # SELECT {\n { SELECT ?a { ?a <urn:q> ?b } } }', 2),
    ("SELECT (EXISTS { ?a <urn:p> ?b } AS ?e) { ?a <urn:q> ?b }", None),
])
def test_the_selects_are_read_from_the_text_past_strings_and_comments(
        text: str, count: int | None) -> None:
    spans = derivation._selects(text)
    assert (None if spans is None else len(spans)) == count


def _answer(kept: KeptAnswers, store: VersionedStore, job: QueryJob) -> tuple[
        Counter[str], Counter[str]]:
    def rows(body: bytes) -> Counter[str]:
        return Counter(json.dumps(r, sort_keys=True)
                       for r in json.loads(body)["results"]["bindings"])

    return rows(kept.run(job, lambda j: execute(store, j)).body), rows(execute(store, job).body)


def test_a_new_usage_splices_its_softwares_count_exactly() -> None:
    store = VersionedStore(memory_store())
    replace(store, {ONE: BASE}, None, source="test", validate=False)
    kept = KeptAnswers(store)
    job = QueryJob(COUNT, "all", solutions_format="json")
    kept.run(job, lambda j: execute(store, j))
    replace(store, {TWO: [_t("u3", "tool", "t3"), _t("u4", "tool", "t1")]}, None,
            source="test", validate=False)
    given, fresh = _answer(kept, store, job)
    assert given == fresh and kept.spliced == 1 and kept.forgotten == 0
    replace(store, {TWO: [_t("u3", "tool", "t3")]}, None, source="test", validate=False)
    given, fresh = _answer(kept, store, job)   # a usage removed: forgotten, evaluated whole
    assert given == fresh and kept.forgotten == 1


def test_a_graph_hidden_from_the_reader_is_not_derived_as_if_added() -> None:
    # made restricted, its usages leave the public's counts: a removal, for that reader
    store = VersionedStore(memory_store())
    replace(store, {ONE: BASE}, None, source="test", validate=False)
    turtle = f"<{E}u3> <{E}tool> <{E}t3> . <{E}u4> <{E}tool> <{E}t1> .".encode()
    import_source(store, turtle, graph=TWO, format="turtle", source_label="test",
                  imported_by="test", access="public")
    kept = KeptAnswers(store)
    job = QueryJob(COUNT, "public", solutions_format="json")
    kept.run(job, lambda j: execute(store, j))
    import_source(store, turtle + b" ", graph=TWO, format="turtle", source_label="test",
                  imported_by="test", access="restricted")
    given, fresh = _answer(kept, store, job)
    assert given == fresh
    assert sum(fresh.values()) == 2   # s1 and s2, each once: the hidden usages are gone


def test_a_derivation_dearer_than_an_evaluation_is_not_made_again_but_direct_splices_are(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from graph.queries import kept as kept_module

    clock = [0.0]
    monkeypatch.setattr(kept_module.time, "monotonic", lambda: clock[0])
    asked: list[str] = []
    store = VersionedStore(memory_store())
    replace(store, {ONE: BASE}, None, source="test", validate=False)

    def evaluate(job: QueryJob) -> object:   # a whole evaluation takes 1 s, a derivation 5
        asked.append("derived" if "SELECT DISTINCT" in job.sparql else
                     "restricted" if "VALUES ?software" in job.sparql else "whole")
        clock[0] += {"derived": 5.0, "restricted": 0.1, "whole": 1.0}[asked[-1]]
        return execute(store, job)

    kept = KeptAnswers(store)
    job = QueryJob(COUNT, "all", solutions_format="json")
    kept.run(job, evaluate)
    for number, added in enumerate(([_t("u3", "tool", "t3")], [_t("u4", "tool", "t1")],
                                    [_t("t3", "software", "s3")])):
        replace(store, {graph_iri(f"derivation/{number}"): added}, None, source="test",
                validate=False)
        given = json.loads(kept.run(job, evaluate).body)["results"]["bindings"]
        assert Counter(map(str, given)) == Counter(
            map(str, json.loads(execute(store, job).body)["results"]["bindings"]))
    # derived once (dearer than the whole: not again), then evaluated whole; a triple
    # binding ?software itself is still spliced
    assert asked == ["whole", "derived", "restricted", "whole", "restricted"]
    assert kept.derived == 1 and kept.spliced == 2
