"""Commands that put data in and take it out: load, validate, generate, export, stats."""

from __future__ import annotations

import getpass
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import click
import pyoxigraph as ox

from api.commands.base import (
    main,
    reports_errors,
    server_option,
    settings_from,
    store_option,
)

if TYPE_CHECKING:
    from graph.store import Store

_DUMP_FORMATS = {"nquads": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG}


@main.command()
@store_option
@server_option
@click.option("--format", "fmt", type=click.Choice(sorted(_DUMP_FORMATS)), default="nquads",
              show_default=True, help="Syntax of the dump.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file (default: standard output).")
@click.option("--all-graphs", is_flag=True,
              help="Include restricted graphs (persons, memberships, consent).")
@reports_errors
def export(fmt: str, output: Path | None, all_graphs: bool, store: str | None,
           server: str | None) -> None:
    """Dump the public graphs (or every graph) as N-Quads or TriG, with the store's own
    default graph (triples without a graph name) when it is public (or every graph asked)."""
    from api.commands.connection import open_command_store
    from graph.privacy.access import default_graph_is_public, public_graphs

    settings = settings_from(store=store)
    with open_command_store(settings, server, read_only=True) as opened:
        graphs = None if all_graphs else public_graphs(opened)
        own = all_graphs or default_graph_is_public(opened)
        if output is None:
            _dump(opened, sys.stdout.buffer, _DUMP_FORMATS[fmt], graphs, own)
            sys.stdout.buffer.flush()
        else:
            with output.open("wb") as out:
                _dump(opened, out, _DUMP_FORMATS[fmt], graphs, own)
            click.echo(f"civicgraph: wrote {output}", err=True)


def _dump(store: Store, out: BinaryIO, fmt: ox.RdfFormat, graphs: list[str] | None,
          own: bool) -> None:
    """``graphs`` of ``store`` (None: every named graph) to ``out``, then, when ``own``, the
    store's own default graph, read whole (TriG: outside any graph block, full IRIs)."""
    from graph.publishing.service import default_graph_triples

    store.dump(out, fmt, graphs)
    if own:
        ox.serialize((ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph())
                      for t in default_graph_triples(store)), out, fmt)


@main.command()
@store_option
@server_option
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@reports_errors
def stats(store: str | None, server: str | None, as_json: bool) -> None:
    """Named graphs with their triple counts, access level and source."""
    from api.commands.connection import open_command_store
    from graph.privacy.access import public_graphs

    settings = settings_from(store=store)
    with open_command_store(settings, server, read_only=True) as opened:
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
    width = max([len(str(r["graph"])) for r in rows] + [5])
    for r in rows:
        click.echo(f"{r['graph']:<{width}}  {r['triples']:>10}  {r['access']}")
    click.echo(f"{'total':<{width}}  {total:>10}")



@contextmanager
def _progress_bar(label: str, enabled: bool) -> Iterator[Any]:
    """A progress callback for ``graph.ingest.loading`` drawing one bar per stage on stderr."""
    bars: dict[str, Any] = {}

    def progress(stage: str, done: int, total: int | None) -> None:
        if not enabled:
            return
        bar = bars.get(stage)
        if bar is None:
            bar = click.progressbar(length=total or 0, label=f"{label}: {stage}",
                                    file=sys.stderr, show_pos=stage == "write")
            bar.__enter__()
            bars[stage] = bar
        if total:
            bar.length = total
        bar.update(done - bar.pos)

    try:
        yield progress
    finally:
        for bar in bars.values():
            bar.__exit__(None, None, None)


@main.command()
@store_option
@server_option
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--graph", "graph_iri", help="Named graph to replace (default: "
              "{base}graph/{file name without extension}). Quads files also fill their own graphs.")
@click.option("--format", "fmt", help="RDF syntax (default: from the file extension): turtle, "
              "trig, n-triples, n-quads, json-ld, rdf/xml, or a media type.")
@click.option("--source", "source_label", help="Where the data comes from (dcterms:source).")
@click.option("--title", help="Title of the named graph.")
@click.option("--licence", default="https://creativecommons.org/licenses/by/4.0/",
              show_default=True, help="Licence IRI of the data.")
@click.option("--restricted", is_flag=True,
              help="Mark the graph restricted (persons, memberships): never public.")
@click.option("--no-validate", is_flag=True, help="Skip the SHACL validation (not advised).")
@click.option("--by", "imported_by", help="Who imports (default: your login name).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@reports_errors
def load(files: tuple[Path, ...], graph_iri: str | None, fmt: str | None,
         source_label: str | None, title: str | None, licence: str, restricted: bool,
         no_validate: bool, imported_by: str | None, quiet: bool, store: str | None,
         server: str | None) -> None:
    """Validate RDF files and load each into its own named graph, all or nothing per file.

    \b
    Formats: Turtle, TriG, N-Triples, N-Quads, JSON-LD, RDF/XML.
    Example:
      civicgraph load survey-2025.ttl --source "survey 2025 wave 2"
    """
    from api.commands.connection import ServerStore, open_command_store
    from graph.ingest.loading import import_source, load_vocabulary
    from graph.namespaces import graph_iri as make_graph_iri
    from graph.privacy.persons import refresh_public_view

    if graph_iri and len(files) > 1:
        raise click.UsageError("--graph names one graph: give one file with it")
    settings = settings_from(store=store)
    with open_command_store(settings, server) as opened:
        # queries roll concepts up their schemes: the vocabulary goes with any data
        load_vocabulary(opened, imported_by=imported_by or getpass.getuser())
        for path in files:
            target = graph_iri or make_graph_iri(_graph_name(path), settings.base_iri)
            with _progress_bar(path.name, enabled=not quiet and sys.stderr.isatty()) as bar:
                report = import_source(
                    opened, path, graph=target, format=fmt, source_label=source_label,
                    title=title, licence=licence, imported_by=imported_by or getpass.getuser(),
                    access="restricted" if restricted else "public",
                    validate=not no_validate, progress=bar,
                )
            for warning in report.warnings:
                click.echo(f"civicgraph: warning: {warning}", err=True)
            verb = "loaded" if report.changed else "unchanged:"
            click.echo(f"{verb} {path} -> " + ", ".join(
                f"{g} ({n} triples)" for g, n in report.graphs.items()))
        if restricted and not isinstance(opened, ServerStore):
            # (a server derives the public view of persons after each curator write itself)
            refresh_public_view(opened, threshold=settings.small_count_threshold)


def _graph_name(path: Path) -> str:
    import re

    name = re.sub(r"[^a-z0-9]+", "-", path.name.split(".")[0].lower()).strip("-")
    return name or "data"


@main.command()
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", help="RDF syntax (default: from the file extension).")
@click.option("--profile", type=click.Choice(["core", "public"]), default="core",
              show_default=True,
              help="Shapes to check: the core data shapes, or the public-profile shapes "
              "(no personal data without consent) for a public export.")
@reports_errors
def validate(files: tuple[Path, ...], fmt: str | None, profile: str) -> None:
    """Check RDF files against the SHACL shapes without loading them (exit 1 if they fail)."""
    from graph.errors import ShapeViolation
    from graph.ingest.loading import parse, rdf_format
    from graph.ingest.validation import errors as violations_in
    from graph.ingest.validation import validate as run_shapes
    from graph.vocabulary import shapes_path

    failed: list[Exception] = []
    for path in files:
        parsed = parse(path.read_bytes(), rdf_format(fmt or path), source=path.name)
        results = run_shapes(parsed, shapes_path(profile))  # type: ignore[arg-type]
        found = violations_in(results)
        for warning in (r for r in results if r.severity != "Violation"):
            click.echo(f"civicgraph: warning: {path.name}: {warning}", err=True)
        if found:
            error = ShapeViolation(found, source=path.name)
            click.echo(f"civicgraph: error: {error}", err=True)
            for violation in found:
                click.echo(f"  - {violation}", err=True)
            failed.append(error)
        else:
            click.echo(f"{path}: conforms to the {profile} shapes")
    if failed:
        raise SystemExit(1)


@main.command()
@click.option("--organisations", "-n", type=click.IntRange(min=1), required=True,
              help="Number of organisations (about 100 triples each).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write, in the syntax its extension names (ttl, nt, nq, trig, "
              "jsonld, rdf); default: N-Triples on standard output.")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed.")
@reports_errors
def generate(organisations: int, output: Path | None, seed: int) -> None:
    """Write a deterministic synthetic dataset of the example's shape (for benchmarks)."""
    from graph.samples.synthetic import format_for, write

    if output is None:
        write(organisations, sys.stdout.buffer, seed=seed)
        sys.stdout.buffer.flush()
        return
    fmt = format_for(output)
    count = write(organisations, output, seed=seed, format=fmt)
    click.echo(f"civicgraph: wrote {count} triples to {output}", err=True)
