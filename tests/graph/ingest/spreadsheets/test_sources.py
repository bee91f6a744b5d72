"""The ``source`` of a spreadsheet import (graph/ingest/spreadsheets/): one line of text, and
one source is one pair of named graphs, never shared with another source."""

from __future__ import annotations

import pytest

from graph.ingest.spreadsheets import import_spreadsheet
from graph.ingest.spreadsheets.values import ValueProblem, parse_source
from graph.store import Store
from tests.support.stores import load_example, memory_store, quads

ORGS = "id,name,kind\n{},Organisation {},association\n"


@pytest.fixture
def example() -> Store:
    return load_example(memory_store())


def orgs(n: int) -> bytes:
    return ORGS.format(f"source-test-{n}", n).encode()


@pytest.mark.parametrize("source", ["survey\r2026", "survey\n2026", "survey\t2026",
                                    "survey 2026\x00", "survey\x1b[31m", "survey\x85"])
def test_a_source_with_a_control_character_is_refused_naming_it(example: Store,
                                                                 source: str) -> None:
    with pytest.raises(ValueProblem, match="source holds a control character"):
        parse_source(source)
    before = quads(example)
    report = import_spreadsheet(example, orgs(1), "orgs.csv", source=source)
    assert not report.stored
    assert any("source" in p.message for p in report.errors)
    assert quads(example) == before


@pytest.mark.parametrize("source", ['say "hi" \\ 2026', "enquête 'été' — vague 1"])
def test_the_same_bytes_twice_under_an_awkward_source_change_nothing(store: Store,
                                                                     source: str) -> None:
    """On every backend: the source is bound as a term in the check for an unchanged import."""
    assert import_spreadsheet(store, orgs(1), "orgs.csv", source=source).stored
    state = quads(store)
    again = import_spreadsheet(store, orgs(1), "orgs.csv", source=source)
    assert again.unchanged and quads(store) == state
