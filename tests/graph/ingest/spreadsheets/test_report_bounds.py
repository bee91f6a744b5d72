"""A spreadsheet import's report is bounded whatever the file (graph/ingest/spreadsheets/):
a long cell is quoted cut with its length, and of each kind of problem the first ``LISTED``
are listed, then one line says how many more."""

from __future__ import annotations

import json
import tracemalloc

import pytest

from graph.ingest.spreadsheets import import_spreadsheet
from graph.ingest.spreadsheets.importing import LISTED
from graph.ingest.spreadsheets.references import Index, ReferenceProblem
from graph.ingest.spreadsheets.values import SHOWN
from graph.store import Store
from tests.support.stores import load_example, memory_store, quads


@pytest.fixture
def store() -> Store:
    return load_example(memory_store())


def body(store: Store, data: str) -> tuple[int, list[dict[str, object]], list[dict[str, object]]]:
    before = quads(store)
    report = import_spreadsheet(store, data.encode(), "orgs.csv", source="bounds")
    assert quads(store) == before or report.stored
    plain = report.as_dict()
    return len(json.dumps(plain)), plain["errors"], plain["warnings"]


@pytest.mark.parametrize("column", ["kind", "website"])
def test_a_long_cell_is_quoted_cut_with_its_length(store: Store, column: str) -> None:
    cells = {"id": "bounds-1", "name": "Bounds", "kind": "association",
             "website": "https://example.org/", column: "k" * 100_000}
    size, errors, _ = body(store, f"{','.join(cells)}\n{','.join(cells.values())}\n")
    [error] = errors
    assert error["column"] == column
    assert size < 2_000
    assert len(str(error["value"])) < SHOWN + 40
    assert "100,000 characters" in str(error["message"])
    assert "100,000 characters" in str(error["value"])


def test_repeated_formula_warnings_are_listed_up_to_the_bound(store: Store) -> None:
    rows = "".join(f"bounds-{n},Org {n},association,=1+{n}\n" for n in range(LISTED + 150))
    _, errors, warnings = body(store, "id,name,kind,description\n" + rows)
    assert not errors
    formulas = [w for w in warnings if "formula" in str(w["message"])]
    assert len(formulas) == LISTED + 1
    assert "150 more warnings" in str(formulas[-1]["message"])
    assert f"{LISTED + 150:,} in all" in str(formulas[-1]["message"])


def test_unknown_headers_are_listed_up_to_the_bound(store: Store) -> None:
    extra = [f"x{n}" for n in range(3 * LISTED)]
    data = ",".join(["id", "name", "kind", *extra]) + "\nbounds-1,Org,association\n"
    _, _, warnings = body(store, data)
    unknown = [w for w in warnings if "unknown column" in str(w["message"])]
    assert len(unknown) == LISTED + 1
    assert f"{2 * LISTED} more warnings" in str(unknown[-1]["message"])


def test_errors_of_one_kind_are_bounded_too(store: Store) -> None:
    rows = "".join(f"bounds-{n},Org {n},nonsense-{n}\n" for n in range(LISTED + 5))
    _, errors, _ = body(store, "id,name,kind\n" + rows)
    assert len(errors) == LISTED + 1
    assert "5 more errors" in str(errors[-1]["message"])


def test_a_long_unknown_name_costs_memory_in_proportion_to_itself() -> None:
    index = Index()
    index.add("org", "https://example.org/id/org/vecam", ["VECAM"])
    text = "v" * 1_000_000
    tracemalloc.start()
    try:
        with pytest.raises(ReferenceProblem, match="1,000,000 characters"):
            index.resolve(("org",), text)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 10 * len(text)
