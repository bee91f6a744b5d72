"""Contributions: ``civicgraph template``, ``civicgraph import`` and ``civicgraph forget``."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Any

import click

from api.commands.base import (
    main,
    reports_errors,
    server_option,
    settings_from,
    store_option,
)
from graph.ingest.spreadsheets.columns import KINDS, ORDER


@main.command()
@click.argument("kind", type=click.Choice(ORDER))
@click.option("--format", "format_", type=click.Choice(["csv", "xlsx"]), default="csv",
              show_default=True, help="File format of the template.")
@click.option("--lang", type=click.Choice(["fr", "en"]), default="fr", show_default=True,
              help="Language of the column headers.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write (default: KIND.csv or KIND.xlsx in the current directory).")
def template(kind: str, format_: str, lang: str, output: Path | None) -> None:
    """Write an empty spreadsheet template for KIND, with one example row to replace."""
    from graph.ingest.spreadsheets.templates import template as make

    path = output or Path(f"{KINDS[kind].fr if lang == 'fr' else kind}.{format_}")
    path.write_bytes(make(kind, format=format_, lang=lang))
    click.echo(f"civicgraph: wrote the {kind} template to {path}", err=True)


@main.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--source", required=True,
              help='Where the data comes from, e.g. "survey 2026 wave 2"; one source is one '
              "named graph, replaced by each new import of the same source.")
@click.option("--licence", default=None, help="Licence of the data (an IRI, e.g. "
              "https://creativecommons.org/licenses/by/4.0/).")
@click.option("--kind", type=click.Choice(ORDER), default=None,
              help="What the sheets describe, when their names and headers do not say.")
@click.option("--skip-invalid", is_flag=True,
              help="Import the valid rows and leave out the invalid ones (listed in the report).")
@click.option("--report", "report_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write every problem to this CSV file.")
@store_option
@server_option
@click.option("--base-iri", default=None, help="Base of the resource IRIs.")
@reports_errors
def import_(file: Path, source: str, licence: str | None, kind: str | None,
            skip_invalid: bool, report_path: Path | None, **options: Any) -> None:
    """Import a CSV or XLSX FILE of contributions, checking every row first."""
    from api.commands.connection import import_through, server_url
    from graph.ingest.loading import load_vocabulary
    from graph.ingest.spreadsheets import import_spreadsheet
    from graph.store import open_store

    server = options.pop("server")
    settings = settings_from(**options)
    url = server_url(settings, server)
    if url is not None:   # a server holds the store: its spreadsheet door does the import
        report = import_through(url, settings.curator_token, file.read_bytes(), file.name,
                                fields={"source": source, "licence": licence, "kind": kind,
                                        "skip_invalid": str(skip_invalid).lower()})
    else:
        with open_store(settings.store) as store:
            report = import_spreadsheet(
                store, file.read_bytes(), file.name, source=source, licence=licence,
                imported_by=getpass.getuser(), skip_invalid=skip_invalid, kind=kind,
                base=settings.base_iri, threshold=settings.small_count_threshold)
            if report.stored:
                # labels and the practice hierarchy the maps and queries roll up (as `load`)
                load_vocabulary(store, imported_by=getpass.getuser())
    for problem in report.problems:
        click.echo(f"  {problem}", err=True)
    if report_path is not None:
        report_path.write_text(report.to_csv(), encoding="utf-8")
    click.echo(f"civicgraph: {report.summary()}", err=True)
    if report_path is not None:
        click.echo(f"civicgraph: report written to {report_path}", err=True)
    if not report.stored and not report.unchanged:
        raise SystemExit(1)


@main.command()
@click.argument("person")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@store_option
@server_option
@reports_errors
def forget(person: str, yes: bool, **options: Any) -> None:
    """Erase every triple about PERSON (an IRI or an identifier such as personne-01)."""
    from api.commands.connection import forget_through, server_url
    from graph.ingest.writing import erase
    from graph.privacy.persons import person_iri
    from graph.store import open_store

    server = options.pop("server")
    settings = settings_from(**options)
    iri = person_iri(person, settings.base_iri + "id/")
    if not yes:
        click.confirm(f"Erase every triple about <{iri}> from every graph?", abort=True)
    url = server_url(settings, server)
    if url is not None:   # a server holds the store: its erasure route does it
        lines = forget_through(url, settings.curator_token, iri)
    else:
        with open_store(settings.store) as store:
            lines = erase(store, iri, threshold=settings.small_count_threshold).lines()
    for line in lines:
        click.echo(line)
