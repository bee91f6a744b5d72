"""Releases of the public data: a version and a version IRI per published dump, a suggested
citation on the data page, a changelog between releases, CITATION.cff."""

from __future__ import annotations

from pathlib import Path

import httpx
import yaml

from graph.samples.example import EXAMPLE_GRAPHS
from tests.support.live import Live

PUBLIC = EXAMPLE_GRAPHS[0].iri
ROOT = Path(__file__).resolve().parents[2]


def listing(live: Live, lang: str = "en") -> dict[str, object]:
    response = httpx.get(f"{live.url}/dumps", params={"lang": lang},
                         headers={"Accept": "application/json"})
    assert response.status_code == 200
    release: dict[str, object] = response.json()["release"]
    return release


def test_the_data_page_names_the_release_and_its_citation(live: Live) -> None:
    release = listing(live)
    version, iri = str(release["version"]), str(release["version_iri"])
    assert iri == f"{live.url}/dumps/releases/{version}"
    assert f"release {version} [Data set]. {iri}." in str(release["citation"])
    assert "version " + version in str(listing(live, "fr")["citation"])
    manifest = httpx.get(iri)
    assert manifest.status_code == 200 and manifest.json()["version"] == version
    assert PUBLIC in {g["iri"] for g in manifest.json()["graphs"]}
    page = httpx.get(f"{live.url}/dumps", params={"lang": "fr"},
                     headers={"Accept": "text/html"}).text
    assert 'id="citation"' in page and version in page and "CITATION.cff" in page
    download = httpx.get(f"{live.url}/dumps/civicgraph.nq.gz", timeout=60)
    assert download.headers["link"] == f'<{iri}>; rel="version"'


def test_the_same_data_is_the_same_release(live: Live) -> None:
    assert listing(live)["version"] == listing(live)["version"]


def test_a_write_makes_a_new_release_with_its_changelog(fresh_live: Live, token: str) -> None:
    first = listing(fresh_live)
    update = (f"INSERT DATA {{ GRAPH <{PUBLIC}> {{ <https://w3id.org/civicgraph/id/org/vecam> "
              '<http://www.w3.org/2000/01/rdf-schema#comment> "released" } '
              "GRAPH <https://w3id.org/civicgraph/graph/release-test> { "
              "<https://w3id.org/civicgraph/id/org/vecam> "
              '<http://www.w3.org/2000/01/rdf-schema#comment> "new graph" } }')
    assert httpx.post(f"{fresh_live.url}/sparql", data={"update": update},
                      headers={"Authorization": f"Bearer {token}"}).status_code == 204
    second = listing(fresh_live)
    assert second["version"] != first["version"] and second["previous"] == first["version"]
    changes = {(c["change"], c["graph"]): c for c in second["changes"]}  # type: ignore[attr-defined]
    replaced = changes[("replaced", PUBLIC)]
    assert replaced["triples_after"] == replaced["triples_before"] + 1
    new_graph = changes.get(("added", "https://w3id.org/civicgraph/graph/release-test"))
    assert new_graph is None or new_graph["triples_after"] == 1   # public once described
    assert not [kind for kind, _ in changes if kind == "removed"]
    # the older release stays citable
    old = httpx.get(str(first["version_iri"]))
    assert old.status_code == 200 and old.json()["current"] is False


def test_an_unknown_release_is_404(live: Live) -> None:
    assert httpx.get(f"{live.url}/dumps/releases/1999.01.01-deadbeef").status_code == 404


def test_citation_file() -> None:
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["cff-version"] == "1.2.0" and cff["license"] == "CC-BY-4.0"
    assert cff["title"] and cff["authors"] and cff["type"] == "dataset"


def test_citation_file_is_served(live: Live) -> None:
    response = httpx.get(f"{live.url}/CITATION.cff")
    assert response.status_code == 200 and "cff-version: 1.2.0" in response.text
