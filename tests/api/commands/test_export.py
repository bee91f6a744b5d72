"""``civicgraph export``: with ``--all-graphs``, a dump that, loaded into a fresh store,
gives back the same quads, the store's own default graph included; without, the default
graph when it is public and never when it is restricted."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from api.cli import main
from graph.ingest import graphstore
from graph.ingest.writing import describe_default
from graph.samples.example import ensure_example
from graph.store import DEFAULT_GRAPH, open_store

FORMATS = {"nquads": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG}
OWN = ox.Triple(ox.NamedNode("https://example.org/s"), ox.NamedNode("https://example.org/p"),
                ox.Literal("in the default graph"))


def _store(tmp_path: Path, access: Literal["public", "restricted"] = "public",
           ) -> tuple[str, set[ox.Quad]]:
    """A store of the example data and one triple in its default graph (``access``); its
    quads."""
    location = str(tmp_path / "store")
    with open_store(location) as opened:
        ensure_example(opened, imported_by="test")
        if access != "public":
            describe_default(opened, access)
        graphstore.add(opened, DEFAULT_GRAPH, [OWN], who="test")
        native = opened.native
        assert native is not None
        quads = set(native.quads_for_pattern(None, None, None, None))
    return location, quads


def _export(location: str, fmt: str, *options: str) -> bytes:
    result = CliRunner().invoke(main, ["export", "--store", location, "--format", fmt,
                                       *options])
    assert result.exit_code == 0, result.output
    return result.stdout_bytes


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_an_export_of_every_graph_restores_the_same_store(tmp_path: Path, fmt: str) -> None:
    location, quads = _store(tmp_path)
    assert ox.Quad(OWN.subject, OWN.predicate, OWN.object, ox.DefaultGraph()) in quads
    fresh = ox.Store()   # blank node labels kept, for an exact comparison
    fresh.extend(ox.parse(_export(location, fmt, "--all-graphs"), FORMATS[fmt]))
    assert set(fresh.quads_for_pattern(None, None, None, None)) == quads


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize(("access", "shown"), [("public", True), ("restricted", False)])
def test_a_public_export_holds_the_default_graph_when_it_is_public(
        tmp_path: Path, fmt: str, access: Literal["public", "restricted"], shown: bool,
) -> None:
    location, _ = _store(tmp_path, access)
    quads = list(ox.parse(_export(location, fmt), FORMATS[fmt]))
    own = [q.triple for q in quads if q.graph_name == ox.DefaultGraph()]
    assert own == ([OWN] if shown else [])
