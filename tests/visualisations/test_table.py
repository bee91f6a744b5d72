"""The usage table and the data version."""

from __future__ import annotations

from graph.store import Store
from tests.support.graphs import PUBLIC_GRAPH, iri, meta, turtle
from visualisations.table import data_version, load_table


def test_table_rolls_up_and_reads_every_column(tiny: Store) -> None:
    table = load_table(tiny)
    u1 = next(u for u in table.usages if u.iri == iri("usage", "u1"))
    assert (u1.org, u1.tool, u1.software) == (iri("org", "a"), iri("space", "a-list"),
                                              iri("software", "mailman"))
    assert u1.practices == (iri("practice", "announcement"), iri("practice", "internal-discussion"))
    assert (u1.status, u1.observed, u1.start, u1.end) == (
        iri("status", "active"), "2024-03-01", "2020-01-01", None)
    assert u1.waves == (iri("wave", "2024"),)
    assert u1.effects == (iri("effect", "remote-members-included"),)
    assert table.org_departement[iri("org", "a")] == "93"
    assert table.software_categories[iri("software", "loomio")] == (
        iri("tool-category", "decision-making-platform"),)
    assert table.label(iri("org", "a"), "fr") == "Collectif A"
    assert table.label(iri("org", "b"), "fr") == "Syndicat B"  # plain literal
    assert table.top(iri("field", "patients-rights")) == iri("field", "health")
    assert len(table.usages) == 7  # the restricted usage is not read


def test_data_version_follows_imports(tiny: Store) -> None:
    before = data_version(tiny)
    assert data_version(tiny) == before
    described = meta(PUBLIC_GRAPH)
    described[2] = type(described[2])(described[2].subject, described[2].predicate,
                                      type(described[2].object)("2027-01-01T00:00:00Z",
                                                                datatype=described[2].object.datatype))
    tiny.replace_graph(PUBLIC_GRAPH, turtle("id:org/z a <http://www.w3.org/ns/org#Organization> ."),
                       metadata=described)
    assert data_version(tiny) != before
