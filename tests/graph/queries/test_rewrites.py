"""Catalogue queries rewritten for Oxigraph's planner answer exactly as before.

Some queries were rewritten so that Oxigraph evaluates them fast (scans joined by hash in
sub-SELECTs instead of one lookup per row; see bench/RESULTS.md, "Catalogue queries after a
write"). Their earlier texts are kept in ``reference/`` and must give the same rows, in the
same order, over the example dataset and over generated data, for several parameter values.
On an embedded store ``CatalogueQuery.text`` also opens the WHERE group with the parameters
as a VALUES block (for the planner): every query must answer as with substitutions alone.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pyoxigraph as ox
import pytest

from graph.ingest.loading import load_vocabulary
from graph.namespaces import ID, graph_iri
from graph.queries.catalogue import get_query, list_queries, parse_query, run
from graph.samples.synthetic import generate
from graph.store import Store
from tests.support.stores import example_store, memory_store

REFERENCE = Path(__file__).parent / "reference"

#: (query, parameters) asked of the rewritten queries
ASKED: list[tuple[str, dict[str, str]]] = [
    *[("bridging_tools", {"min_fields": n, "lang": lang})
      for n in ("1", "2", "3") for lang in ("en", "fr")],
    *[("free_software_share_by_practice", {"lang": lang, **wave})
      for lang in ("en", "fr", "de")
      for wave in ({}, {"wave": f"{ID}wave/2024"}, {"wave": f"{ID}wave/2025"})],
    *[("wave_changes", {"lang": lang, **waves}) for lang in ("en", "fr")
      for waves in ({}, {"wave1": f"{ID}wave/2025", "wave2": f"{ID}wave/2024"})],
    *[("single_source_usages", {"lang": lang, "max_sources": n})
      for lang in ("en", "fr") for n in ("0", "1", "2")],
    *[("single_source_facts", {"lang": lang, "max_sources": n, **kind})
      for lang in ("en", "de") for n in ("1", "2")
      for kind in ({}, {"fact_kind": "cg:Need"}, {"fact_kind": "cg:ToolUsage"})],
    *[("tool_usages", {"tool": tool, "lang": lang})
      for tool in ("loomio", "google-forms") for lang in ("en", "fr")],
    *[("platform_migrations", {"lang": lang}) for lang in ("en", "fr", "de")],
    *[("tool_migrations", {"tool": tool, "lang": lang})
      for tool in ("facebook", "sympa", "whatsapp") for lang in ("en", "fr")],
    # the optional parameters rewritten to answer alike on Virtuoso 7.2 (tests/engines)
    *[("effects_by_tool", {"lang": lang, **given}) for lang in ("en", "fr")
      for given in ({"tool": "loomio"}, {"effect_group": "participation"},
                    {"effect_group": "autonomy"})],
    *[("shared_resources", {"lang": lang, **given}) for lang in ("en", "fr")
      for given in ({"topic": "id:practice/decision-making"}, {"type": "method"},
                    {"licence": "https://creativecommons.org/licenses/by/4.0/"})],
    *[("unanswered_needs", {"lang": lang, "practice": practice}) for lang in ("en", "fr")
      for practice in ("knowledge-sharing", "project-coordination")],
    *[("organisations_by_field_and_kind", {"lang": "en", "departement": departement})
      for departement in ("93", "75")],
]
#: every other query with an earlier text in ``reference/``: its default parameters, in two
#: languages where it has one
ASKED += [(path.stem, {"lang": lang} if lang else {})
          for path in sorted(REFERENCE.glob("*.rq")) if path.stem not in {n for n, _ in ASKED}
          for lang in (("en", "fr") if any(p.name == "lang" for p in get_query(path.stem).params)
                       else (None,))]
#: queries whose earlier ORDER BY left ties (rows equal in every key) in an order of the
#: engine's choosing, and the keys of that ORDER BY: the rewrite orders its ties, so the same
#: rows must come with the same keys in the same order, ties in any order
TIES: dict[str, tuple[str, ...]] = {
    "platform_migrations": ("organisationLabel", "practiceLabel", "fromLabel", "toLabel",
                            "organisation", "practice", "from", "to"),
}
#: (query, parameters) that may rightly answer no row on some data (the generated
#: resources say nothing of what they are about)
EMPTY: frozenset[tuple[str, str | None]] = frozenset({
    ("bridging_tools", "3"), ("single_source_usages", "0"),
    ("shared_resources", "id:practice/decision-making")})


@pytest.fixture(scope="module", params=["example", "generated"])
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    if request.param == "example":
        opened = example_store()
    else:
        opened = memory_store()
        load_vocabulary(opened, imported_by="tests")
        # two graphs: the union default graph joins usages with software described elsewhere
        triples = list(generate(40, seed=11))
        half = len(triples) // 2
        opened.replace_graph(graph_iri("generated-a"), triples[:half])
        opened.replace_graph(graph_iri("generated-b"), triples[half:])
    yield opened
    opened.close()


def rows(result: Any, keys: tuple[str, ...] | None = None) -> list[tuple[str | None, ...]]:
    """The rows of ``result`` as strings, or of their ``keys`` columns only."""
    names = keys or [v.value for v in result.variables]
    return [tuple(None if row[n] is None else str(row[n]) for n in names) for row in result]


def earlier(store: Store, name: str, params: Mapping[str, str],
            keys: tuple[str, ...] | None = None) -> list[tuple[str | None, ...]]:
    query = parse_query(name, (REFERENCE / f"{name}.rq").read_text(encoding="utf-8"))
    return rows(store.query(query.sparql, substitutions=query.bind(params)), keys)


@pytest.mark.parametrize(("name", "params"), ASKED,
                         ids=[f"{n}-{'-'.join(p.values())}" for n, p in ASKED])
def test_a_rewritten_query_answers_as_its_earlier_text(store: Store, name: str,
                                                       params: dict[str, str]) -> None:
    found = rows(run(store, name, params))
    if name in TIES:
        assert sorted(found, key=repr) == sorted(earlier(store, name, params), key=repr)
        keys = TIES[name]
        assert rows(run(store, name, params), keys) == earlier(store, name, params, keys)
    else:
        assert found == earlier(store, name, params)
    key = (params.get("min_fields") or params.get("max_sources") or params.get("organisation")
           or params.get("topic"))
    assert found or (name, key) in EMPTY


def test_the_references_are_the_rewritten_queries() -> None:
    for path in REFERENCE.glob("*.rq"):
        reference = parse_query(path.stem, path.read_text(encoding="utf-8"))
        query = get_query(path.stem)
        assert reference.params == query.params
        assert reference.titles == query.titles
        assert reference.sparql != query.sparql


@pytest.mark.parametrize("query", list_queries(), ids=lambda q: q.name)
def test_the_planner_hint_changes_no_answer(store: Store, query: Any) -> None:
    terms = query.bind({"lang": "fr"} if any(p.name == "lang" for p in query.params) else {})
    hinted = query.text(store, terms)
    assert hinted != query.sparql or not terms
    assert rows(store.query(hinted, substitutions=terms)) \
        == rows(store.query(query.sparql, substitutions=terms))


def test_the_hint_opens_the_where_group_on_an_embedded_store_only() -> None:
    query = get_query("tools_by_practice")
    terms = query.bind({"practice": "voting"})
    embedded = memory_store()
    try:
        hinted = query.text(embedded, terms)
    finally:
        embedded.close()
    where = hinted.index("WHERE {") + len("WHERE {")
    assert hinted[where:].lstrip().startswith("VALUES (")
    assert f"<{ID}practice/voting>" in hinted[where:hinted.index("}", where)]
    # a store whose server binds the VALUES itself
    remote = SimpleNamespace(native=None, kind="remote")
    assert query.text(remote, terms) == query.sparql  # type: ignore[arg-type]
    # a view of an embedded store (no pyoxigraph store of its own; its engine runs Oxigraph)
    view = SimpleNamespace(native=None, kind="oxigraph")
    assert query.text(view, terms) == hinted  # type: ignore[arg-type]
    assert query.text(embedded, {}) == query.sparql


def test_a_hinted_text_still_refuses_what_substitution_refuses() -> None:
    query = get_query("tools_by_practice")
    with pytest.raises(Exception, match="practice"):
        query.bind({"practice": '"> } ; DROP ALL #'})
    assert isinstance(query.bind({"practice": "voting"})["practice"], ox.NamedNode)
