"""Commands that put data in and take it out: load, validate, generate, export, stats."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
import pyoxigraph as ox

from api.cli import main, reports_errors, settings_from, store_option

_DUMP_FORMATS = {"nquads": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG}


@main.command()
@store_option
@click.option("--format", "fmt", type=click.Choice(sorted(_DUMP_FORMATS)), default="nquads",
              show_default=True, help="Syntax of the dump.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file (default: standard output).")
@click.option("--all-graphs", is_flag=True,
              help="Include restricted graphs (persons, memberships, consent).")
@reports_errors
def export(fmt: str, output: Path | None, all_graphs: bool, store: str | None) -> None:
    """Dump the public graphs (or every graph) as N-Quads or TriG."""
    from graph.access import public_graphs
    from graph.store import open_store

    settings = settings_from(store=store)
    with open_store(settings.store) as opened:
        graphs = None if all_graphs else public_graphs(opened)
        if output is None:
            opened.dump(sys.stdout.buffer, _DUMP_FORMATS[fmt], graphs)
            sys.stdout.buffer.flush()
        else:
            with output.open("wb") as out:
                opened.dump(out, _DUMP_FORMATS[fmt], graphs)
            click.echo(f"civicgraph: wrote {output}", err=True)


@main.command()
@store_option
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@reports_errors
def stats(store: str | None, as_json: bool) -> None:
    """Named graphs with their triple counts, access level and source."""
    from graph.access import public_graphs
    from graph.store import open_store

    settings = settings_from(store=store)
    with open_store(settings.store) as opened:
        public = set(public_graphs(opened))
        rows = [
            {"graph": g, "triples": opened.count(g),
             "access": "public" if g in public else "restricted"}
            for g in opened.graphs()
        ]
        total = opened.count()
    if as_json:
        click.echo(json.dumps({"store": settings.store, "quads": total, "graphs": rows},
                              indent=2))
        return
    width = max([len(r["graph"]) for r in rows] + [5])
    for r in rows:
        click.echo(f"{r['graph']:<{width}}  {r['triples']:>10}  {r['access']}")
    click.echo(f"{'total':<{width}}  {total:>10}")

