"""``civicgraph template``, ``import`` and ``forget``: from an empty template to stored data."""

from __future__ import annotations

import csv
from pathlib import Path

import pyoxigraph as ox
from click.testing import CliRunner

from api.cli import main
from graph.namespaces import CG, ID
from graph.store import open_store


def test_from_an_empty_template_to_data_with_the_cli_alone(tmp_path: Path) -> None:
    runner = CliRunner()
    store = str(tmp_path / "store")
    orgs, usages = tmp_path / "organisations.csv", tmp_path / "usages.csv"
    for kind, path in (("organisations", orgs), ("usages", usages)):
        result = runner.invoke(main, ["template", kind, "--lang", "en", "-o", str(path)])
        assert result.exit_code == 0, result.output
    # the researcher replaces the example rows by their own
    orgs.write_text("name,kind,INSEE code\nCollectif Essai,collective,93048\n", encoding="utf-8")
    with usages.open("a", encoding="utf-8", newline="") as out:
        csv.writer(out).writerow(["", "Collectif Essai", "Framavox", "voting", "trial",
                                  "2026-03-14", "", "", "", "", ""])
    lines = usages.read_text(encoding="utf-8").splitlines()
    usages.write_text("\n".join([lines[0], lines[2]]) + "\n", encoding="utf-8")
    for path in (orgs, usages):
        result = runner.invoke(main, ["import", str(path), "--source", f"test {path.stem}",
                                      "--store", store])
        assert result.exit_code == 0, result.output
        assert "imported 1 of 1 row(s)" in result.output
    with open_store(store) as opened:
        found = opened.query(f"ASK {{ ?u <{CG}tool> <{ID}instance/framavox> ; "
                             f"<{CG}organisation> <{ID}org/collectif-essai> }}")
        assert isinstance(found, ox.QueryBoolean) and bool(found)


def test_a_refused_import_exits_1_and_writes_the_report(tmp_path: Path) -> None:
    bad = tmp_path / "usages.csv"
    bad.write_text("organisation,tool,practices,status,observed on\n"
                   "Nobody,Loomio,voting,active,2026-02-30\n", encoding="utf-8")
    report = tmp_path / "report.csv"
    result = CliRunner().invoke(main, ["import", str(bad), "--source", "s", "--store",
                                       str(tmp_path / "store"), "--report", str(report)])
    assert result.exit_code == 1
    assert "refused, nothing was stored" in result.output
    rows = list(csv.DictReader(report.read_text(encoding="utf-8").splitlines()))
    assert {(r["row"], r["column"]) for r in rows} == {("2", "organisation"),
                                                       ("2", "observed on")}


def test_forget_erases_a_person(tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    members = tmp_path / "membres.csv"
    members.write_text("identifiant,nom,courriel\nm-1,Léa Fictive,lea@example.org\n",
                       encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(main, ["import", str(members), "--source", "m", "--store",
                                store]).exit_code == 0
    result = runner.invoke(main, ["forget", "m-1", "--yes", "--store", store])
    assert result.exit_code == 0, result.output
    assert "erased <https://w3id.org/civicgraph/id/person/m-1>" in result.output
    with open_store(store) as opened:
        left = opened.query(f"ASK {{ <{ID}person/m-1> ?p ?o }}")
        assert isinstance(left, ox.QueryBoolean) and not bool(left)
    again = runner.invoke(main, ["forget", "m-1", "--yes", "--store", store])
    assert again.exit_code == 1
