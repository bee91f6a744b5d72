"""What an import reads from the store to resolve references: only the kinds of resource
its sheets may name (at 10^6 triples, reading the 85,000 usages for a sheet of usages took
most of an import's 14-33 s)."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.ingest.report import ImportReport
from graph.ingest.spreadsheets import import_spreadsheet
from graph.ingest.spreadsheets.importing import _sheets, kinds_named
from graph.ingest.spreadsheets.references import Index, index_store
from graph.namespaces import ID
from graph.store import Store
from tests.support.stores import load_example, memory_store

FILES = Path(__file__).parent / "spreadsheets"
USAGE = ID + "usage/precaires-93-instance-framapad-2025"
ORGANISATION = ID + "org/precaires-93"
TOOLS = {"software", "instance", "space"}


@pytest.fixture(scope="module")
def example() -> Store:
    return load_example(memory_store())


def named(data: bytes, filename: str) -> set[str]:
    sheets = _sheets(data, filename, None, ImportReport(source="s", filename=filename))
    assert sheets is not None
    return kinds_named(sheets)


@pytest.mark.parametrize(("name", "expected"), [
    ("usages_fr.csv", {"org"} | TOOLS),
    ("survey_workbook.xlsx", {"org", "person"} | TOOLS),
])
def test_the_kinds_a_file_names(name: str, expected: set[str]) -> None:
    assert named((FILES / name).read_bytes(), name) == expected


def test_an_effect_sheet_names_usages() -> None:
    sheet = b"effect,usage,observed on\nskills-developed,some-usage,2025-01-01\n"
    assert "usage" in named(sheet, "effects.csv")


def test_the_index_holds_only_the_kinds_asked_for(example: Store) -> None:
    some, every = Index(), Index()
    index_store(some, example, {"org"})
    index_store(every, example)
    assert some.known(ORGANISATION) and every.known(ORGANISATION)
    assert every.known(USAGE) and not some.known(USAGE)
    nothing = Index()
    index_store(nothing, example, set())
    assert not nothing.known(ORGANISATION)


def test_an_effect_on_a_stored_usage_still_resolves() -> None:
    store = load_example(memory_store())
    sheet = f"effect,usage,observed on\nskills-developed,{USAGE},2025-01-01\n".encode()
    report = import_spreadsheet(store, sheet, "effects.csv", source="lookups")
    assert report.stored, [str(p) for p in report.problems]
    found = store.query(f"ASK {{ ?o <https://w3id.org/civicgraph/ns#onUsage> <{USAGE}> ; "
                        f"<https://w3id.org/civicgraph/ns#effect> "
                        f"<{ID}effect/skills-developed> }}")
    assert bool(found)
