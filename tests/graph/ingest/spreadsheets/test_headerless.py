"""A filled cell under an empty header or past the last header belongs to no column: the
import says so, naming its row and column letter, instead of dropping it silently."""

from __future__ import annotations

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
