"""Spreadsheet contributions (graph/ingest/spreadsheets/): mapping, checks, report, templates."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.ingest.spreadsheets import import_spreadsheet
from graph.ingest.spreadsheets.columns import KINDS, ORDER, columns_markdown, detect_kind
from graph.ingest.spreadsheets.importing import Target
from graph.ingest.spreadsheets.templates import template
from graph.ingest.tabular import read_table
from graph.namespaces import CG, DCTERMS, FOAF, GRAPH, ID, META_GRAPH, OWL, PROV, RDFS
from graph.privacy.access import RESTRICTED_META_GRAPH
from graph.store import Store
from tests.support.stores import load_example, memory_store, quads

FILES = Path(__file__).parent / "spreadsheets"
SOURCE = "survey 2026 wave 2"
PUBLIC = Target.for_source(SOURCE, "https://w3id.org/civicgraph/").public


@pytest.fixture(scope="module")
def pristine() -> Store:
    return load_example(memory_store())


@pytest.fixture
def example() -> Store:
    return load_example(memory_store())


def ask(store: Store, pattern: str, graph: str | None = None) -> bool:
    result = store.query(f"ASK {{ {pattern} }}", default_graph=[graph] if graph else None)
    assert isinstance(result, ox.QueryBoolean)
    return bool(result)


def run(store: Store, name: str, **options: object) -> object:
    return import_spreadsheet(store, (FILES / name).read_bytes(), name, source=SOURCE,
                              **options)  # type: ignore[arg-type]


@pytest.mark.parametrize(("name", "expected"), [
    ("wrong_dates.csv", {(2, "observed on"), (3, "observed on"), (4, "end")}),
    ("unknown_tool.csv", {(3, "tool"), (4, "organisation")}),
    ("missing_column.csv", {(1, "status")}),
    ("duplicate_id.csv", {(4, "id")}),
    ("windows1252.csv", {(2, None)}),
    ("formula.xlsx", {(3, "observed on")}),
    ("empty.csv", {(None, None)}),
])
def test_broken_files_store_nothing_and_report_each_cell(
        example: Store, name: str, expected: set[tuple[int | None, str | None]]) -> None:
    before = quads(example)
    report = run(example, name)
    assert not report.stored  # type: ignore[attr-defined]
    assert {(p.row, p.column) for p in report.errors} == expected  # type: ignore[attr-defined]
    assert quads(example) == before


def test_all_errors_are_reported_at_once_in_the_csv_report(example: Store) -> None:
    report = run(example, "wrong_dates.csv")
    rows = list(csv.DictReader(io.StringIO(report.to_csv())))  # type: ignore[attr-defined]
    assert [(r["row"], r["column"]) for r in rows] == [
        ("2", "observed on"), ("3", "observed on"), ("4", "end")]
    assert "not a real date" in rows[0]["message"]


def test_skip_invalid_imports_the_rest_and_says_what_was_left_out(example: Store) -> None:
    report = run(example, "wrong_dates.csv", skip_invalid=True)
    assert report.stored and report.rows_imported == 1  # type: ignore[attr-defined]
    assert report.skipped_rows == [("wrong_dates", 2), ("wrong_dates", 3),  # type: ignore[attr-defined]
                                   ("wrong_dates", 4)]
    assert "skipped,wrong_dates,3" in report.to_csv()  # type: ignore[attr-defined]
    assert ask(example, f"?u <{CG}tool> <{ID}software/mastodon>", PUBLIC)
    assert not ask(example, f"?u <{CG}tool> <{ID}software/loomio>", PUBLIC)


def test_a_french_csv_maps_to_usages_with_provenance(example: Store) -> None:
    report = run(example, "usages_fr.csv", licence="https://creativecommons.org/licenses/by/4.0/")
    assert report.stored, report.problems  # type: ignore[attr-defined]
    usage = f"<{ID}usage/vecam-loomio-2026>"
    activity = f"<{ID}activity/survey-2026-wave-2>"
    assert ask(example, f"""{usage} <{CG}organisation> <{ID}org/vecam> ;
        <{CG}practice> <{ID}practice/voting> ; <{CG}status> <{ID}status/active> ;
        <{CG}observedOn> "2026-03-14"^^<http://www.w3.org/2001/XMLSchema#date> ;
        <{PROV}wasGeneratedBy> {activity} ;
        <{PROV}hadPrimarySource> "Questionnaire rempli le 14 mars" .
        {activity} <{RDFS}label> "{SOURCE}" .""", PUBLIC)
    assert ask(example, f"""<{PUBLIC}> <{DCTERMS}source> "{SOURCE}" ; <{CG}access> <{CG}Public> ;
        <{DCTERMS}license> <https://creativecommons.org/licenses/by/4.0/> ; <{CG}sha256> ?s""",
               META_GRAPH)
    # "Vecam" and "VECAM", "Jitsi" (an alias in the curated table) and "Jitsi Meet" match
    assert ask(example, f"?u <{CG}tool> <{ID}software/jitsi-meet> ; <{CG}status> "
                        f"<{ID}status/abandoned>", PUBLIC)


def test_same_file_twice_changes_nothing_and_a_corrected_file_replaces(example: Store) -> None:
    first = run(example, "usages_fr.csv")
    assert first.stored  # type: ignore[attr-defined]
    state = quads(example)
    again = run(example, "usages_fr.csv")
    assert again.unchanged and quads(example) == state  # type: ignore[attr-defined]
    fixed = (b"organisation,tool,practices,status,observed on\n"
             b"VECAM,Signal,announcement,active,2026-04-01\n")
    report = import_spreadsheet(example, fixed, "usages.csv", source=SOURCE)
    assert report.stored
    assert not ask(example, f"<{ID}usage/vecam-loomio-2026> ?p ?o")
    assert ask(example, f"?u <{CG}tool> <{ID}software/signal>", PUBLIC)


@pytest.mark.parametrize(("cell", "software"), [
    ("loomio", "loomio"), ("LOOMIO", "loomio"),
    ("Q27986619", "mastodon"),                               # Wikidata id
    ("https://www.wikidata.org/wiki/Q27986619", "mastodon"),
    (f"{ID}software/mastodon", "mastodon"),                  # IRI
    ("Framapad", None),                                      # a hosted instance
])
def test_tool_references_match_by_name_id_wikidata_or_iri(
        pristine: Store, cell: str, software: str | None) -> None:
    store = load_example(memory_store())
    data = ("organisation,tool,practices,status,observed on\n"
            f"vécam,{cell},voting,active,2026-03-14\n")
    report = import_spreadsheet(store, data.encode(), "u.csv", source=SOURCE)
    assert report.stored, report.problems
    tool = "?t" if software is None else f"<{ID}software/{software}>"
    assert ask(store, f"?u <{CG}tool> {tool} . {tool} <{CG}software>? ?sw . "
                      "?sw a <https://schema.org/SoftwareApplication>")


def test_curated_tools_fill_an_empty_store() -> None:
    store = memory_store()
    sheet = (b"name,kind\nCollectif Test,collective\n")
    assert import_spreadsheet(store, sheet, "orgs.csv", source="orgs").stored
    data = (b"organisation,tool,practices,status,observed on\n"
            b"Collectif Test,Mastodon,social-media-publishing,active,2026-03-14\n"
            b"Collectif Test,Framapad,minutes-taking,trial,2026-03-14\n")
    report = import_spreadsheet(store, data, "u.csv", source=SOURCE)
    assert report.stored, report.problems
    assert ask(store, f"<{ID}software/mastodon> <{OWL}sameAs> "
                      "<http://www.wikidata.org/entity/Q27986619>")
    assert ask(store, f"<{ID}instance/framapad> <{CG}software> <{ID}software/etherpad> . "
                      f"<{ID}software/etherpad> <{CG}isFreeSoftware> true")


def test_ambiguous_names_are_refused(example: Store) -> None:
    orgs = b"name,kind\nLes Amis,association\n"
    assert import_spreadsheet(example, orgs, "a.csv", source="a").stored
    other = b"id,name,kind\namis-2,Les amis,association\n"
    assert import_spreadsheet(example, other, "b.csv", source="b").stored
    usage = (b"organisation,tool,practices,status,observed on\n"
             b"les amis,Loomio,voting,active,2026-03-14\n")
    report = import_spreadsheet(example, usage, "u.csv", source=SOURCE)
    assert [p.column for p in report.errors] == ["organisation"]
    assert "several" in report.errors[0].message


def test_a_workbook_puts_members_and_consent_in_a_restricted_graph(example: Store) -> None:
    report = run(example, "survey_workbook.xlsx")
    assert report.stored, report.problems  # type: ignore[attr-defined]
    target = Target.for_source(SOURCE, "https://w3id.org/civicgraph/")
    assert set(report.graphs) == {target.public, target.restricted}  # type: ignore[attr-defined]
    assert not ask(example, f"?p a <{FOAF}Person>", target.public)
    assert ask(example, f"""<{ID}person/m-001> <{FOAF}name> "Léa Fictive" ;
        <{FOAF}phone> <tel:+33199000042> .
        ?m <http://www.w3.org/ns/org#member> <{ID}person/m-001> ;
           <http://www.w3.org/ns/org#role> <{ID}role/treasurer> .""", target.restricted)
    # described apart from the public meta graph
    assert ask(example, f"<{target.restricted}> <{CG}access> <{CG}Restricted>",
               RESTRICTED_META_GRAPH)
    assert not ask(example, f"<{target.restricted}> ?p ?o", META_GRAPH)
    # the consent row makes Léa public at once (name and membership), not Tom
    view = GRAPH + "public-persons"
    assert ask(example, f'<{ID}person/m-001> <{FOAF}name> "Léa Fictive"', view)
    assert not ask(example, f'?p <{FOAF}name> "Tom Fictif"', view)


def test_rows_depending_on_an_invalid_row_are_invalid_too(example: Store) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    members = workbook.active
    assert members is not None
    members.title = "membres"
    members.append(["identifiant", "nom", "organisation", "rôle"])
    members.append(["m-009", "Zoé Fictive", "VECAM", "grand manitou"])
    consent = workbook.create_sheet("consentement")
    consent.append(["personne", "statut", "données", "donné le"])
    consent.append(["m-009", "donné", "nom", "2026-01-05"])
    out = io.BytesIO()
    workbook.save(out)
    report = import_spreadsheet(example, out.getvalue(), "w.xlsx", source=SOURCE)
    # a French sheet's problems name its columns in French
    assert [(p.sheet, p.column) for p in report.errors] == [("membres", "rôle"),
                                                            ("consentement", None)]
    assert "which has errors" in report.errors[1].message


@pytest.mark.parametrize("kind", ORDER)
@pytest.mark.parametrize(("format_", "lang"), [("csv", "fr"), ("csv", "en"), ("xlsx", "fr")])
def test_templates_are_recognised_and_cover_every_column(kind: str, format_: str,
                                                         lang: str) -> None:
    [table] = read_table(template(kind, format=format_, lang=lang), f"{kind}.{format_}")
    found = detect_kind(table.name if format_ == "xlsx" else "sheet", table.header)
    assert found is KINDS[kind]
    assert [found.column_for(h) for h in table.header] == list(KINDS[kind].columns)
    assert len(table.rows) == 1


@pytest.mark.parametrize("kind", ["organisations", "activities", "tools", "events", "attendance",
                                  "usages", "needs", "experiences", "effects", "projects",
                                  "members"])
def test_template_example_rows_import_on_the_example_dataset(example: Store, kind: str) -> None:
    report = import_spreadsheet(example, template(kind, format="csv", lang="en"),
                                f"{kind}.csv", source=f"template {kind}")
    assert report.stored, [str(p) for p in report.errors]


def test_columns_markdown_documents_every_column() -> None:
    text = columns_markdown()
    for kind in KINDS.values():
        for column in kind.columns:
            assert f"| `{column.en}` | `{column.fr}` |" in text


def usage_rows(n: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["id", "organisation", "tool", "practices", "status", "observed on"])
    tools = ["Loomio", "Framapad", "Mastodon", "Signal", "Nextcloud"]
    for i in range(n):
        writer.writerow([f"u{i}", "VECAM", tools[i % 5], "voting", "active", "2026-03-14"])
    return out.getvalue().encode()


@pytest.mark.slow
def test_a_50000_row_file_imports() -> None:
    # its speed is measured in bench/ (bench_import.py, bench_write_path.py), not here
    store = load_example(memory_store())
    report = import_spreadsheet(store, usage_rows(50_000), "big.csv", source="big")
    assert report.stored and report.rows_imported == 50_000
    assert set(report.seconds) == {"parse", "validate", "write"}
    assert store.count(Target.for_source("big", "https://w3id.org/civicgraph/").public) >= 350_000


BAD_CELLS = {"observed on": ["2026-13-01", "soon", "=A1"], "tool": ["Nothing At All"],
             "status": ["maybe"], "practices": ["juggling"], "organisation": ["Nobody Inc"]}


@pytest.mark.slow
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(0, 4), st.sampled_from(sorted(BAD_CELLS)),
                          st.integers(0, 2)), min_size=1, max_size=4))
def test_a_failed_import_never_changes_the_store(
        pristine: Store, damage: list[tuple[int, str, int]]) -> None:
    header = ["organisation", "tool", "practices", "status", "observed on"]
    rows = [["VECAM", "Loomio", "voting", "active", f"2026-03-{10 + i}"] for i in range(5)]
    for row, column, which in damage:
        values = BAD_CELLS[column]
        rows[row][header.index(column)] = values[which % len(values)]
    data = "\n".join(",".join(r) for r in [header, *rows]).encode()
    before = quads(pristine)
    report = import_spreadsheet(pristine, data, "u.csv", source="hypothesis")
    assert not report.stored
    assert quads(pristine) == before


@pytest.mark.parametrize("name", ["usages_fr.csv", "survey_workbook.xlsx"])
def test_imported_graphs_conform_to_the_core_shapes(example: Store, name: str) -> None:
    from graph.ingest.validation import errors, validate
    from graph.vocabulary import shapes_path

    report = run(example, name)
    assert report.stored  # type: ignore[attr-defined]
    graphs = [GRAPH + "example", GRAPH + "example-members", *report.graphs]  # type: ignore[attr-defined]
    data = list(example.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", default_graph=graphs))
    assert not errors(validate(data, shapes_path("core")))


@pytest.mark.parametrize(("header", "row", "column"), [
    ("identifiant;organisation;outil;pratiques;statut;observé le",
     "x-1;VECAM;Loomio;voting;actif;le 3 mars", "observé le"),
    ("id;organisation;tool;practices;status;observed on",
     "x-1;VECAM;Loomio;voting;active;on March 3rd", "observed on"),
    ("identifiant;organisation;outil;pratiques;statut;observé le",
     "x-1;VECAM;Loomo;voting;actif;2026-03-03", "outil"),
])
def test_problems_name_the_columns_as_the_file_does(pristine: Store, header: str, row: str,
                                                    column: str) -> None:
    report = import_spreadsheet(pristine, f"{header}\n{row}\n".encode(), "usages.csv",
                                source=SOURCE)
    assert not report.stored
    assert [p.column for p in report.errors] == [column]
