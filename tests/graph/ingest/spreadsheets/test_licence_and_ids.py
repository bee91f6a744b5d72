"""Every spreadsheet cell that becomes an IRI is checked as Oxigraph reads IRIs (RFC 3987, and a
host for http(s)), and refused by its row, column and value; the import's licence is an IRI
(an SPDX id becomes its spdx.org IRI) and its source is bounded."""

from __future__ import annotations

import io

import pyoxigraph as ox
import pytest

from graph.ingest.spreadsheets import import_spreadsheet
from graph.ingest.spreadsheets.values import (
    MAX_SOURCE,
    ValueProblem,
    checked_iri,
    parse_licence,
)
from graph.namespaces import DCTERMS
from graph.store import Store
from tests.support.stores import load_example, memory_store, quads

ORG = "identifiant,nom,nature\n{},Nom test,association\n"
BAD = ["http://exa mple.org/x", "http://example.org/<x>", 'http://example.org/"q', "http://",
       "https://", "http:///x", "http://@/", "http://a%zz", "http://[x", "http://a:port/",
       "http://a#b#c", "http://a\x01b"]


@pytest.fixture
def store() -> Store:
    return load_example(memory_store())


def csv_cell(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def xlsx(rows: list[list[str]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "organisations"
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("value", BAD)
@pytest.mark.parametrize("skip", [False, True])
def test_an_identifier_that_is_no_iri_is_a_problem_of_its_cell(
        store: Store, value: str, skip: bool) -> None:
    before = quads(store)
    data = ORG.format(csv_cell(value)).encode()
    report = import_spreadsheet(store, data, "id.csv", source="p", skip_invalid=skip)
    errors = [(p.row, p.column, p.value) for p in report.errors]
    assert (2, "identifiant", value.strip()) in errors
    assert not report.stored
    assert quads(store) == before


@pytest.mark.parametrize("value", ["http://exa mple.org/x", "http://", "http://a%zz"])
def test_an_identifier_in_xlsx_too(store: Store, value: str) -> None:
    data = xlsx([["identifiant", "nom", "nature"], [value, "Nom test", "association"]])
    report = import_spreadsheet(store, data, "id.xlsx", source="p", skip_invalid=True)
    assert [(p.row, p.column) for p in report.errors] == [(2, "identifiant"), (None, None)]
    assert report.skipped_rows == [("organisations", 2)] and not report.stored


def test_skip_invalid_keeps_the_good_rows(store: Store) -> None:
    data = (b"identifiant,nom,nature\nhttp://exa mple.org/x,Nom test,association\n"
            b"https://example.org/good,Bon nom,association\n")
    report = import_spreadsheet(store, data, "id.csv", source="p", skip_invalid=True)
    assert report.stored and report.rows_imported == 1
    assert [(p.row, p.column) for p in report.errors] == [(2, "identifiant")]


@pytest.mark.parametrize(("header", "value"), [
    ("nom,nature,site web\nNom test,association,{}\n", "http://a%zz"),
    ("nom,nature,site web\nNom test,association,{}\n", "http://[x"),
    ("nom,nature,site web\nNom test,association,{}\n", "http:///x"),
    ("nom,nature,site web\nNom test,association,{}\n", "http://a#b#c"),
    ("nom,courriel\nJean,{}\n", "a{b@c.d"),
    ("nom,courriel\nJean,{}\n", "a|b@c.d"),
])
@pytest.mark.parametrize("skip", [False, True])
def test_every_cell_that_becomes_an_iri_is_checked(store: Store, header: str, value: str,
                                                   skip: bool) -> None:
    before = quads(store)
    report = import_spreadsheet(store, header.format(csv_cell(value)).encode(), "x.csv",
                                source="p", skip_invalid=skip)
    column = header.split("\n")[0].split(",")[-1]
    assert (2, column, value) in [(p.row, p.column, p.value) for p in report.errors]
    assert quads(store) == before


def test_checked_iri() -> None:
    assert checked_iri("https://example.org/a b".replace(" ", "%20")).endswith("%20b")
    assert checked_iri("mailto:a@b.c") == "mailto:a@b.c"
    for bad in BAD:
        with pytest.raises(ValueProblem):
            checked_iri(bad)


@pytest.mark.parametrize(("given", "stored"), [
    ("https://creativecommons.org/licenses/by/4.0/",
     "https://creativecommons.org/licenses/by/4.0/"),
    ("CC-BY-4.0", "https://spdx.org/licenses/CC-BY-4.0"),
    (" etalab-2.0 ", "https://spdx.org/licenses/etalab-2.0"),
])
def test_a_licence_is_an_iri(given: str, stored: str) -> None:
    assert parse_licence(given) == stored


@pytest.mark.parametrize("given", [
    "javascript:alert(document.domain)", "not a licence <x>", "http://", "urn:x:y",
    "ftp://example.org/licence", "data:text/html,<b>", "CC BY 4.0", "http://exa mple.org/"])
def test_a_licence_that_is_no_http_iri_nor_spdx_id_is_refused(given: str) -> None:
    with pytest.raises(ValueProblem, match="licence"):
        parse_licence(given)


def test_the_import_stores_the_licence_as_an_iri(store: Store) -> None:
    data = ORG.format("org-licence").encode()
    report = import_spreadsheet(store, data, "l.csv", source="p", licence="CC-BY-4.0")
    assert report.stored
    found = list(store.query(f"SELECT ?l WHERE {{ GRAPH ?m {{ ?g <{DCTERMS}license> ?l }} }}"))
    assert ox.NamedNode("https://spdx.org/licenses/CC-BY-4.0") in [r["l"] for r in found]


@pytest.mark.parametrize("licence", ["javascript:alert(document.domain)", "not a licence <x>"])
def test_the_import_refuses_a_licence_that_is_no_iri(store: Store, licence: str) -> None:
    before = quads(store)
    report = import_spreadsheet(store, ORG.format("org-l").encode(), "l.csv", source="p",
                                licence=licence)
    assert not report.stored
    assert any("licence" in p.message for p in report.errors)
    assert quads(store) == before


def test_the_import_refuses_a_source_too_long(store: Store) -> None:
    before = quads(store)
    report = import_spreadsheet(store, ORG.format("org-s").encode(), "s.csv",
                                source="x" * (MAX_SOURCE + 1))
    assert not report.stored
    assert any(f"{MAX_SOURCE:,}" in p.message for p in report.errors)
    assert quads(store) == before
