"""Where an import goes (graph/ingest/spreadsheets/targets.py): the same source, however it is
typed, always lands in the same graphs, and each import replaces what it said before."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.ingest import writing
from graph.ingest.spreadsheets import import_spreadsheet, importing, targets
from graph.ingest.spreadsheets.targets import Target, target_in
from graph.ingest.spreadsheets.values import digest, normal_source, parse_source, slugify
from graph.namespaces import DCTERMS, META_GRAPH, ORG, RDF
from graph.privacy.access import RESTRICTED_META_GRAPH
from graph.store import Store
from tests.support.stores import load_example, memory_store, quads

BASE = "https://w3id.org/civicgraph/"
CONTRIB = f"<{BASE}graph/contrib/"


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
    """Imports as before 9ec55f7: every source at its bare slug, recorded as typed."""
    with mock.patch.object(importing, "target_in",
                           lambda store, source, base: Target.for_slug(slugify(source), base)), \
            mock.patch.object(importing, "parse_source", lambda source: source):
        yield


@contextmanager
def before_normalising() -> Iterator[None]:
    """Imports as after 9ec55f7: the rule, on the source as typed, recorded as typed."""
    with mock.patch.object(targets, "normal_source", lambda source: source), \
            mock.patch.object(importing, "parse_source", lambda source: source):
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


# -- one source, however typed -----------------------------------------------------------------

NFD = unicodedata.normalize("NFD", "enquête 2026")


@pytest.mark.parametrize(("first", "second"), [
    ("enquête 2026", NFD), (NFD, "enquête 2026"), ("survey 2026", "survey 2026 "),
    ("survey 2026", " survey 2026"), ("survey 2026", "survey  2026"),
    ("survey 2026", "survey\u00a02026"), ("Survey 2026!", " Survey  2026! "),
    ("survey of digital tools used by civic associations 2026 — wave 1",
     "survey of digital tools used by civic  associations 2026 — wave 1\u2003"),
])
def test_one_source_typed_two_ways_is_one_source(first: str, second: str) -> None:
    store = load_example(memory_store())
    one = import_spreadsheet(store, orgs(1), "a.csv", source=first)
    two = import_spreadsheet(store, orgs(2), "a.csv", source=second)
    assert one.stored and two.stored
    assert list(one.graphs) == list(two.graphs)
    (graph,) = two.graphs
    assert where(store, 1) == set()
    assert where(store, 2) == {f"<{graph}>"}
    # what the meta graph and the report record is the normalised text
    assert recorded(store, graph) == {f'"{normal_source(second)}"'}
    assert one.source == two.source == normal_source(first)
    assert target_in(store, second, BASE) == target_in(store, first, BASE)


@pytest.mark.parametrize(("typed", "source"), [
    (NFD, "enquête 2026"), ("  survey \u2009 2026\u3000", "survey 2026"),
    ("survey 2026", "survey 2026"), ("\u0958", "\u0915\u093c"),
])
def test_a_source_is_normalised(typed: str, source: str) -> None:
    assert parse_source(typed) == normal_source(typed) == source


def test_graphs_a_source_had_typed_two_ways_become_one_at_its_next_import() -> None:
    """A store written before sources were normalised holds "survey 2026" and "survey 2026 "
    apart: the next import of either keeps one pair of graphs and drops the other's."""
    store = load_example(memory_store())
    with before_normalising():
        bare = import_spreadsheet(store, orgs(1), "a.csv", source="survey 2026")
        spaced = import_spreadsheet(store, orgs(2), "a.csv", source="survey 2026 ")
    assert list(bare.graphs) != list(spaced.graphs)
    target = target_in(store, " survey 2026", BASE)
    assert target.public == Target.for_source("survey 2026", BASE).public
    assert target.stale == ((next(iter(spaced.graphs)), "public"),)
    # an import of bytes already stored is no "unchanged" while an earlier one is left
    again = import_spreadsheet(store, orgs(1), "a.csv", source=" survey 2026")
    assert again.stored and not again.unchanged
    assert list(again.graphs) == list(bare.graphs)
    assert any("earlier import of this source" in p.message for p in again.warnings)
    assert where(store, 1) == {f"<{target.public}>"} and where(store, 2) == set()
    assert not recorded(store, next(iter(spaced.graphs)))
    assert target_in(store, "survey 2026", BASE).stale == ()


def test_a_graph_named_after_the_source_as_typed_stays_its_graph() -> None:
    """Before sources were normalised "survey  survey" got the digest of that text: the source
    keeps that graph at its next imports (once it records "survey survey", too)."""
    store = load_example(memory_store())
    with before_normalising():
        (graph,) = import_spreadsheet(store, orgs(1), "a.csv", source="survey  survey").graphs
    assert graph != Target.for_source("survey survey", BASE).public
    for n in (2, 3):
        report = import_spreadsheet(store, orgs(n), "a.csv", source="survey survey")
        assert list(report.graphs) == [graph]
        assert where(store, n - 1) == set() and where(store, n) == {f"<{graph}>"}
    assert target_in(store, "survey survey", BASE) == Target.for_slug(
        graph.rsplit("/", 1)[1], BASE)


def test_a_restricted_graph_of_the_source_typed_otherwise_goes_too() -> None:
    store = load_example(memory_store())
    members = "identifiant,nom,courriel\nm-{n},Léa Fictive {n},lea{n}@example.org\n"
    with before_normalising():
        kept, dropped = (import_spreadsheet(store, members.format(n=n).encode(), "m.csv",
                                            source=source).graphs
                         for n, source in ((1, "membres 2026"), (2, "membres 2026 ")))
    assert kept.keys() != dropped.keys()
    report = import_spreadsheet(store, members.format(n=3).encode(), "m.csv",
                                source="membres  2026")
    assert report.stored and report.graphs.keys() == kept.keys()
    (restricted,) = dropped
    assert restricted not in store.graphs() and not recorded(store, restricted)
    persons = {q[1] for q in quads(store) if q[1].startswith(f"<{BASE}id/person/m-")}
    assert persons == {f"<{BASE}id/person/m-3>"}


# -- the property ------------------------------------------------------------------------------

WORDS = ["survey", "Survey", "enquête", NFD.split()[0], "2026", "7d03a1e7df4b", "h", "!!",
         "of digital tools used by civic associations in france and belgium"]
SEPARATORS = [" ", "  ", "-", ", ", "!", "\u00a0", " \u2009"]
sources = st.builds(
    lambda words, seps: "".join(w + s for w, s in zip(words, seps, strict=False)).strip() or "x",
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=3),
    st.lists(st.sampled_from(SEPARATORS), min_size=3, max_size=3))


def variants(source: str) -> st.SearchStrategy[str]:
    """``source`` as someone may type it again."""
    return st.builds(
        lambda form, before, after, doubled: before + unicodedata.normalize(
            form, source.replace(" ", doubled)) + after,
        st.sampled_from(["NFC", "NFD"]), st.sampled_from(["", " ", "\u00a0"]),
        st.sampled_from(["", " ", "\u3000"]), st.sampled_from([" ", "  ", " \u2009"]))


steps = st.lists(st.tuples(st.sampled_from(["import", "import", "before the rule",
                                            "before normalising", "drop"]), sources),
                 min_size=1, max_size=7)


def held(store: Store) -> dict[str, set[str]]:
    """Each graph under contrib/ (public or restricted) and its quads."""
    found: dict[str, set[str]] = {}
    for q in quads(store):
        if q[0].startswith((CONTRIB, f"<{BASE}graph/restricted/contrib/")):
            found.setdefault(q[0], set()).add(" ".join(q[1:]))
    return found


def of_source(store: Store, source: str) -> set[str]:
    """The graphs holding data whose recorded source is ``source`` once normalised."""
    return {g for g in held(store) if any(normal_source(r.strip('"')) == source
                                          for r in recorded(store, g[1:-1]))}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps, st.data())
def test_an_import_replaces_all_its_source_said_and_nothing_else(
        steps: list[tuple[str, str]], data: st.DataObject) -> None:
    """After any imports of other sources (by the rule, by the rules before it), drops of
    graphs, an import of a source under any of its spellings lands where its data is (if it
    has any), holds its file, leaves nothing of its earlier imports and changes no graph of
    another source."""
    store = memory_store()
    said: dict[str, list[int]] = {}   # source: the organisations its imports named
    for n, (step, source) in enumerate(steps):
        normal = normal_source(source)
        if step == "drop":
            graphs = sorted(held(store))
            if graphs:
                writing.drop(store, data.draw(st.sampled_from(graphs))[1:-1], who="test")
            continue
        if step != "import":
            typed = data.draw(variants(source))
            with before_the_rule() if step == "before the rule" else before_normalising():
                assert import_spreadsheet(store, orgs(n), "a.csv", source=typed).stored
            said.setdefault(normal, []).append(n)
            continue
        before, own = held(store), of_source(store, normal)
        typed = data.draw(variants(source))
        report = import_spreadsheet(store, orgs(n), "a.csv", source=typed)
        assert report.stored, report.problems
        (graph,) = (f"<{g}>" for g in report.graphs)
        assert not own or graph in own   # a source with data never moves
        assert where(store, n) == {graph}
        assert all(where(store, m) == set() for m in said.get(normal, []))
        assert recorded(store, graph[1:-1]) == {f'"{normal}"'}
        after = held(store)
        assert {g: q for g, q in after.items() if g != graph} == {
            g: q for g, q in before.items() if g != graph and g not in own}
        said.setdefault(normal, []).append(n)
        again = target_in(store, typed, BASE)
        assert again.public == graph[1:-1] and again.stale == ()
