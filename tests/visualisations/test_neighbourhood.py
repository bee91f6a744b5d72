"""The neighbourhood of a resource, through the usage nodes."""

from __future__ import annotations

from graph.store import Store
from tests.support.graphs import iri
from visualisations.neighbourhood import neighbourhood


def test_an_organisation_sees_its_tools_through_its_usages(tiny: Store) -> None:
    g = neighbourhood(tiny, iri("org", "a"))
    assert g.graph["centre"] == iri("org", "a")
    assert iri("space", "a-list") in g and iri("instance", "framapad") in g
    assert iri("practice", "announcement") in g and iri("field", "patients-rights") in g
    assert not any(d["kind"] == "usage" for _, d in g.nodes(data=True))
    assert iri("status", "active") not in g
    assert g.nodes[iri("org", "a")]["label_fr"] == "Collectif A"


def test_a_software_sees_who_points_at_it(tiny: Store) -> None:
    g = neighbourhood(tiny, iri("software", "mailman"))
    assert {iri("space", "a-list"), iri("tool-category", "mailing-list")} <= set(g)
    assert iri("org", "b") in g and iri("org", "c") in g  # through u3 and u5
    assert iri("org", "secret") not in g  # restricted graph


def test_the_limit_is_respected_and_said(tiny: Store) -> None:
    g = neighbourhood(tiny, iri("org", "a"), limit=3)
    assert len(g) == 3 and g.graph["truncated"] is True
