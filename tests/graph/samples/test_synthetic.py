"""The synthetic data generator: deterministic, linear, streaming, valid, public-safe, and
rich enough for every catalogue query."""

from __future__ import annotations

import io
import itertools
import time
from pathlib import Path

import pyoxigraph as ox
import pyshacl
import pytest
import rdflib

from graph.errors import UnknownFormat
from graph.namespaces import CG, DPV, FOAF, ID, ORG
from graph.queries import catalogue
from graph.samples.synthetic import SYNTHETIC_GRAPH, format_for, generate, write
from graph.vocabulary import shapes_path, vocabulary_files

SHARED_POOL = (f"{ID}software/", f"{ID}commune/", f"{ID}wave/")


def _store(organisations: int, seed: int = 0) -> ox.Store:
    store = ox.Store()
    store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph())
                      for t in generate(organisations, seed))
    for path in vocabulary_files():
        store.load(path=str(path), format=ox.RdfFormat.TURTLE)
    return store


@pytest.fixture(scope="module")
def store() -> ox.Store:
    # kept small: platform_migrations.rq grows faster than linearly with the data
    return _store(20, seed=5)


def test_same_seed_same_triples_in_the_same_order() -> None:
    assert list(generate(45, seed=7)) == list(generate(45, seed=7))


def test_another_seed_other_triples() -> None:
    assert list(generate(45, seed=7)) != list(generate(45, seed=8))


def test_data_started_past_another_describes_only_the_fixed_resources_of_it() -> None:
    # what a curator loads beside generate(n): its own organisations, usages, needs, spaces...
    base = {t.subject for t in generate(45, seed=7)}
    fixed = {t.subject for t in generate(0)}
    beside = {t.subject for t in generate(20, seed=8, start=60)}
    assert base & beside == fixed and beside - fixed
    assert {t.subject for t in generate(20, seed=8)} & base - fixed   # the same numbers clash


@pytest.mark.parametrize("start", [-20, 7, 45])
def test_a_start_is_a_multiple_of_the_block(start: int) -> None:
    with pytest.raises(ValueError, match="start must be a multiple"):
        next(generate(5, start=start))


def test_about_a_hundred_triples_per_organisation_linearly() -> None:
    counts = {n: sum(1 for _ in generate(n)) for n in (0, 200, 400)}
    fixed = counts[0]
    assert 0 < fixed < 2000
    for n in (200, 400):
        assert 90 <= (counts[n] - fixed) / n <= 115
    assert 90 <= (counts[400] - counts[200]) / 200 <= 115


def test_generation_streams() -> None:
    started = time.perf_counter()
    first = list(itertools.islice(generate(10**7), 20_000))
    assert len(first) == 20_000
    assert time.perf_counter() - started < 5, "the generator must not build the dataset first"


def test_conforms_to_the_core_shapes() -> None:
    data = rdflib.Graph().parse(
        data=ox.serialize(generate(60, seed=3), format=ox.RdfFormat.N_TRIPLES), format="nt")
    for path in vocabulary_files():
        data.parse(path)
    conforms, _, report = pyshacl.validate(
        data, shacl_graph=rdflib.Graph().parse(shapes_path("core")), inference="none",
        allow_warnings=True)
    assert conforms, str(report)[:3000]


@pytest.mark.parametrize("query", catalogue.list_queries(), ids=lambda q: q.name)
def test_every_catalogue_query_has_answers(store: ox.Store, query: catalogue.CatalogueQuery,
                                           ) -> None:
    bindings = {ox.Variable(k): v for k, v in query.bind({}).items()}
    assert list(store.query(query.sparql, substitutions=bindings)), query.name


def test_holds_no_person_and_no_personal_data(store: ox.Store) -> None:
    rows = list(store.query(f"""SELECT ?s WHERE {{ {{ ?s a <{FOAF}Person> }}
        UNION {{ ?s a <{ORG}Membership> }} UNION {{ ?s a <{DPV}Consent> }}
        UNION {{ ?s ?p ?o FILTER(STRSTARTS(STR(?p), "{FOAF}")) }} }} LIMIT 1"""))
    assert rows == []


def test_every_generated_resource_is_flagged_fictional() -> None:
    flagged, subjects = set(), set()
    fictional = ox.NamedNode(f"{CG}isFictional")
    for t in generate(100, seed=5):
        if not t.subject.value.startswith(SHARED_POOL):
            subjects.add(t.subject)
            if t.predicate == fictional and t.object == ox.Literal(True):
                flagged.add(t.subject)
    assert len(subjects) > 1000
    assert subjects - flagged == set()


def test_shares_the_example_datasets_software_and_waves() -> None:
    from graph.samples.example import EXAMPLE_GRAPHS, example_path
    example = set(ox.parse(example_path(EXAMPLE_GRAPHS[0]).read_bytes(),
                           format=ox.RdfFormat.TURTLE))
    pool = {t for t in generate(0) if t.subject.value.startswith(SHARED_POOL)}
    assert len(pool) > 200
    assert pool <= example


@pytest.mark.parametrize("extension", ["ttl", "nt", "nq", "trig", "jsonld", "rdf"])
def test_writes_the_syntax_its_extension_names(tmp_path: Path, extension: str) -> None:
    target = tmp_path / f"synthetic.{extension}"
    count = write(30, target, seed=2)
    fmt = format_for(target)
    parsed = list(ox.parse(path=str(target), format=fmt))
    assert len(parsed) == count == sum(1 for _ in generate(30, seed=2))
    if fmt.supports_datasets:
        assert {q.graph_name for q in parsed} == {ox.NamedNode(SYNTHETIC_GRAPH)}


def test_writes_n_triples_to_a_stream() -> None:
    out = io.BytesIO()
    count = write(10, out)
    assert out.getvalue().count(b"\n") == count
    assert out.getvalue().startswith(b"<https://w3id.org/civicgraph/id/")


@pytest.mark.parametrize("name", ["data.csv", "data", "data.n3x"])
def test_refuses_an_unknown_extension(name: str) -> None:
    with pytest.raises(UnknownFormat):
        format_for(name)


def test_writes_n_triples_fast(tmp_path: Path) -> None:
    started = time.perf_counter()
    count = write(3000, tmp_path / "s.nt")
    rate = count / (time.perf_counter() - started)
    assert count > 250_000
    assert rate > 50_000, f"{rate:.0f} triples/s"   # about 400,000/s on a 2-core machine
