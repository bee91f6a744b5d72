"""Persons, memberships and consent records cannot be written into a public graph by
mistake: ``civicgraph load`` without ``--restricted`` (a members file, or the restore of a
full backup) and a curator's Graph Store write to a public graph are refused, and nothing is
stored; the same data goes in as restricted and shows only as consent allows."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from api.cli import main
from graph.namespaces import FOAF, GRAPH, ID, META_GRAPH
from graph.samples.example import EXAMPLE_GRAPHS, example_path
from graph.store import open_store
from tests.privacy.probes import Probe
from tests.support.live import app_client
from tests.support.stores import load_example, memory_store, quads

MEMBERS = next(g for g in EXAMPLE_GRAPHS if g.name == "example-members")


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_loading_members_without_restricted_is_refused(tmp_path: Path, probe: Probe) -> None:
    store = str(tmp_path / "store")
    members = tmp_path / "members.ttl"
    members.write_bytes(example_path(MEMBERS).read_bytes())
    code, output = run("load", str(members), "--store", store, "-q")
    assert code == 1
    assert "restricted" in output and "person/personne-" in output
    with open_store(store) as opened:
        assert GRAPH + "members" not in opened.graphs()
    code, output = run("load", str(members), "--restricted", "--store", store, "-q")
    assert code == 0, output
    _, public = run("export", "--store", store)
    probe.check(public, "export after loading members as restricted")


def test_restoring_a_full_backup_as_public_is_refused(tmp_path: Path) -> None:
    source = str(tmp_path / "source")
    with open_store(source) as opened:
        load_example(opened)
    backup = tmp_path / "backup.nq"
    code, _ = run("export", "--store", source, "--all-graphs", "-o", str(backup))
    assert code == 0
    # without the meta graph, which civicgraph writes itself (refused on its own)
    lines = backup.read_text(encoding="utf-8").splitlines()
    backup.write_text("\n".join(line for line in lines if f"<{META_GRAPH}>" not in line),
                      encoding="utf-8")
    target = str(tmp_path / "target")
    code, output = run("load", str(backup), "--store", target, "-q")
    assert code == 1, output
    with open_store(target) as opened:
        assert GRAPH + "example-members" not in opened.graphs()


PERSON = (f"<{ID}person/someone> a <{FOAF}Person> ; "
          f"<{FOAF}name> \"Quelqu'un Fictif\" .").encode()


@pytest.mark.parametrize("method", ["PUT", "POST"])
def test_graph_store_refuses_persons_in_a_public_graph(curator: dict[str, str],
                                                       method: str) -> None:
    store = load_example(memory_store())
    before = quads(store)
    with app_client(store) as client:
        response = client.request(method, "/store", params={"graph": GRAPH + "example"},
                                  content=PERSON,
                                  headers={"Content-Type": "text/turtle", **curator})
        assert response.status_code == 422, response.text
        assert "restricted" in response.text
        assert quads(store) == before
        # into a restricted graph it goes, and stays out of the public data
        response = client.request(method, "/store", params={"graph": GRAPH + "restricted/x"},
                                  content=PERSON,
                                  headers={"Content-Type": "text/turtle", **curator})
        assert response.status_code in (201, 204), response.text
        names = client.get("/sparql", params={"query": f"SELECT ?n {{ ?p <{FOAF}name> ?n }}"})
        assert b"Fictif" not in names.content
