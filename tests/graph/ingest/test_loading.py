"""Imports: formats, syntax errors, shapes, provenance, idempotence, all-or-nothing."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import graph.store.batching
import graph.store.embedded
from graph.errors import ParameterError, RdfSyntaxError, ShapeViolation, UnknownFormat
from graph.ingest.loading import (
    CONTEXT_IRIS,
    ImportReport,
    import_source,
    load_vocabulary,
    parse,
    rdf_format,
)
from graph.namespaces import CG, DCTERMS, META_GRAPH, STAGING_PREFIX, VOCABULARY_GRAPH, graph_iri
from graph.store import Store, open_store
from graph.vocabulary import examples

GRAPH = graph_iri("imported")
OTHER = graph_iri("other")
MOMENT = dt.datetime(2026, 11, 29, 10, 0, tzinfo=dt.UTC)
ORG = "https://w3id.org/civicgraph/id/org/"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
ORGANIZATION = "http://www.w3.org/ns/org#Organization"

# the same two organisations in every format
TURTLE = f"""@prefix org: <http://www.w3.org/ns/org#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<{ORG}alpha> a org:Organization ; rdfs:label "Alpha"@fr .
<{ORG}beta> a org:Organization ; rdfs:label "Béta \\"quoted\\""@fr .
""".encode()
NTRIPLES = b"".join(ox.serialize(ox.parse(TURTLE, ox.RdfFormat.TURTLE),  # type: ignore[misc]
                                 format=ox.RdfFormat.N_QUADS).splitlines(keepends=True))
RDFXML = f"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#"
         xmlns:org="http://www.w3.org/ns/org#">
  <org:Organization rdf:about="{ORG}alpha"><rdfs:label xml:lang="fr">Alpha</rdfs:label>
  </org:Organization>
  <org:Organization rdf:about="{ORG}beta">
    <rdfs:label xml:lang="fr">Béta "quoted"</rdfs:label></org:Organization>
</rdf:RDF>""".encode()
JSONLD = json.dumps({"@context": {"rdfs": "http://www.w3.org/2000/01/rdf-schema#",
                                  "org": "http://www.w3.org/ns/org#"},
                     "@graph": [{"@id": f"{ORG}alpha", "@type": "org:Organization",
                                 "rdfs:label": {"@value": "Alpha", "@language": "fr"}},
                                {"@id": f"{ORG}beta", "@type": "org:Organization",
                                 "rdfs:label": {"@value": 'Béta "quoted"',
                                                "@language": "fr"}}]}).encode()
TRIG = b"<" + GRAPH.encode() + b"> {\n" + TURTLE.split(b"\n", 2)[2] + b"}\n"
TRIG = TURTLE.split(b"\n", 2)[0] + b"\n" + TURTLE.split(b"\n", 2)[1] + b"\n" + TRIG
NQUADS = NTRIPLES.replace(b" .\n", f" <{GRAPH}> .\n".encode())

EXPECTED = {(f"{ORG}alpha", "Alpha"), (f"{ORG}beta", 'Béta "quoted"')}


def labels(store: Store, graph: str = GRAPH) -> set[tuple[str, str]]:
    rows = store.query(f"SELECT ?s ?l WHERE {{ ?s <{LABEL}> ?l }}", default_graph=[graph])
    assert isinstance(rows, ox.QuerySolutions)
    return {(r["s"].value, r["l"].value) for r in rows}


def dump(store: Store) -> bytes:
    out = io.BytesIO()
    store.dump(out, ox.RdfFormat.N_QUADS)
    return b"\n".join(sorted(out.getvalue().splitlines()))


def described(store: Store, graph: str) -> dict[str, set[str]]:
    rows = store.query(f"SELECT ?p ?o WHERE {{ <{graph}> ?p ?o }}", default_graph=[META_GRAPH])
    assert isinstance(rows, ox.QuerySolutions)
    out: dict[str, set[str]] = {}
    for row in rows:
        out.setdefault(row["p"].value, set()).add(str(row["o"]))
    return out


def load(store: Store, data: bytes, format: str = "turtle", **options: object) -> ImportReport:
    return import_source(store, data, format=format, imported_by="tests", now=MOMENT,
                         **{"graph": GRAPH, "source_label": "test data", **options})  # type: ignore[arg-type]


# -- formats ------------------------------------------------------------------------------

@pytest.mark.parametrize(("format", "data"), [
    ("turtle", TURTLE), ("n-triples", NTRIPLES), ("rdf/xml", RDFXML), ("json-ld", JSONLD),
    ("trig", TRIG), ("n-quads", NQUADS),
])
def test_every_format_imports_the_same_triples(format: str, data: bytes) -> None:
    with open_store("memory") as store:
        report = load(store, data, format, validate=False)
        assert labels(store) == EXPECTED
        assert report.graphs == {GRAPH: 4}
        assert report.changed


@pytest.mark.parametrize(("hint", "name"), [
    ("data.ttl", "Turtle"), ("dump.trig", "TriG"), (Path("x/y.nt"), "N-Triples"),
    ("a.nq", "N-Quads"), ("doc.jsonld", "JSON-LD"), ("onto.rdf", "RDF/XML"),
    ("onto.owl", "RDF/XML"), ("text/turtle; charset=utf-8", "Turtle"),
    ("application/ld+json", "JSON-LD"), ("application/n-quads", "N-Quads"),
    ("application/rdf+xml", "RDF/XML"), ("TURTLE", "Turtle"), (".nt", "N-Triples"),
    (ox.RdfFormat.TRIG, "TriG"),
])
def test_formats_are_named_by_extension_media_type_or_name(hint: str, name: str) -> None:
    assert rdf_format(hint).name == name


@pytest.mark.parametrize("hint", ["data.csv", "notes.txt", "text/plain", "model.n3",
                                  "dump.ttl.gz", "", "application/json"])
def test_unknown_formats_are_refused(hint: str) -> None:
    with pytest.raises(UnknownFormat) as caught:
        rdf_format(hint)
    assert "turtle" in caught.value.known


def test_unknown_format_of_a_file_leaves_the_store_alone(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_text("a,b\n")
    with open_store("memory") as store:
        with pytest.raises(UnknownFormat):
            import_source(store, path, graph=GRAPH, imported_by="tests")
        with pytest.raises(UnknownFormat):
            import_source(store, b"<a> <b> <c> .", graph=GRAPH, imported_by="tests")
        assert store.graphs() == []


def test_a_file_is_read_by_its_extension_and_named_in_the_source(tmp_path: Path) -> None:
    path = tmp_path / "orgs.ttl"
    path.write_bytes(TURTLE)
    with open_store("memory") as store:
        report = import_source(store, path, graph=GRAPH, imported_by="tests", validate=False)
        assert report.source == "orgs.ttl" and report.format == "Turtle"
        assert described(store, GRAPH)[DCTERMS + "source"] == {'"orgs.ttl"'}


# -- syntax errors ------------------------------------------------------------------------

@pytest.mark.parametrize(("format", "data", "line", "column"), [
    ("turtle", b"@prefix ex: <http://ex/> .\nex:a ex:p \"x\" .\nex:b ex:p ex:c ex:d .\n", 3, 16),
    ("n-triples", b"<http://ex/a> <http://ex/p> \"x\" .\n<http://ex/a> <http://ex/p> x .\n", 2, 29),
    ("n-quads", b"<http://ex/a> <http://ex/p> \"x\" <http://ex/g> .\n\n<http://ex/a> <p> .\n",
     3, None),
    ("trig", b"<http://ex/g> {\n  <http://ex/a> <http://ex/p> \"x\" \n", 3, None),
    ("json-ld", b'{"@id": "http://ex/a",\n "http://ex/p": "x",\n}', 3, 1),
])
def test_syntax_errors_name_source_line_and_column(format: str, data: bytes, line: int,
                                                    column: int | None) -> None:
    with open_store("memory") as store:
        with pytest.raises(RdfSyntaxError) as caught:
            load(store, data, format)
        assert caught.value.source == "test data"
        assert caught.value.line == line
        if column is not None:
            assert caught.value.column == column
        assert "test data, line" in str(caught.value)
        assert store.graphs() == []


def test_rdfxml_syntax_error_is_refused() -> None:
    with pytest.raises(RdfSyntaxError, match="rdf:Description"):
        parse(b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
              b'<rdf:Description rdf:about="http://ex/a"></rdf:RDF>', ox.RdfFormat.RDF_XML)


# -- JSON-LD contexts ---------------------------------------------------------------------

def test_jsonld_never_fetches_a_remote_context() -> None:
    document = json.dumps({"@context": "https://example.org/context.jsonld",
                           "@id": "http://ex/a", "name": "x"}).encode()
    with pytest.raises(RdfSyntaxError, match="never fetched"):
        parse(document, ox.RdfFormat.JSON_LD, source="remote.jsonld")


@pytest.mark.parametrize("context", CONTEXT_IRIS)
def test_jsonld_with_civicgraph_context_uses_the_local_file(context: str) -> None:
    document = json.dumps({"@context": context, "@id": f"{ORG}alpha",
                           "@type": "org:Organization"}).encode()
    dataset = parse(document, ox.RdfFormat.JSON_LD)
    assert ox.Quad(ox.NamedNode(f"{ORG}alpha"), ox.NamedNode(TYPE),
                   ox.NamedNode(ORGANIZATION)) in dataset


# -- shapes -------------------------------------------------------------------------------

def test_shape_violations_are_refused_with_their_report(store: Store) -> None:
    load_vocabulary(store, now=MOMENT)
    load(store, TURTLE)
    before = dump(store)
    bad = next(p for p in examples("invalid") if p.name == "tool-usage-two-organisations.ttl")
    with pytest.raises(ShapeViolation) as caught:
        import_source(store, bad, graph=GRAPH, imported_by="tests")
    (violation,) = caught.value.violations
    assert violation.constraint == "sh:MaxCountConstraintComponent"
    assert violation.focus_node == "https://w3id.org/civicgraph/id/usage/example"
    assert violation.path == CG + "organisation"
    assert "exactly one cg:organisation" in violation.message
    assert caught.value.source == "tool-usage-two-organisations.ttl"
    assert dump(store) == before


def test_validation_can_be_turned_off_explicitly() -> None:
    bad = next(p for p in examples("invalid") if p.name == "wave-no-number.ttl")
    with open_store("memory") as store:
        report = import_source(store, bad, graph=GRAPH, imported_by="tests", validate=False)
        assert report.changed and report.triples > 0


def test_warnings_do_not_refuse_an_import() -> None:
    data = b"""@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<https://w3id.org/civicgraph/id/practice/no-definition> a skos:Concept ;
    skos:prefLabel "sans definition"@fr , "no definition"@en ;
    skos:inScheme <https://w3id.org/civicgraph/id/scheme/practice> ."""
    with open_store("memory") as store:
        report = load(store, data)
        assert report.changed
        assert {w.severity for w in report.warnings} == {"Warning"}


# -- provenance and idempotence -----------------------------------------------------------

def test_provenance_is_written_to_the_meta_graph(store: Store) -> None:
    report = load(store, TURTLE, licence="https://creativecommons.org/licenses/by/4.0/",
                  title="Two organisations", access="restricted")
    meta = described(store, GRAPH)
    assert meta == {
        TYPE: {"<http://rdfs.org/ns/void#Dataset>", "<http://www.w3.org/ns/prov#Entity>"},
        DCTERMS + "title": {'"Two organisations"'},
        DCTERMS + "source": {'"test data"'},
        "http://www.w3.org/ns/prov#generatedAtTime": {
            '"2026-11-29T10:00:00Z"^^<http://www.w3.org/2001/XMLSchema#dateTime>'},
        DCTERMS + "license": {"<https://creativecommons.org/licenses/by/4.0/>"},
        CG + "importedBy": {'"tests"'},
        CG + "access": {f"<{CG}Restricted>"},
        "http://rdfs.org/ns/void#triples": {
            '"4"^^<http://www.w3.org/2001/XMLSchema#integer>'},
        CG + "sha256": {f'"{report.sha256}"'},
    }


def test_a_source_iri_is_stored_as_an_iri() -> None:
    with open_store("memory") as store:
        load(store, TURTLE, source_label="https://data.example.org/orgs.ttl")
        assert described(store, GRAPH)[DCTERMS + "source"] == {
            "<https://data.example.org/orgs.ttl>"}


def test_an_identical_reimport_changes_nothing_at_all(store: Store) -> None:
    first = load(store, TURTLE)
    before = dump(store)
    again = import_source(store, TURTLE, graph=GRAPH, format="turtle", imported_by="someone",
                          source_label="test data", now=MOMENT + dt.timedelta(days=1))
    assert first.changed and not again.changed
    assert again.sha256 == first.sha256
    assert dump(store) == before


def test_a_changed_description_or_content_is_reimported(store: Store) -> None:
    load(store, TURTLE)
    assert load(store, TURTLE, licence="https://spdx.org/licenses/CC0-1.0").changed
    assert load(store, TURTLE.replace(b"Alpha", b"Alpha2")).changed
    assert (f"{ORG}alpha", "Alpha2") in labels(store)


def test_vocabulary_loads_once(store: Store) -> None:
    first = load_vocabulary(store, now=MOMENT)
    assert first.changed and first.graphs[VOCABULARY_GRAPH] > 1000
    assert not load_vocabulary(store, now=MOMENT).changed
    assert described(store, VOCABULARY_GRAPH)[CG + "access"] == {f"<{CG}Public>"}


# -- quads files --------------------------------------------------------------------------

MULTI = f"""@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<{ORG}alpha> rdfs:label "in the default graph" .
<{OTHER}> {{ <{ORG}beta> rdfs:label "in the other graph" . }}
""".encode()


def test_each_named_graph_of_a_quads_file_is_imported_with_its_provenance(store: Store) -> None:
    report = load(store, MULTI, "trig", validate=False)
    assert report.graphs == {GRAPH: 1, OTHER: 1}
    assert labels(store, OTHER) == {(f"{ORG}beta", "in the other graph")}
    assert labels(store, GRAPH) == {(f"{ORG}alpha", "in the default graph")}
    for name in (GRAPH, OTHER):
        meta = described(store, name)
        assert meta[CG + "sha256"] == {f'"{report.sha256}"'}
        assert meta["http://rdfs.org/ns/void#triples"] == {
            '"1"^^<http://www.w3.org/2001/XMLSchema#integer>'}


def test_a_quads_file_without_default_triples_needs_no_graph() -> None:
    with open_store("memory") as store:
        report = import_source(store, NQUADS, graph=None, format="nq", imported_by="tests",
                               validate=False)
        assert report.graphs == {GRAPH: 4}


@pytest.mark.parametrize(("data", "graph", "problem"), [
    (TURTLE, None, "name the graph"),
    (f"<{META_GRAPH}> {{ <{ORG}a> <{LABEL}> 'x' . }}".encode(), GRAPH, "managed"),
    (f"<{STAGING_PREFIX}x> {{ <{ORG}a> <{LABEL}> 'x' . }}".encode(), GRAPH, "managed"),
    (f"<{GRAPH}> {{ <{ORG}a> <{LABEL}> 'x' . }} <{ORG}b> <{LABEL}> 'y' .".encode(), GRAPH,
     "also a named graph"),
])
def test_bad_targets_are_refused(data: bytes, graph: str | None, problem: str) -> None:
    with open_store("memory") as store:
        with pytest.raises(ParameterError, match=problem):
            import_source(store, data, graph=graph, format="trig", imported_by="tests",
                          validate=False)
        assert store.graphs() == []


# -- all or nothing -----------------------------------------------------------------------

def test_an_import_interrupted_between_staging_and_commit_changes_nothing(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    load(store, TURTLE, validate=False)
    before = dump(store)

    def crash(*args: object, **kwargs: object) -> str:
        raise KeyboardInterrupt("interrupted before the commit")

    monkeypatch.setattr(graph.store.embedded, "commit_update", crash)
    monkeypatch.setattr(graph.store.batching, "commit_update", crash)
    for target, data in ((GRAPH, TURTLE.replace(b"Alpha", b"Changed")), (OTHER, TURTLE)):
        with pytest.raises(KeyboardInterrupt):
            import_source(store, data, graph=target, format="turtle", imported_by="tests",
                          validate=False)
        assert dump(store) == before
        # read into a list: a live result of pyoxigraph's in-memory store holds a lock that
        # the next write would wait for (this test hung when it kept one across an import)
        listed = list(store.query("SELECT ?g WHERE { GRAPH ?g { } }"))  # type: ignore[arg-type]
        assert not any(r["g"].value.startswith(STAGING_PREFIX) for r in listed)


def test_a_multi_graph_import_is_all_or_nothing(store: Store,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    load(store, TURTLE, validate=False)
    before = dump(store)
    real = store.replace_graphs

    def second_graph_breaks(contents: dict[str, Iterator[ox.Quad]],
                            metadata: object = (), checking: object = None) -> None:
        def broken() -> Iterator[ox.Quad]:
            raise RuntimeError("source broke")
            yield  # pragma: no cover

        first = next(iter(contents))
        real({first: contents[first], "https://w3id.org/civicgraph/graph/x": broken()},
             metadata=metadata, checking=checking)  # type: ignore[arg-type]

    monkeypatch.setattr(store, "replace_graphs", second_graph_breaks)
    with pytest.raises(RuntimeError, match="source broke"):
        load(store, MULTI, "trig", validate=False)
    assert dump(store) == before


def test_progress_is_reported_for_each_stage() -> None:
    calls: list[tuple[str, int, int | None]] = []
    with open_store("memory") as store:
        load(store, TURTLE, progress=lambda *call: calls.append(call))
    stages = [c[0] for c in calls]
    assert stages.index("parse") < stages.index("validate") < stages.index("write")
    assert ("parse", len(TURTLE), len(TURTLE)) in calls
    assert calls[-1] == ("write", 4, 4)


BROKEN = [
    b"<http://ex/a> <http://ex/p> .",                        # syntax
    b"@prefix : <http://ex/> . :a :p \"unterminated .",      # syntax
    f"<{ORG}x> a <{ORGANIZATION}> .".encode(),               # shape: no label
    f"<{ORG}y> a <{ORGANIZATION}> ; <{LABEL}> 'y' ; <{CG}isFictional> 'maybe' .".encode(),
]


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kept=st.lists(st.text(min_size=1, max_size=20), min_size=1, max_size=5),
       broken=st.sampled_from(BROKEN), target=st.sampled_from([GRAPH, OTHER]))
def test_a_failed_import_never_changes_the_store(store: Store, kept: list[str], broken: bytes,
                                                 target: str) -> None:
    triples = [ox.Triple(ox.NamedNode(f"{ORG}k{i}"), ox.NamedNode(LABEL), ox.Literal(text))
               for i, text in enumerate(kept)]
    store.replace_graph(GRAPH, triples)
    before = dump(store)
    with pytest.raises((RdfSyntaxError, ShapeViolation)):
        import_source(store, broken, graph=target, format="turtle", imported_by="tests")
    assert dump(store) == before
