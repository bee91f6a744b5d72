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


def _index_by_one_query(store: object, kinds: set[str]) -> Index:
    """The index as ``index_store`` built it before it read three scans: one query with two
    OPTIONALs, a resource added once per row (kept here to compare with)."""
    import pyoxigraph as ox

    from graph.ingest.spreadsheets.references import _LABELS, CLASSES
    from graph.namespaces import OWL, WD

    by_class = {cls: kind for kind, classes in CLASSES.items() if kind in kinds
                for cls in classes}
    index = Index()
    result = store.query(f"""
        SELECT ?x ?c ?name ?same WHERE {{
          VALUES ?c {{ {" ".join(f"<{c}>" for c in by_class)} }}
          ?x a ?c .
          OPTIONAL {{ VALUES ?p {{ {" ".join(f"<{p}>" for p in _LABELS)} }} ?x ?p ?name }}
          OPTIONAL {{ ?x <{OWL}sameAs> ?same FILTER(STRSTARTS(STR(?same), "{WD}")) }}
        }}""")  # type: ignore[attr-defined]
    for row in result:
        if isinstance(row["x"], ox.NamedNode):
            index.add(by_class[row["c"].value], row["x"].value,
                      [row["name"].value] if row["name"] is not None else [],
                      [row["same"].value.removeprefix(WD)] if row["same"] is not None else [])
    return index


def _contents(index: Index) -> tuple[object, ...]:
    def plain(table: dict[str, dict[str, set[str]]]) -> dict[str, dict[str, set[str]]]:
        return {kind: {key: iris for key, iris in keys.items() if iris}
                for kind, keys in table.items() if keys}

    return plain(index._keys), plain(index._named), {k: v for k, v in index._iris.items() if v}


def test_the_store_index_is_what_the_one_query_built() -> None:
    import pyoxigraph as ox

    from graph.ingest.spreadsheets.references import CLASSES
    from graph.namespaces import FOAF, ORG, OWL, RDF, RDFS
    from graph.samples.synthetic import generate
    from graph.store import open_store

    store = example_store()
    generated = open_store("memory")
    generated.replace_graph("https://w3id.org/civicgraph/graph/a", generate(30, seed=3))
    extra = ox.NamedNode(ID + "org/extra")
    generated.replace_graph("https://w3id.org/civicgraph/graph/b", [
        ox.Triple(extra, ox.NamedNode(RDF + "type"), ox.NamedNode(ORG + "Organization")),
        ox.Triple(extra, ox.NamedNode(RDF + "type"), ox.NamedNode(ORG + "FormalOrganization"))])
    generated.replace_graph("https://w3id.org/civicgraph/graph/c", [  # named in another graph
        ox.Triple(extra, ox.NamedNode(OWL + "sameAs"),
                  ox.NamedNode("http://www.wikidata.org/entity/Q42")),
        ox.Triple(extra, ox.NamedNode(RDFS + "label"), ox.Literal("Œuvre Extra", language="fr")),
        ox.Triple(extra, ox.NamedNode(FOAF + "mbox"), ox.NamedNode("mailto:extra@example.org"))])
    for source in (store, generated):
        for kinds in (set(CLASSES), {"org", "software", "instance", "space"}, {"person"}):
            built = Index()
            index_store(built, source, kinds)
            assert _contents(built) == _contents(_index_by_one_query(source, kinds))
            if source is generated and kinds != {"person"}:  # not two empty indexes
                assert built.resolve(("org",), "oeuvre extra") == extra.value
                assert built.resolve(("org",), "Q42") == extra.value
                assert built.resolve(("org",), "extra@example.org") == extra.value
