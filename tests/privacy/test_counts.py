"""Membership figures: published per organisation (overall and per role) only at or above
``small_count_threshold``, on every anonymous surface, and never open to recovery by
subtraction. Expected figures are counted here from the raw rows, not by the code under test.
"""

from __future__ import annotations

import gzip
from collections import defaultdict

import pyoxigraph as ox
import pytest
import rdflib

from graph.namespaces import CG, ID, ORG
from graph.samples.example import EXAMPLE_GRAPHS, example_path
from tests.support.live import TestClient, app_client
from tests.support.stores import load_example, memory_store

FIGURES = f"""PREFIX cg: <{CG}> PREFIX org: <{ORG}>
SELECT ?org ?role ?n WHERE {{
  {{ ?org cg:memberCount ?n }} UNION {{ ?org cg:roleCount ?c . ?c org:role ?role ; cg:count ?n }}
}}"""


def published(client: TestClient) -> dict[tuple[str, str | None], int]:
    """Every membership figure an anonymous reader finds through the endpoint."""
    response = client.get("/sparql", params={"query": FIGURES},
                          headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200
    out = {}
    for row in response.json()["results"]["bindings"]:
        key = (row["org"]["value"], row["role"]["value"] if "role" in row else None)
        assert key not in out, f"two figures for {key}"
        out[key] = int(row["n"]["value"])
    return out


def raw_counts(rows: list[tuple[str, str, str]]) -> dict[tuple[str, str | None], int]:
    """(person, organisation, role) rows -> distinct persons per organisation and role."""
    members: dict[tuple[str, str | None], set[str]] = defaultdict(set)
    for person, organisation, role in rows:
        members[(organisation, None)].add(person)
        members[(organisation, role)].add(person)
    return {key: len(persons) for key, persons in members.items()}


def example_rows() -> list[tuple[str, str, str]]:
    members = next(g for g in EXAMPLE_GRAPHS if g.name == "example-members")
    graph = rdflib.Graph().parse(data=example_path(members).read_text(encoding="utf-8"),
                                 format="turtle", publicID=ID)
    org = rdflib.Namespace(ORG)
    return [(str(graph.value(m, org.member)), str(graph.value(m, org.organization)),
             str(graph.value(m, org.role)))
            for m in graph.subjects(rdflib.RDF.type, org.Membership)]


def check_figures(figures: dict[tuple[str, str | None], int],
                  raw: dict[tuple[str, str | None], int], threshold: int) -> None:
    assert all(n >= threshold for n in figures.values()), figures
    for key, n in figures.items():
        assert raw[key] == n, key
    for (organisation, role), n in raw.items():
        if role is None:
            assert ((organisation, None) in figures) == (n >= threshold), organisation
    # no single hidden role figure can be recovered as total minus the shown roles
    for organisation, role in figures:
        if role is not None:
            continue
        roles = {r for (o, r) in raw if o == organisation and r is not None}
        hidden = {r for r in roles if (organisation, r) not in figures}
        assert len(hidden) != 1, (organisation, hidden)


@pytest.mark.parametrize("threshold", [1, 2, 3, 5])
def test_example_figures_follow_the_threshold(threshold: int) -> None:
    store = load_example(memory_store(), threshold=threshold)
    with app_client(store, small_count_threshold=threshold) as client:
        figures = published(client)
    raw = raw_counts(example_rows())
    check_figures(figures, raw, threshold)
    if threshold <= 2:  # the example has organisations of 1 and 2 members
        assert figures
    if threshold == 5:
        assert figures == {}


MEMBERS_SHEET = "id,name,organisation,role,fictional\n" + "".join(
    f"m-{org}-{i},Membre Fictif {org} {i},{org},{role},yes\n"
    for org, roles in {
        "vecam": ["member"] * 5 + ["president", "treasurer"],   # 7: member 5 shown
        "fonda": ["member"] * 5 + ["president"],                # 6: one hidden role
        "aitec": ["member"] * 3,                                # 3: nothing
        "framasoft": ["member"] * 6 + ["president"] * 5,        # 11: every figure
    }.items()
    for i, role in enumerate(roles))


def sheet_rows() -> list[tuple[str, str, str]]:
    lines = MEMBERS_SHEET.splitlines()[1:]
    return [(f"p{c[0]}", ID + "org/" + c[2], ID + "role/" + c[3])
            for c in (line.split(",") for line in lines)]


@pytest.fixture(scope="module")
def imported() -> TestClient:
    from tests.support.live import CURATOR_TOKEN

    with app_client(load_example(memory_store())) as client:
        response = client.post("/imports", files={"file": ("membres.csv", MEMBERS_SHEET)},
                               data={"source": "member figures"},
                               headers={"Authorization": f"Bearer {CURATOR_TOKEN}"})
        assert response.status_code == 200, response.text
        yield client


def test_imported_members_are_counted_with_suppression(imported: TestClient) -> None:
    figures = published(imported)
    raw = raw_counts(sheet_rows() + example_rows())
    check_figures(figures, raw, 5)
    org = ID + "org/"
    assert figures == {
        (org + "vecam", None): 7, (org + "vecam", ID + "role/member"): 5,
        (org + "fonda", None): 6,   # member 5 hidden too: 6 - 5 would tell the president
        (org + "framasoft", None): 11, (org + "framasoft", ID + "role/member"): 6,
        (org + "framasoft", ID + "role/president"): 5,
    }


def test_small_figures_appear_on_no_surface(imported: TestClient) -> None:
    """The figures a page, a dump or the Graph Store shows are the published ones only."""
    figures = published(imported)
    dump = gzip.decompress(imported.get("/dumps/civicgraph.nq.gz").content)
    counts = [q for q in ox.parse(dump, ox.RdfFormat.N_QUADS)
              if q.predicate.value in (CG + "memberCount", CG + "count")]
    assert sorted(int(q.object.value) for q in counts) == sorted(figures.values())
    everything = imported.get("/store", headers={"Accept": "application/n-triples"})
    assert everything.text.count(f"> <{CG}memberCount> \"") == sum(
        role is None for _, role in figures)
    for organisation in ("vecam", "fonda", "aitec", "framasoft"):
        page = imported.get(f"/id/org/{organisation}.nt").text
        numbers = {int(line.split('"')[1]) for line in page.splitlines()
                   if f"<{CG}memberCount>" in line}
        total = figures.get((ID + "org/" + organisation, None))
        assert numbers == ({total} if total else set()), organisation
        html = imported.get(f"/id/org/{organisation}", headers={"Accept": "text/html"}).text
        assert ("memberCount" in html or "member count" in html.lower()) == bool(total)


def test_serve_derives_the_view_with_the_configured_threshold(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """``civicgraph serve`` loads the example into a new store: its public figures use
    the threshold of the settings, not the default."""
    import uvicorn
    from click.testing import CliRunner

    from api.cli import main

    figures: set[int] = set()

    def run(app: object, **options: object) -> None:  # what uvicorn would serve
        store = app.state.store  # type: ignore[attr-defined]
        found = store.query(f"SELECT ?n WHERE {{ ?org <{CG}memberCount> ?n }}")
        figures.update(int(row["n"].value) for row in found)

    monkeypatch.setattr(uvicorn, "run", run)
    monkeypatch.setenv("CIVICGRAPH_SMALL_COUNT_THRESHOLD", "2")
    result = CliRunner().invoke(main, ["serve", "--store", "memory"])
    assert result.exit_code == 0, result.output
    assert figures == {2}


def test_the_public_data_still_conforms_to_the_public_profile(imported: TestClient) -> None:
    """After an import of members (figures published), the "public profile" shapes hold."""
    from pyshacl import validate

    from graph.vocabulary import shapes_path

    dump = gzip.decompress(imported.get("/dumps/civicgraph.nq.gz").content)
    triples = ox.serialize((q.triple for q in ox.parse(dump, ox.RdfFormat.N_QUADS)),
                           format=ox.RdfFormat.N_TRIPLES)
    data = rdflib.Graph().parse(data=triples, format="nt")
    shapes = rdflib.Graph().parse(shapes_path("public"), format="turtle")
    conforms, _, text = validate(data, shacl_graph=shapes, inference="none")
    assert conforms, text


def test_the_size_of_a_restricted_graph_is_not_public(curator: dict[str, str]) -> None:
    sheet = ("id,name,organisation,role,fictional\n"
             "m1,Léa Un,aitec,member,yes\nm2,Léo Deux,aitec,president,yes\n")
    with app_client(load_example(memory_store())) as client:
        response = client.post("/imports", files={"file": ("membres-aitec.csv", sheet)},
                               data={"source": "adherents AITEC 2026"}, headers=curator)
        assert response.status_code == 200, response.text
        sizes = client.get("/sparql", params={"query": f"""
            SELECT ?g ?n WHERE {{ ?g <{CG}access> <{CG}Restricted> ;
                                    <http://rdfs.org/ns/void#triples> ?n }}"""},
                           headers={"Accept": "application/sparql-results+json"})
    assert sizes.json()["results"]["bindings"] == []
