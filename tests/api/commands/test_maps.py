"""``civicgraph maps --out DIR`` and ``civicgraph metrics`` on the example dataset, on disk."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from api.cli import main
from graph.store import open_store
from tests.support.graphs import fill_example

METRICS = "https://w3id.org/civicgraph/graph/metrics/org-tool"


@pytest.fixture
def store_dir(tmp_path: Path) -> str:
    location = str(tmp_path / "store")
    with open_store(location) as store:
        fill_example(store)
    return location


@pytest.mark.slow
def test_static_maps(store_dir: str, tmp_path: Path) -> None:
    out = tmp_path / "site"
    result = CliRunner().invoke(main, ["maps", "--store", store_dir, "--out", str(out)])
    assert result.exit_code == 0, result.output
    for lang in ("fr", "en"):
        index = (out / lang / "index.html").read_text()
        assert 'href="organisations-tools.html"' in index and 'href="tools/loomio.html"' in index
        page = (out / lang / "organisations-tools.html").read_text()
        assert 'src="../assets/vis-network.min.js"' in page
        assert not re.findall(r'<(?:script|link|img)[^>]+(?:src|href)="https?://', page)
        tool = (out / lang / "tools" / "loomio.html").read_text()
        assert 'src="../../assets/civicmap.js"' in tool
    assert (out / "assets" / "vis-network.min.js").stat().st_size > 100_000
    assert (out / "data" / "organisations-tools.gexf").read_text().startswith("<?xml")
    assert all(p.stat().st_size < 5_000_000 for p in out.rglob("*.html"))
    # a second run replaces the first
    again = CliRunner().invoke(main, ["maps", "--store", store_dir, "--out", str(out),
                                      "--lang", "en", "--no-tools"])
    assert again.exit_code == 0 and not (out / "fr").exists()
    assert not (out / "en" / "tools").exists()


def test_metrics_are_stored_with_their_provenance(store_dir: str) -> None:
    result = CliRunner().invoke(main, ["metrics", "--store", store_dir, "--seed", "7"])
    assert result.exit_code == 0, result.output
    assert "org-tool:" in result.output and "tool-tool:" in result.output
    with open_store(store_dir) as store:
        ask = store.query(f"""
            PREFIX cg: <https://w3id.org/civicgraph/ns#>
            PREFIX prov: <http://www.w3.org/ns/prov#>
            ASK {{ GRAPH <{METRICS}> {{
              <{METRICS}> prov:wasGeneratedBy ?run . ?run cg:parameters ?p ; prov:endedAtTime ?t .
              <https://w3id.org/civicgraph/id/software/loomio> cg:degree ?d ; cg:community ?c .
              ?c cg:communityNumber ?n .
            }} }}""")
        assert bool(ask)
        public = store.query(f"""ASK {{ GRAPH <https://w3id.org/civicgraph/graph/meta> {{
            <{METRICS}> <https://w3id.org/civicgraph/ns#access>
                        <https://w3id.org/civicgraph/ns#Public> }} }}""")
        assert bool(public)
        degree = next(iter(store.query(f"""SELECT ?d WHERE {{ GRAPH <{METRICS}> {{
            <https://w3id.org/civicgraph/id/software/loomio>
                <https://w3id.org/civicgraph/ns#degree> ?d }} }}""")))["d"]
        assert isinstance(degree, ox.Literal) and int(degree.value) > 1
    # re-running replaces the graph instead of adding to it
    CliRunner().invoke(main, ["metrics", "--store", store_dir, "--projection", "org-tool"])
    with open_store(store_dir) as store:
        runs = list(store.query(f"""SELECT ?run WHERE {{ GRAPH <{METRICS}> {{
            <{METRICS}> <http://www.w3.org/ns/prov#wasGeneratedBy> ?run }} }}"""))
        assert len(runs) == 1
