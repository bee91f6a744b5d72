"""Withdrawing consent removes the person from every anonymous surface at once, whichever
way the withdrawal reaches the store: a consent sheet imported over HTTP or with the CLI, a
curator's SPARQL update, a Graph Store write or deletion of the consent graph.

"At once" is the next request: no cache (query snapshots, dumps, maps) may still show them.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable

import pytest

from graph.namespaces import CG, DPV, GRAPH, ID, XSD
from graph.store import Store
from tests.privacy.probes import CONSENTS, Probe, read_people
from tests.support.live import TestClient, app_client
from tests.support.stores import load_example, memory_store

AMINA = ID + "person/personne-01"          # consented to name and memberships
RECORD = ID + "consent/personne-01-publication"
CONSENT_GRAPH = GRAPH + "example-consent"
ORGANISATION = ID + "org/collectif-sante-belleville"   # one of her memberships
SHEET = (b"person,status,data,given on,withdrawn on\n"
         b"personne-01,withdrawn,name|membership,2024-03-02,2026-02-01\n")


def surfaces(client: TestClient) -> dict[str, bytes]:
    """What an anonymous visitor gets from each surface a person may appear on."""
    names = "PREFIX foaf: <http://xmlns.com/foaf/0.1/> SELECT ?p ?n WHERE { ?p foaf:name ?n }"
    out = {
        "SPARQL names": client.get("/sparql", params={"query": names}).content,
        "SPARQL everything": client.get("/sparql", params={
            "query": "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }"},
            headers={"Accept": "text/csv"}).content,
        # the results only: the answer repeats the text asked for
        "search": json.dumps(client.get("/search", params={"q": "Belkacem"}).json()[
            "results"]).encode(),
        "dump": gzip.decompress(client.get("/dumps/civicgraph.nq.gz").content),
        "TriG dump": gzip.decompress(client.get("/dumps/civicgraph.trig.gz").content),
        "organisation page": client.get(f"/id/{ORGANISATION[len(ID):]}",
                                        headers={"Accept": "text/html"}).content,
        "neighbourhood map": client.get("/maps/neighbourhood/export.json",
                                        params={"iri": ORGANISATION}).content,
        "Graph Store": client.get("/store",
                                  headers={"Accept": "application/n-triples"}).content,
    }
    for path in ("person/personne-01", "person/personne-01.ttl",
                 "membership/personne-01-collectif-sante-belleville",
                 "consent/personne-01-publication"):
        response = client.get(f"/id/{path}")
        out[f"/id/{path}"] = response.content if response.status_code == 200 else b""
    return out


def after_withdrawal() -> Probe:
    return Probe(read_people(), {n: c for n, c in CONSENTS.items() if n != 1})


def sparql_withdrawal(client: TestClient, curator: dict[str, str]) -> None:
    update = f"""
        DELETE {{ GRAPH <{CONSENT_GRAPH}> {{ <{RECORD}> <{DPV}hasConsentStatus> ?s }} }}
        INSERT {{ GRAPH <{CONSENT_GRAPH}> {{
          <{RECORD}> <{DPV}hasConsentStatus> <{DPV}ConsentWithdrawn> ;
                     <{CG}withdrawnOn> "2026-02-01"^^<{XSD}date> }} }}
        WHERE {{ GRAPH <{CONSENT_GRAPH}> {{ <{RECORD}> <{DPV}hasConsentStatus> ?s }} }}"""
    response = client.post("/sparql", data={"update": update}, headers=curator)
    assert response.status_code in (200, 204), response.text


def sparql_deletion(client: TestClient, curator: dict[str, str]) -> None:
    update = f"DELETE WHERE {{ GRAPH <{CONSENT_GRAPH}> {{ <{RECORD}> ?p ?o }} }}"
    assert client.post("/sparql", data={"update": update}, headers=curator).status_code in (
        200, 204)


def graph_store_put(client: TestClient, curator: dict[str, str]) -> None:
    current = client.get("/store", params={"graph": CONSENT_GRAPH},
                         headers={"Accept": "application/n-triples", **curator})
    assert current.status_code == 200
    kept = [line for line in current.text.splitlines() if not line.startswith(f"<{RECORD}>")]
    kept.append(f"<{RECORD}> <{DPV}hasDataSubject> <{AMINA}> .")
    kept.append(f"<{RECORD}> <{DPV}hasConsentStatus> <{DPV}ConsentWithdrawn> .")
    response = client.put("/store", params={"graph": CONSENT_GRAPH},
                          content="\n".join(kept).encode(),
                          headers={"Content-Type": "application/n-triples", **curator})
    assert response.status_code in (201, 204), response.text


def graph_store_delete(client: TestClient, curator: dict[str, str]) -> None:
    response = client.delete("/store", params={"graph": CONSENT_GRAPH}, headers=curator)
    assert response.status_code == 204, response.text


def sheet_import(client: TestClient, curator: dict[str, str]) -> None:
    response = client.post("/imports", files={"file": ("consent.csv", SHEET)},
                           data={"source": "withdrawal"}, headers=curator)
    assert response.status_code == 200, response.text


WITHDRAWALS: dict[str, Callable[[TestClient, dict[str, str]], None]] = {
    "consent sheet over HTTP": sheet_import,
    "SPARQL update (status withdrawn)": sparql_withdrawal,
    "SPARQL update (record deleted)": sparql_deletion,
    "Graph Store PUT of the consent graph": graph_store_put,
    "Graph Store DELETE of the consent graph": graph_store_delete,
}


@pytest.mark.slow
@pytest.mark.parametrize("way", WITHDRAWALS)
def test_withdrawal_reaches_every_surface_at_once(probe: Probe, curator: dict[str, str],
                                                  way: str) -> None:
    with app_client(load_example(memory_store())) as client:
        before = surfaces(client)  # warm every cache first: each must follow the write
        assert b"Amina Belkacem" in before["SPARQL names"]
        assert b"Amina Belkacem" in before["dump"]
        assert before["/id/person/personne-01"] and b"personne-01" in before["neighbourhood map"]
        for where, body in before.items():
            probe.check(body, where)
        WITHDRAWALS[way](client, curator)
        after = surfaces(client)
    gone = after_withdrawal()
    for where, body in after.items():
        gone.check(body, f"{where} after {way}")
    assert after["/id/person/personne-01"] == b""
    assert b"Amina Belkacem" not in after["dump"]


def test_withdrawal_with_the_cli(tmp_path: pytest.TempPathFactory) -> None:
    """``civicgraph import`` of a consent sheet, then ``civicgraph export``: she is gone."""
    from click.testing import CliRunner

    from api.cli import main
    from graph.store import open_store

    location = str(tmp_path / "store")  # type: ignore[operator]
    with open_store(location) as store:
        load_example(store)
    sheet = tmp_path / "consent.csv"  # type: ignore[operator]
    sheet.write_bytes(SHEET)
    runner = CliRunner()
    before = runner.invoke(main, ["export", "--store", location])
    assert "Amina Belkacem" in before.output
    imported = runner.invoke(main, ["import", str(sheet), "--source", "withdrawal",
                                    "--store", location])
    assert imported.exit_code == 0, imported.output
    after = runner.invoke(main, ["export", "--store", location])
    assert after.exit_code == 0
    after_withdrawal().check(after.output, "civicgraph export after a withdrawal")


def test_a_new_consent_shows_at_once_too(curator: dict[str, str]) -> None:
    """The other way round (the same machinery): a person who consents appears."""
    sheet = (b"person,status,data,given on\n"
             b"personne-02,given,name,2026-01-05\n")
    store: Store = load_example(memory_store())
    with app_client(store) as client:
        names = "SELECT ?n WHERE { ?p <http://xmlns.com/foaf/0.1/name> ?n }"
        assert b"Julien Marchand" not in client.get("/sparql", params={"query": names}).content
        response = client.post("/imports", files={"file": ("consent.csv", sheet)},
                               data={"source": "new consent"}, headers=curator)
        assert response.status_code == 200, response.text
        assert b"Julien Marchand" in client.get("/sparql", params={"query": names}).content


def test_the_maps_follow_at_once(curator: dict[str, str]) -> None:
    """The map service caches per version of the public data: a withdrawal made a moment
    after a map was drawn must not be answered from that cache."""
    url = "/maps/neighbourhood/export.json"
    with app_client(load_example(memory_store())) as client:
        assert "personne-01" in client.get(url, params={"iri": ORGANISATION}).text
        sparql_withdrawal(client, curator)
        assert "personne-01" not in client.get(url, params={"iri": ORGANISATION}).text


def test_a_change_of_consent_changes_the_data_version() -> None:
    """Two views of the same size derived in the same second are still told apart (a map
    cache over a remote store relies on it): one person withdraws, another consents."""
    from graph.privacy.persons import refresh_public_view
    from tests.support.stores import MOMENT
    from visualisations.table import data_version

    store = load_example(memory_store())
    before, size = data_version(store), store.count(GRAPH + "public-persons")
    record, subject = f"<{ID}consent/personne-03-publication>", f"<{DPV}hasDataSubject>"
    store.update(f"""
        DELETE WHERE {{ GRAPH <{CONSENT_GRAPH}> {{ {record} {subject} ?who }} }} ;
        INSERT DATA {{ GRAPH <{CONSENT_GRAPH}> {{ {record} {subject} <{ID}person/personne-02> }}
        }}""")
    refresh_public_view(store, threshold=5, now=MOMENT)
    assert store.count(GRAPH + "public-persons") == size
    assert data_version(store) != before


def test_writing_public_data_leaves_the_view_alone(curator: dict[str, str]) -> None:
    """Consent and memberships live in restricted graphs: a Graph Store write to a public
    graph (a batch of a large upload) does not derive the view again."""
    view = GRAPH + "public-persons"
    moment = (f"SELECT ?t WHERE {{ GRAPH <{GRAPH}meta> {{ <{view}> "
              "<http://www.w3.org/ns/prov#generatedAtTime> ?t } }")
    store = load_example(memory_store())
    before = [row["t"].value for row in store.query(moment)]  # type: ignore[union-attr]
    note = f'<{ID}org/vecam> <http://www.w3.org/2000/01/rdf-schema#comment> "note" .'
    with app_client(store) as client:
        response = client.post("/store", params={"graph": GRAPH + "example"},
                               content=note.encode(),
                               headers={"Content-Type": "application/n-triples", **curator})
        assert response.status_code == 204, response.text
        assert [row["t"].value for row in client.app.state.store.query(moment)] == before
        graph_store_delete(client, curator)   # a restricted graph: derived again
        assert [row["t"].value for row in client.app.state.store.query(moment)] != before
