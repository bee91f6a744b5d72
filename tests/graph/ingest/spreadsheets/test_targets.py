"""Where an import goes (graph/ingest/spreadsheets/targets.py): the same source always lands in
the same graphs, and each import replaces what it said before."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

import pytest

from graph.ingest import writing
from graph.ingest.spreadsheets import import_spreadsheet, importing
from graph.ingest.spreadsheets.targets import Target, target_in
from graph.ingest.spreadsheets.values import digest, slugify
from graph.namespaces import DCTERMS, META_GRAPH, ORG, RDF
from graph.privacy.access import RESTRICTED_META_GRAPH
from graph.store import Store
from tests.support.stores import load_example, memory_store, quads

BASE = "https://w3id.org/civicgraph/"


def orgs(n: int) -> bytes:
    return f"id,name,kind\nsource-test-{n},Organisation {n},association\n".encode()


def where(store: Store, n: int) -> set[str]:
    """The graphs that say organisation ``n`` is one."""
    return {q[0] for q in quads(store) if q[1] == f"<{BASE}id/org/source-test-{n}>"
            and q[2] == f"<{RDF}type>" and q[3] == f"<{ORG}Organization>"}


def recorded(store: Store, graph: str) -> set[str]:
    """The ``dcterms:source`` the meta graphs record for ``graph``."""
    return {q[3] for q in quads(store) if q[0] in (f"<{META_GRAPH}>", f"<{RESTRICTED_META_GRAPH}>")
            and q[1] == f"<{graph}>" and q[2] == f"<{DCTERMS}source>"}


@contextmanager
def landing(slug: str) -> Iterator[None]:
    """Imports into ``slug``, whatever their source (as a rule before this one did)."""
    with mock.patch.object(importing, "target_in",
                           lambda store, source, base: Target.for_slug(slug, base)):
        yield


@contextmanager
def before_the_rule() -> Iterator[None]:
    """Imports as before 9ec55f7: every source at its bare slug."""
    with mock.patch.object(importing, "target_in",
                           lambda store, source, base: Target.for_slug(slugify(source), base)):
        yield


LONG = "survey of digital tools used by civic associations 2026"


def test_a_long_source_keeps_its_digest_graph_when_its_bare_slug_frees() -> None:
    """A digest form past 60 characters is the source's own: once the graph of the slug it
    shares is dropped, its corrected file still replaces its first one."""
    legacy = "Survey of digital tools used by civic associations, 2026!"
    assert slugify(LONG) == slugify(legacy) == LONG.replace(" ", "-")
    store = load_example(memory_store())
    with before_the_rule():
        assert import_spreadsheet(store, orgs(1), "t.csv", source=legacy).stored
    first = import_spreadsheet(store, orgs(2), "s.csv", source=LONG)
    (graph,) = first.graphs
    assert graph.endswith("-4fa6f627dc88") and len(graph.rsplit("/", 1)[1]) > 60
    writing.drop(store, Target.for_slug(slugify(legacy), BASE).public, who="test")
    corrected = import_spreadsheet(store, orgs(3), "s.csv", source=LONG)
    assert list(corrected.graphs) == [graph]
    assert where(store, 2) == set()
    assert where(store, 3) == {f"<{graph}>"}


def test_a_source_found_in_two_graphs_keeps_one_at_its_next_import() -> None:
    """A store where the source moved (as the defect above did) holds its imports in two
    graphs: the next import keeps the rule's, empties and drops the other, and warns."""
    store = load_example(memory_store())
    bare, digested = slugify(LONG), f"{slugify(LONG)}-{digest(LONG)}"
    for n, slug in ((1, digested), (2, bare)):
        with landing(slug):
            assert import_spreadsheet(store, orgs(n), "s.csv", source=LONG).stored
    stale = Target.for_slug(digested, BASE).public
    target = target_in(store, LONG, BASE)
    assert target.public == Target.for_source(LONG, BASE).public == f"{BASE}graph/contrib/{bare}"
    assert target.stale == ((stale, "public"),)
    # the same bytes again are no "unchanged" while an earlier import is left
    again = import_spreadsheet(store, orgs(2), "s.csv", source=LONG)
    assert again.stored and not again.unchanged and list(again.graphs) == [target.public]
    assert any("earlier import of this source" in p.message for p in again.warnings)
    assert where(store, 1) == set() and where(store, 2) == {f"<{target.public}>"}
    assert stale not in store.graphs() and not recorded(store, stale)
    assert target_in(store, LONG, BASE) == Target.for_source(LONG, BASE)


@pytest.mark.parametrize(("one", "two"), [
    ("survey 2026 7d03a1e7df4b", "Survey 2026!"),   # the first reads as the second's graph
    ("h 0123456789ab", "!!!"),
])
def test_no_two_sources_get_one_graph_by_the_rule(one: str, two: str) -> None:
    assert Target.for_source(one, BASE) != Target.for_source(two, BASE)
    store = load_example(memory_store())
    for n, source in enumerate((one, two, one, two)):
        assert import_spreadsheet(store, orgs(n), "a.csv", source=source).stored
    assert where(store, 2) == {f"<{Target.for_source(one, BASE).public}>"}
    assert where(store, 3) == {f"<{Target.for_source(two, BASE).public}>"}
