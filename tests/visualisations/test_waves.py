"""Wave comparisons: kept, adopted, abandoned and switched tools, and their diagram."""

from __future__ import annotations

import pytest

from graph.errors import ParameterError
from visualisations.filters import Filters
from visualisations.sankey import sankey_svg
from visualisations.table import Usage, UsageTable
from visualisations.waves import compare, default_pair, wave_iri

BASE = "https://w3id.org/civicgraph/"
W1, W2 = BASE + "id/wave/2024", BASE + "id/wave/2025"
ABANDONED = BASE + "id/status/abandoned"


def usage(n: int, org: str, tool: str, practices: tuple[str, ...], wave: str,
          status: str | None = None) -> Usage:
    return Usage(f"u{n}", org, tool, tool, practices, status=status, waves=(wave,))


def table(*usages: Usage) -> UsageTable:
    return UsageTable(usages=list(usages), labels={"<b>": {"en": "<b>bold</b>"}})


@pytest.mark.parametrize(("usages", "expected"), [
    # same tool both times: kept
    ([usage(1, "o", "loomio", ("vote",), W1), usage(2, "o", "loomio", ("vote",), W2)],
     [("kept", "loomio", "loomio")]),
    # a tool for the same practice replaces another: a switch
    ([usage(1, "o", "doodle", ("poll",), W1), usage(2, "o", "framadate", ("poll",), W2)],
     [("switched", "doodle", "framadate")]),
    # no practice in common: an abandonment and an adoption
    ([usage(1, "o", "doodle", ("poll",), W1), usage(2, "o", "wiki", ("docs",), W2)],
     [("adopted", None, "wiki"), ("abandoned", "doodle", None)]),
    # observed again as abandoned in the second wave: abandoned
    ([usage(1, "o", "zoom", ("meet",), W1), usage(2, "o", "zoom", ("meet",), W2, ABANDONED)],
     [("abandoned", "zoom", None)]),
    # each tool in one switch at most, the pair sharing most practices first
    ([usage(1, "o", "zoom", ("meet", "chat"), W1),
      usage(2, "o", "jitsi", ("meet",), W2), usage(3, "o", "matrix", ("meet", "chat"), W2)],
     [("switched", "zoom", "matrix"), ("adopted", None, "jitsi")]),
    # an organisation observed in one wave only is not compared
    ([usage(1, "o", "zoom", ("meet",), W1), usage(2, "p", "jitsi", ("meet",), W2)], []),
])
def test_changes(usages: list[Usage], expected: list[tuple[str, str | None, str | None]]
                 ) -> None:
    found = compare(table(*usages), W1, W2)
    assert [(f.change, f.source, f.target) for f in found.flows] == expected


def test_flows_group_organisations_and_count_them() -> None:
    t = table(usage(1, "o", "doodle", ("poll",), W1), usage(2, "o", "framadate", ("poll",), W2),
              usage(3, "p", "doodle", ("poll",), W1), usage(4, "p", "framadate", ("poll",), W2),
              usage(5, "q", "doodle", ("poll",), W1))
    found = compare(t, W1, W2)
    assert [(f.change, f.organisations) for f in found.flows] == [("switched", ("o", "p"))]
    assert (found.compared, found.only_first, found.total("switched")) == (2, 1, 2)


def test_a_practice_filter_keeps_its_usages_only() -> None:
    t = table(usage(1, "o", "doodle", ("poll",), W1), usage(2, "o", "framadate", ("poll",), W2),
              usage(3, "o", "zoom", ("meet",), W1))
    poll = Filters(practices=("poll",))
    assert [f.change for f in compare(t, W1, W2, poll).flows] == ["switched"]


@pytest.mark.parametrize(("first", "second", "parameter"), [
    (W1, W1, "wave2"), (BASE + "id/wave/1999", W2, "wave1")])
def test_bad_waves_are_refused(first: str, second: str, parameter: str) -> None:
    t = table(usage(1, "o", "a", (), W1), usage(2, "o", "a", (), W2))
    with pytest.raises(ParameterError) as caught:
        compare(t, first, second)
    assert caught.value.parameter == parameter


@pytest.mark.parametrize("value", ["", "<b>", "a/b", "x" * 41])
def test_wave_slugs_are_checked(value: str) -> None:
    with pytest.raises(ParameterError):
        wave_iri("wave1", value, BASE)


def test_default_pair_is_the_first_and_the_last_wave() -> None:
    assert default_pair(table(usage(1, "o", "a", (), W2), usage(2, "o", "a", (), W1))) == (W1, W2)
    assert default_pair(table(usage(1, "o", "a", (), W1))) is None


def test_diagram_escapes_labels_and_links_each_band() -> None:
    t = table(usage(1, "o", "<b>", ("poll",), W1), usage(2, "o", "framadate", ("poll",), W2))
    svg = sankey_svg(compare(t, W1, W2), t.label, "en", lambda i: f"#flow-{i}")
    assert "<b>" not in svg and "&lt;b&gt;bold&lt;/b&gt;" in svg
    assert svg.count('href="#flow-0"') == 1 and "<script" not in svg
