"""A filled cell under an empty header or past the last header belongs to no column: the
import says so, naming its row and column letter, instead of dropping it silently."""

from __future__ import annotations

import io

import pytest

from graph.ingest.spreadsheets import import_spreadsheet
from graph.store import Store
from tests.support.stores import load_example, memory_store


@pytest.fixture
def store() -> Store:
    return load_example(memory_store())


@pytest.mark.parametrize(("data", "cells"), [
    ("id,name,,kind\nh-1,Org,important note,association\n", {(2, "C", "important note")}),
    ("id,name,kind\nh-1,Org,association,surprise,more\nh-2,Two,association\n",
     {(2, "D", "surprise"), (2, "E", "more")}),
    ("id,name,kind\nh-1,Org,association" + "," * 26 + "far\n",
     {(2, "AC", "far")}),
])
def test_a_cell_without_a_header_is_a_warning_at_its_place(
        store: Store, data: str, cells: set[tuple[int, str, str]]) -> None:
    report = import_spreadsheet(store, data.encode(), "orgs.csv", source="headerless")
    assert report.stored, [str(p) for p in report.problems]
    found = {(p.row, p.column, p.value) for p in report.warnings if "no column header" in p.message}
    assert found == cells


def test_empty_cells_past_the_headers_say_nothing(store: Store) -> None:
    data = "id,name,kind,,\nh-1,Org,association,,\n"
    report = import_spreadsheet(store, data.encode(), "orgs.csv", source="headerless")
    assert report.stored and not report.warnings


def test_a_cell_far_past_the_headers_of_a_workbook_is_a_warning(store: Store) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "organisations"
    sheet.append(["id", "name", "kind"])
    sheet.append(["h-1", "Org", "association"])
    sheet["XFD2"] = "far away"
    out = io.BytesIO()
    book.save(out)
    report = import_spreadsheet(store, out.getvalue(), "orgs.xlsx", source="headerless")
    assert report.stored, [str(p) for p in report.problems]
    assert [(p.row, p.column, p.value) for p in report.warnings] == [(2, "XFD", "far away")]
