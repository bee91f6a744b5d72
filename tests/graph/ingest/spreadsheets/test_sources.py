"""The ``source`` of a spreadsheet import (graph/ingest/spreadsheets/): one line of text, and
one source is one pair of named graphs, never shared with another source."""

from __future__ import annotations

import pytest

from graph.ingest.spreadsheets import import_spreadsheet, importing
from graph.ingest.spreadsheets.targets import Target, target_in
from graph.ingest.spreadsheets.values import ValueProblem, parse_source, slugify
from graph.namespaces import DCTERMS, ORG, RDF
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


BASE = "https://w3id.org/civicgraph/"
LONG = "Enquête nationale sur les outils numériques des associations citoyennes 2026 — vague"
CLASHING = [(f"{LONG} 1", f"{LONG} 2"), ("Опрос 2026", "调查 2026"),
            ("Survey 2026!", "survey-2026"), ("survey 2026", "Survey 2026"),
            ("enquête 2026", "enquete 2026"), ("Survey 2026!", "survey 2026 7d03a1e7df4b")]


def holds(store: Store, graph: str, org: str) -> bool:
    return (f"<{graph}>", f"<{BASE}id/org/{org}>", f"<{RDF}type>", f"<{ORG}Organization>") in (
        quads(store))


def meta_source(store: Store, graph: str) -> set[str]:
    return {q[3] for q in quads(store) if q[1] == f"<{graph}>" and q[2] == f"<{DCTERMS}source>"}


@pytest.mark.parametrize(("first", "second"), CLASHING)
def test_distinct_sources_never_share_a_graph(example: Store, first: str, second: str) -> None:
    one, two = (target_in(example, s, BASE) for s in (first, second))
    assert len({one.public, one.restricted, two.public, two.restricted}) == 4
    assert one.activity != two.activity
    assert import_spreadsheet(example, orgs(1), "a.csv", source=first).stored
    assert import_spreadsheet(example, orgs(2), "b.csv", source=second).stored
    assert holds(example, one.public, "source-test-1")
    assert holds(example, two.public, "source-test-2")
    assert meta_source(example, one.public) == {f'"{first}"'}
    assert meta_source(example, two.public) == {f'"{second}"'}
    # and a corrected file of the first source replaces only what the first source said
    assert import_spreadsheet(example, orgs(3), "a.csv", source=first).stored
    assert not holds(example, one.public, "source-test-1")
    assert holds(example, one.public, "source-test-3")
    assert holds(example, two.public, "source-test-2")


@pytest.mark.parametrize("source", ["survey 2026 wave 2", "p", "big", "http survey"])
def test_a_source_that_reads_as_its_slug_keeps_its_graph(source: str) -> None:
    slug = source.replace(" ", "-")
    assert Target.for_source(source, BASE) == Target(
        f"{BASE}graph/contrib/{slug}", f"{BASE}graph/restricted/contrib/{slug}",
        f"{BASE}id/activity/{slug}")


@pytest.mark.parametrize("source", [f"{LONG} 1", "Опрос 2026", "Survey 2026!", "p"])
def test_a_source_lands_in_the_same_graph_every_time(example: Store, source: str) -> None:
    before = target_in(example, source, BASE)
    assert before == Target.for_source(source, BASE)
    assert import_spreadsheet(example, orgs(1), "a.csv", source=source).stored
    assert target_in(example, source, BASE) == before
    assert target_in(memory_store(), source, BASE) == before


def test_a_graph_filled_under_the_old_rule_stays_its_sources(
        example: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """Before this rule every source took its bare slug: "Survey 2026!" filled
    …/contrib/survey-2026, the graph the rule now gives "survey 2026"."""
    old = Target.for_slug(slugify("Survey 2026!"), BASE)
    with monkeypatch.context() as patched:
        patched.setattr(importing, "target_in",
                        lambda store, source, base: Target.for_slug(slugify(source), base))
        assert import_spreadsheet(example, orgs(1), "a.csv", source="Survey 2026!").stored
    assert holds(example, old.public, "source-test-1")
    # its own source still replaces it
    assert target_in(example, "Survey 2026!", BASE) == old
    # the source the rule gives that graph to goes beside it, and deletes nothing
    beside = target_in(example, "survey 2026", BASE)
    assert beside.public not in (old.public, Target.for_source("Survey 2026!", BASE).public)
    assert import_spreadsheet(example, orgs(2), "b.csv", source="survey 2026").stored
    assert holds(example, old.public, "source-test-1")
    assert holds(example, beside.public, "source-test-2")
