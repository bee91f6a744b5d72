"""Provenance (issue 5, §2): every usage observation, need, experience report and effect
observation can be traced to its source graph (with the source, date and licence the meta
graph records), its observation activity and the date it was observed — in the example and in
an imported spreadsheet; the page of a resource says which graph states each fact; and the
catalogue's ``single_source_facts`` answers exactly what the raw triples say.

Expected answers are computed here from the raw Turtle (rdflib) or from the rows of the
spreadsheet, never from the query's own output.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
import rdflib

from graph.ingest.spreadsheets import import_spreadsheet
from graph.namespaces import CG, DCTERMS, GRAPH, ID, META_GRAPH, PROV, RDFS, XSD
from graph.privacy.access import public_graphs
from graph.publishing.describe import describe
from graph.queries.catalogue import run
from graph.samples.example import EXAMPLE_GRAPHS, example_path
from graph.store import Store
from tests.support.stores import load_example, memory_store

KINDS = (CG + "ToolUsage", CG + "Need", CG + "ExperienceReport", CG + "EffectObservation")
EXAMPLE = GRAPH + "example"
MOMENT = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)

#: the researcher's sheets: (kind, source, CSV); activities by identifier, empty for the
#: import's own activity (named after the source)
SHEETS = (
    ("usages", "survey 2026 wave 2",
     "id,organisation,tool,practices,status,observed on,activity\n"
     "u-essai-1,VECAM,Loomio,voting,active,2026-03-14,\n"
     "u-essai-2,FONDA,Nextcloud,internal-communication,trial,2026-03-15,"
     "enquete-2025|entretiens-2025\n"
     "u-essai-3,AITEC,Framapad,internal-communication,abandoned,2026-03-16,enquete-2025\n"),
    ("needs", "seminar notes 2026",
     "id,need,expressed by,practices,observed on,activity\n"
     "n-essai-1,Un agenda partagé,VECAM|FONDA,internal-communication,2026-04-01,\n"),
    ("experiences", "interviews 2026",
     "id,title,reported by,usages,observed on,activity\n"
     "x-essai-1,Loomio en assemblée,VECAM,u-essai-1,2026-04-02,\n"),
    ("effects", "interviews 2026 effects",
     "id,effect,usage,observed on,activity\n"
     "e-essai-1,transparency-increased,u-essai-1,2026-04-03,entretiens-2025\n"),
)
#: what the rows say: fact id -> (kind, number of activities, observed on)
ROWS = {
    "usage/u-essai-1": (CG + "ToolUsage", 1, "2026-03-14"),
    "usage/u-essai-2": (CG + "ToolUsage", 2, "2026-03-15"),
    "usage/u-essai-3": (CG + "ToolUsage", 1, "2026-03-16"),
    "need/n-essai-1": (CG + "Need", 1, "2026-04-01"),
    "experience/x-essai-1": (CG + "ExperienceReport", 1, "2026-04-02"),
    "effect-observation/e-essai-1": (CG + "EffectObservation", 1, "2026-04-03"),
}


@pytest.fixture(scope="module")
def example() -> Store:
    return load_example(memory_store())


@pytest.fixture(scope="module")
def imported() -> Iterator[tuple[Store, dict[str, str]]]:
    """The example plus the researcher's sheets; and each source's public graph."""
    store = load_example(memory_store())
    graphs = {}
    for kind, source, text in SHEETS:
        report = import_spreadsheet(store, text.encode(), f"{kind}.csv", source=source,
                                    kind=kind, now=MOMENT)
        assert report.stored, report.problems
        graphs[source] = next(g for g in report.graphs if "restricted" not in g)
    yield store, graphs


def facts(store: Store) -> dict[str, dict[str, set[str]]]:
    """Every fact of the public data with its graphs, activities (and whether each is an
    observation activity), observation dates, and its graphs' recorded source and date."""
    public = public_graphs(store)
    values = " ".join(f"<{k}>" for k in KINDS)
    result = store.query(f"""
        SELECT ?fact ?graph ?activity ?isActivity ?observed ?source ?imported ?licence WHERE {{
          VALUES ?kind {{ {values} }}
          GRAPH ?graph {{ ?fact a ?kind }}
          OPTIONAL {{ ?fact <{PROV}wasGeneratedBy> ?activity
                      BIND(EXISTS {{ ?activity a/<{RDFS}subClassOf>* <{CG}ObservationActivity> }}
                           AS ?isActivity) }}
          OPTIONAL {{ ?fact <{CG}observedOn> ?observed }}
          OPTIONAL {{ GRAPH <{META_GRAPH}> {{ ?graph <{DCTERMS}source> ?source ;
                      <{PROV}generatedAtTime> ?imported }} }}
          OPTIONAL {{ GRAPH <{META_GRAPH}> {{ ?graph <{DCTERMS}license> ?licence }} }}
        }}""", default_graph=public, named_graphs=public)
    assert isinstance(result, ox.QuerySolutions)
    found: dict[str, dict[str, set[str]]] = {}
    for row in result:
        entry = found.setdefault(row["fact"].value, {
            "graph": set(), "activity": set(), "observed": set(), "source": set(),
            "licence": set()})
        entry["graph"].add(row["graph"].value)
        if row["activity"] is not None:
            entry["activity"].add(f"{row['activity'].value} {row['isActivity'].value}")
        if row["observed"] is not None:
            assert isinstance(row["observed"], ox.Literal)
            entry["observed"].add(f"{row['observed'].value} {row['observed'].datatype.value}")
        if row["source"] is not None:
            entry["source"].add(f"{row['source'].value} at {row['imported'].value}")
        if row["licence"] is not None:
            entry["licence"].add(row["licence"].value)
    return found


def untraceable(store: Store) -> list[str]:
    """The facts that lack a source graph described in the meta graph, an observation
    activity, or exactly one observation date."""
    bad = []
    for fact, entry in facts(store).items():
        complete = bool(entry["source"]) and bool(entry["activity"]) \
            and len(entry["observed"]) == 1
        typed = all(a.endswith("true") for a in entry["activity"]) \
            and all(o.endswith(XSD + "date") for o in entry["observed"])
        if not (complete and typed):
            bad.append(fact)
    return sorted(bad)


def test_every_fact_of_the_example_is_traceable(example: Store) -> None:
    found = facts(example)
    assert len(found) == 282 + 10 + 15 + 25   # usages, needs, experiences, effects
    assert untraceable(example) == []
    assert all(e["graph"] == {EXAMPLE} for e in found.values())
    assert all(e["licence"] == {"https://creativecommons.org/licenses/by/4.0/"}
               for e in found.values())


def test_every_imported_fact_is_traceable(imported: tuple[Store, dict[str, str]]) -> None:
    store, graphs = imported
    found = facts(store)
    assert untraceable(store) == []
    for fact, (_, activities, observed) in ROWS.items():
        entry = found[ID + fact]
        assert len(entry["activity"]) == activities
        assert entry["observed"] == {f"{observed} {XSD}date"}
        (graph,) = entry["graph"]
        assert graph in graphs.values()
        source = next(s for s, g in graphs.items() if g == graph)
        assert entry["source"] == {f"{source} at {MOMENT.isoformat().replace('+00:00', 'Z')}"}


def test_a_fact_without_provenance_is_found(example: Store) -> None:
    """The check above can fail: a usage with no activity and no date is reported."""
    store = load_example(memory_store())
    usage = ID + "usage/sans-provenance"
    store.update(f"""INSERT DATA {{ GRAPH <{EXAMPLE}> {{
        <{usage}> a <{CG}ToolUsage> ; <{CG}organisation> <{ID}org/vecam> ;
                  <{CG}tool> <{ID}software/loomio> ; <{CG}status> <{ID}status/active> }} }}""")
    assert untraceable(store) == [usage]


# --------------------------------------------------------------------- single_source_facts


@functools.cache
def raw_facts() -> dict[str, tuple[str, set[str], str | None]]:
    """fact -> (kind, activities, observed on), read with rdflib from example.ttl."""
    graph = rdflib.Graph().parse(
        data=example_path(EXAMPLE_GRAPHS[0]).read_text(encoding="utf-8"), format="turtle",
        publicID=ID)
    out = {}
    for kind in KINDS:
        for fact in graph.subjects(rdflib.RDF.type, rdflib.URIRef(kind)):
            observed = graph.value(fact, rdflib.URIRef(CG + "observedOn"))
            out[str(fact)] = (kind, {str(a) for a in graph.objects(
                fact, rdflib.URIRef(PROV + "wasGeneratedBy"))},
                None if observed is None else str(observed))
    return out


def rows(store: Store, params: dict[str, str]) -> list[tuple[str, ...]]:
    result = run(store, "single_source_facts", params, default_graph=public_graphs(store))
    assert isinstance(result, ox.QuerySolutions)
    return [tuple("" if row[v] is None else row[v].value for v in (
        "fact", "kind", "graph", "activity", "observed", "sources")) for row in result]


@pytest.mark.parametrize("maximum", [0, 1, 2])
@pytest.mark.parametrize("kind", [None, *KINDS])
def test_single_source_facts_on_the_example(example: Store, maximum: int,
                                            kind: str | None) -> None:
    params = {"max_sources": str(maximum), **({"fact_kind": kind} if kind else {})}
    expected = sorted(
        (fact, k, EXAMPLE, activity, observed or "", str(len(activities)))
        for fact, (k, activities, observed) in raw_facts().items()
        if len(activities) <= maximum and kind in (None, k)
        for activity in sorted(activities))
    answer = rows(example, params)
    assert sorted(answer) == expected
    if maximum == 1 and kind is None:
        assert len(answer) == 289   # 239 usages (facts §8) and every need, report, effect


def test_single_source_facts_say_what_they_rest_on(example: Store) -> None:
    result = run(example, "single_source_facts", {"fact_kind": CG + "Need", "lang": "fr"},
                 default_graph=public_graphs(example))
    assert isinstance(result, ox.QuerySolutions)
    labels = {(row["kindLabel"].value, row["activityLabel"].value) for row in result}
    assert ("Besoin", "Enquête par questionnaire 2024") in labels


def test_single_source_facts_on_an_imported_spreadsheet(
        imported: tuple[Store, dict[str, str]]) -> None:
    store, graphs = imported
    answer = [r for r in rows(store, {"max_sources": "1"}) if r[2] != EXAMPLE]
    expected = {ID + fact for fact, (_, n, _) in ROWS.items() if n == 1}
    assert {r[0] for r in answer} == expected
    for fact, kind, graph, _, observed, sources in answer:
        row_kind, _, row_observed = ROWS[fact[len(ID):]]
        assert (kind, observed, sources) == (row_kind, row_observed, "1")
        assert graph in graphs.values()
    # the rows with no activity rest on the import's own activity, named after the source
    own = next(r for r in answer if r[0] == ID + "usage/u-essai-1")
    label = store.query(f"SELECT ?l WHERE {{ <{own[3]}> <{RDFS}label> ?l }}")
    assert "survey 2026 wave 2" in {row["l"].value for row in label}
    assert ID + "usage/u-essai-2" in {r[0] for r in rows(store, {"max_sources": "2"})}


# --------------------------------------------------------------------- the resource page


def test_the_page_of_a_resource_says_which_graph_states_each_fact(
        imported: tuple[Store, dict[str, str]]) -> None:
    store, graphs = imported
    usage = describe(store, ID + "usage/u-essai-1")
    survey = graphs["survey 2026 wave 2"]
    stated = {(p.iri, v.term.value): v.graphs for p in usage.properties for v in p.values}
    assert stated[(CG + "observedOn", "2026-03-14")] == (survey,)
    assert all(g == (survey,) for g in stated.values()), stated
    assert survey in {s.graph for s in usage.sources}
    # an organisation of the example, which the imported sheets point at
    vecam = describe(store, ID + "org/vecam", page_size=1000)
    incoming = {(p.iri, v.term.value): v.graphs for p in vecam.incoming for v in p.values}
    assert incoming[(CG + "organisation", ID + "usage/u-essai-1")] == (survey,)
    assert all(g == (EXAMPLE,) for (_, s), g in incoming.items() if "essai" not in s)
    own = {(p.iri, v.term.value): v.graphs for p in vecam.properties for v in p.values}
    assert own and all(EXAMPLE in g for g in own.values())
    assert {EXAMPLE, survey} <= {s.graph for s in vecam.sources}
