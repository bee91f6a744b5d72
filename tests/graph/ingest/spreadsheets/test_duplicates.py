"""Duplicate rows of a spreadsheet import (graph/ingest/spreadsheets/clashes.py): two rows are
one observation when their references name the same resources, however they are written."""

from __future__ import annotations

import pytest

from graph.ingest.spreadsheets import import_spreadsheet
from graph.store import Store
from tests.support.stores import load_example, memory_store, quads

VECAM = "https://w3id.org/civicgraph/id/org/vecam"
HEADER = "organisation,tool,practices,status,observed on\n"


@pytest.fixture
def store() -> Store:
    return load_example(memory_store())


@pytest.mark.parametrize(("organisation", "tool", "day"), [
    ("vecam", "Loomio", "2026-03-14"),          # the id
    ("Vecam", "loomio", "14/03/2026"),          # the name, another case, a French date
    (VECAM, "Loomio", "2026-03-14"),            # the IRI
    (VECAM, "https://w3id.org/civicgraph/id/software/loomio", "14/03/2026"),
])
def test_a_usage_written_with_other_references_is_a_duplicate(
        store: Store, organisation: str, tool: str, day: str) -> None:
    before = quads(store)
    data = (HEADER + "VECAM,Loomio,voting,active,2026-03-14\n"
            f"{organisation},{tool},voting,active,{day}\n")
    report = import_spreadsheet(store, data.encode(), "usages.csv", source="duplicates")
    [error] = report.errors
    assert error.row == 3
    assert "duplicate: same organisation, tool and observation date as row 2" in error.message
    assert quads(store) == before


def test_usages_of_one_organisation_on_other_days_are_not_duplicates(store: Store) -> None:
    data = (HEADER + f"{VECAM},Loomio,voting,active,2026-03-14\n"
            f"{VECAM},Loomio,voting,active,2026-03-15\n")
    report = import_spreadsheet(store, data.encode(), "usages.csv", source="duplicates")
    assert report.stored, [str(p) for p in report.problems]


def test_two_usages_whose_cells_make_one_iri_are_refused_by_name(store: Store) -> None:
    """Written as IRIs, two organisations share the 24 characters of a minted usage IRI."""
    data = (HEADER + "https://w3id.org/civicgraph/id/org/aitec,Loomio,voting,active,2026-03-14\n"
            f"{VECAM},Loomio,voting,active,2026-03-14\n")
    report = import_spreadsheet(store, data.encode(), "usages.csv", source="duplicates")
    [error] = report.errors
    assert (error.row, error.column) == (3, "id")
    assert "makes the same IRI" in error.message and "row 2" in error.message
