"""Commands that ask questions: ``query`` and ``catalogue``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
import pyoxigraph as ox

from api.commands.base import (
    main,
    reports_errors,
    server_option,
    settings_from,
    store_option,
)

_RESULT_FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
    "xml": ox.QueryResultsFormat.XML,
}


def _parse_params(pairs: tuple[str, ...]) -> dict[str, str]:
    params: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"{pair!r} is not NAME=VALUE", param_hint="--param")
        params[name] = value
    return params


def _cell(term: Any) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.Literal):
        return term.value
    if isinstance(term, ox.NamedNode):
        return term.value
    return str(term)


def _print_table(result: ox.QuerySolutions, hide: frozenset[str] = frozenset()) -> None:
    names = [v.value for v in result.variables if v.value not in hide]
    rows = [[_cell(row[name]) for name in names] for row in result]
    widths = [max([len(n), *(len(r[i]) for r in rows)]) for i, n in enumerate(names)]
    line = "  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True))
    click.echo(line)
    click.echo("  ".join("-" * w for w in widths))
    for r in rows:
        click.echo("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)))
    click.echo(f"({len(rows)} row{'s' if len(rows) != 1 else ''})", err=True)


def write_result(result: Any, fmt: str, hide: frozenset[str] = frozenset()) -> None:
    """Write a query result to stdout: a table (without the ``hide`` columns), a W3C results
    format, or N-Triples."""
    out = sys.stdout.buffer
    if isinstance(result, ox.QueryBoolean):
        if fmt == "table":
            click.echo("true" if bool(result) else "false")
        else:
            result.serialize(out, _RESULT_FORMATS[fmt])
    elif isinstance(result, ox.QuerySolutions):
        if fmt == "table":
            _print_table(result, hide)
        else:
            result.serialize(out, _RESULT_FORMATS[fmt])
    else:  # CONSTRUCT / DESCRIBE: triples
        ox.serialize(result, out, ox.RdfFormat.N_TRIPLES)
    out.flush()


def _read_query(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise click.BadParameter(f"{path} is not UTF-8 (byte {error.start})",
                                 param_hint="--file") from None


@main.command()
@store_option
@server_option
@click.argument("sparql", required=False)
@click.option("--file", "file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Read the SPARQL query from this file.")
@click.option("--name", help="Run the catalogue query of this name (see `civicgraph catalogue`).")
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE",
              help="A catalogue parameter; repeat for several.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv", "tsv", "xml"]),
              default="table", show_default=True, help="Output format of SELECT/ASK results.")
@click.option("--all-graphs", is_flag=True,
              help="Query every graph, restricted ones included (default: public graphs).")
@reports_errors
def query(sparql: str | None, file: Path | None, name: str | None, params: tuple[str, ...],
          fmt: str, all_graphs: bool, store: str | None, server: str | None) -> None:
    """Run a SPARQL query (text, --file) or a catalogue query (--name) on the store.

    \b
    Examples:
      civicgraph query 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }'
      civicgraph query --name tools-by-practice -p practice=decision-making --format csv
    """
    from api.commands.connection import open_command_store
    from graph.privacy.access import public_graphs
    from graph.queries.catalogue import get_query
    from graph.sparql.request import analyse_query

    given = [x for x in (sparql, file, name) if x]
    if len(given) != 1:
        raise click.UsageError("give exactly one of SPARQL text, --file or --name")
    if params and not name:
        raise click.UsageError("--param goes with --name")
    settings = settings_from(store=store)
    with open_command_store(settings, server, read_only=True) as opened:
        graphs = None if all_graphs else public_graphs(opened)
        if name:
            entry = get_query(name)
            text, bindings = entry.sparql, entry.bind(_parse_params(params))
            # Oxigraph substitutes only projected variables, so parameters come back as
            # columns; the table leaves them out (the W3C formats keep them, as data)
            hidden = frozenset(p.name for p in entry.params)
        else:
            text = _read_query(file) if file else str(sparql)
            analyse_query(text)  # SERVICE would reach the network: refused (exit 2)
            bindings, hidden = {}, frozenset()
        result = opened.query(text, substitutions=bindings, default_graph=graphs,
                              named_graphs=graphs)
        write_result(result, fmt, hidden)


@main.command()
@click.option("--lang", type=click.Choice(["en", "fr"]), default="en", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the catalogue as JSON.")
@reports_errors
def catalogue(lang: str, as_json: bool) -> None:
    """List the catalogue of research queries with their parameters."""
    from graph.queries.catalogue import list_queries

    entries = list_queries()
    if as_json:
        click.echo(json.dumps([e.describe() for e in entries], ensure_ascii=False, indent=2))
        return
    for entry in entries:
        click.echo(f"{entry.name}: {entry.title(lang)}")
        for param in entry.params:
            default = f" (default {param.default})" if param.default is not None else ""
            optional = " optional" if param.optional else ""
            click.echo(f"    --param {param.name}=<{param.type}>{optional}{default}")

