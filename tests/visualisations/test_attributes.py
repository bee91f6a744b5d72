"""Colouring attributes: every organisation and software has its own value."""

from __future__ import annotations

import pytest

from visualisations.attributes import ATTRIBUTES, attributes
from visualisations.table import Usage, UsageTable

ID = "https://w3id.org/civicgraph/id/"


def table() -> UsageTable:
    return UsageTable(
        usages=[Usage("u1", "o1", "s1", "s1", status="active", waves=("w/2024",)),
                Usage("u2", "o2", "s1", "s1", status="abandoned", waves=("w/2025",)),
                Usage("u3", "o2", "s2", "s2", status="abandoned", waves=("w/2025",)),
                Usage("u4", "o3", "s2", "s2", status="trial", waves=("w/2024",))],
        org_fields={"o1": ("health",), "o2": ("housing",), "o3": ("housing",)},
        org_kinds={"o1": ("union",), "o2": ("association",)},
        software_categories={"s1": ("pad",), "s2": ("list",)},
        software_free={"s1": True, "s2": False})


@pytest.mark.parametrize(("node", "attribute", "expected"), [
    ("s1", "field", "health"),          # tie health/housing: by IRI
    ("s2", "field", "housing"),         # both users work on housing
    ("s1", "free", "free"), ("s2", "free", "proprietary"),
    ("o2", "free", "free"),             # tie: "free" sorts first
    ("o3", "free", "proprietary"),
    ("o3", "category", "list"), ("s1", "category", "pad"),
    ("o2", "status", "abandoned"), ("s2", "status", "abandoned"),
    ("s1", "wave", "w/2024"),           # the first wave it was observed in
    ("o2", "wave", "w/2025"),
    ("o1", "kind", "union"), ("s1", "kind", "association"),
])
def test_each_node_has_its_own_value(node: str, attribute: str, expected: str) -> None:
    assert attributes(table()).value(node, attribute) == expected


def test_unknown_values_are_absent() -> None:
    a = attributes(table())
    assert a.value("o3", "kind") is None and set(a.values) == set(ATTRIBUTES)
