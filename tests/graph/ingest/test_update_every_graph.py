"""SPARQL 1.1 Update's ``CLEAR``/``DROP`` ``ALL`` and ``NAMED`` (which the W3C tests run)
empty the meta graphs with the rest; every graph described before is described anew in the
same write, its access level kept (``graph.ingest.writing.apply_update``)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from graph.ingest.writing import apply_update, replace
from graph.namespaces import META_GRAPH, RESTRICTED_PREFIX, VOID, graph_iri
from graph.privacy.access import RESTRICTED_META_GRAPH, described_in
from graph.store.base import DEFAULT_GRAPH
from tests.support.stores import memory_store

PUBLIC = graph_iri("every/public")
HIDDEN = RESTRICTED_PREFIX + "every"
T = ox.Triple(ox.NamedNode("urn:e:a"), ox.NamedNode("urn:e:p"), ox.Literal("1"))


def _size(store: object, graph: str) -> set[str]:
    rows = store.query(  # type: ignore[attr-defined]
        f"SELECT ?n WHERE {{ GRAPH ?m {{ <{graph}> <{VOID}triples> ?n }} }}",
        default_graph=[], named_graphs=[META_GRAPH, RESTRICTED_META_GRAPH])
    return {row["n"].value for row in rows}


@pytest.mark.parametrize("update", ["CLEAR ALL", "DROP ALL", "CLEAR NAMED", "DROP NAMED"])
def test_an_update_of_every_graph_leaves_each_graph_described_at_its_level(update: str) -> None:
    store = memory_store()
    replace(store, {PUBLIC: [T], HIDDEN: [T], DEFAULT_GRAPH: [T]}, None, source="test",
            validate=False)
    assert HIDDEN in described_in(store, RESTRICTED_META_GRAPH)
    apply_update(store, update, who="test")
    assert HIDDEN in described_in(store, RESTRICTED_META_GRAPH)   # still restricted
    assert HIDDEN not in described_in(store, META_GRAPH)
    assert PUBLIC in described_in(store, META_GRAPH)
    assert _size(store, HIDDEN) == {"0"} and _size(store, PUBLIC) == {"0"}
    # the default graph: emptied by ALL, left as it was by NAMED, described so
    assert _size(store, DEFAULT_GRAPH) == ({"1"} if "NAMED" in update else {"0"})


def test_clearing_a_meta_graph_by_name_is_still_refused() -> None:
    from graph.errors import InputError

    store = memory_store()
    replace(store, {PUBLIC: [T]}, None, source="test", validate=False)
    with pytest.raises(InputError, match="maintained by civicgraph"):
        apply_update(store, f"CLEAR GRAPH <{META_GRAPH}>", who="test")
    assert PUBLIC in described_in(store, META_GRAPH)


def test_an_update_of_every_graph_with_a_random_value_is_written_as_checked() -> None:
    """``CLEAR ALL`` with ``RAND()`` after it: the checked run's changes are written
    (``graph.ingest.nondeterministic``), the meta graphs emptied and every graph described
    anew at its level, the graph it fills with its size."""
    store = memory_store()
    replace(store, {PUBLIC: [T], HIDDEN: [T]}, None, source="test", validate=False)
    apply_update(store, f"CLEAR ALL ; INSERT {{ GRAPH <{PUBLIC}> {{ <urn:e:a> <urn:e:r> ?r }} }} "
                        "WHERE { BIND(RAND() AS ?r) }", who="test")
    assert HIDDEN in described_in(store, RESTRICTED_META_GRAPH)
    assert HIDDEN not in described_in(store, META_GRAPH)
    assert _size(store, HIDDEN) == {"0"} and _size(store, PUBLIC) == {"1"}
    assert store.count(HIDDEN) == 0 and store.count(PUBLIC) == 1


def test_a_meta_graph_cleared_by_an_update_with_a_base_is_still_refused() -> None:
    """An update with a ``BASE`` is read over every graph (its relative IRIs are not known
    before it runs): that is no ``CLEAR ALL``, and a meta graph it empties is refused."""
    from graph.errors import InputError

    store = memory_store()
    replace(store, {PUBLIC: [T]}, None, source="test", validate=False)
    with pytest.raises(InputError, match="maintained by civicgraph"):
        apply_update(store, f"BASE <{PUBLIC}> CLEAR GRAPH <{META_GRAPH}>", who="test")
    assert PUBLIC in described_in(store, META_GRAPH)
