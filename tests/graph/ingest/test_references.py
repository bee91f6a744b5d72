"""Spreadsheet references to tools: a name that labels one tool names it; a path
(``software/framadate``) names its resource; an unknown or ambiguous name gets the three
closest candidates."""

from __future__ import annotations

import pytest

from graph.ingest.spreadsheets.references import Index, ReferenceProblem, index_store
from tests.support.stores import example_store

TOOLS = ("software", "instance", "space")
ID = "https://w3id.org/civicgraph/id/"


@pytest.fixture(scope="module")
def index() -> Index:
    built = Index()
    index_store(built, example_store())
    return built


@pytest.mark.parametrize(("text", "expected"), [
    ("Framadate", "software/framadate"), ("FRAMADATE", "software/framadate"),
    ("software/framadate", "software/framadate"), ("instance/framadate", "instance/framadate"),
    ("Framadate (service)", "instance/framadate"), ("loomio", "software/loomio"),
    ("Équipe Mattermost inter-associations", "space/equipe-inter-assos"),
    ("equipe mattermost inter associations", "space/equipe-inter-assos"),
])
def test_a_name_or_path_of_one_tool_is_accepted(index: Index, text: str, expected: str) -> None:
    assert index.resolve(TOOLS, text) == ID + expected


def test_an_unknown_name_gets_the_closest_candidates(index: Index) -> None:
    with pytest.raises(ReferenceProblem) as caught:
        index.resolve(TOOLS, "Loomo")
    assert "unknown tool 'Loomo'; closest: 'loomio'" in str(caught.value)
    assert f"<{ID}software/loomio>" in str(caught.value)
    with pytest.raises(ReferenceProblem) as far:
        index.resolve(TOOLS, "qqqqqqqq")
    assert "closest" not in str(far.value)


def test_an_ambiguous_name_lists_three_candidates() -> None:
    index = Index()
    for n in range(4):
        index.add("software", f"{ID}software/pad-{n}", ["Pad"])
    with pytest.raises(ReferenceProblem) as caught:
        index.resolve(TOOLS, "pad")
    message = str(caught.value)
    assert message.startswith("'pad' matches several tools; closest: ")
    assert message.count("<https://") == 3 and "write the identifier" in message
