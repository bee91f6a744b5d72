"""``civicgraph maps`` (the whole set of maps as static files) and ``civicgraph metrics``
(network metrics computed and stored as a named graph with their provenance)."""

from __future__ import annotations

import getpass
from pathlib import Path

import click

from api.commands.base import (
    main,
    reports_errors,
    server_option,
    settings_from,
    store_option,
)


@main.command("maps")
@store_option
@server_option
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder to write the static maps into (created if needed).")
@click.option("--lang", "langs", multiple=True, type=click.Choice(["fr", "en"]),
              help="Languages to write (default: both).")
@click.option("--no-tools", is_flag=True, help="Leave out the map of each tool.")
@click.option("--node-budget", type=int, default=None,
              help="Most nodes a map holds before grouping (default: the setting).")
@reports_errors
def maps_command(out: Path, langs: tuple[str, ...], no_tools: bool, node_budget: int | None,
                 store: str | None, server: str | None) -> None:
    """Write every map, its exports and the gallery as static files for any static host."""
    from api.commands.connection import open_command_store
    from visualisations.site import clean, write_site
    from visualisations.table import load_table

    settings = settings_from(store=store)
    with open_command_store(settings, server, read_only=True) as opened:
        table = load_table(opened, base=settings.base_iri)
    clean(out)
    written = write_site(table, out, langs=langs or ("fr", "en"),
                         budget=node_budget or settings.node_budget, tools=not no_tools)
    click.echo(f"civicgraph: wrote {written.files} files ({written.size / 1e6:.1f} MB) "
               f"into {out}; largest page {written.largest[1] / 1e6:.2f} MB", err=True)


@main.command("metrics")
@store_option
@server_option
@click.option("--projection", "projections", multiple=True,
              type=click.Choice(["org-tool", "tool-tool", "practice-tool"]),
              help="Projection(s) to measure (default: org-tool and tool-tool).")
@click.option("--seed", type=int, default=42, show_default=True,
              help="Seed of Louvain and of the betweenness sample.")
@click.option("--betweenness-k", type=int, default=100, show_default=True,
              help="Betweenness is estimated from this many sources above that many nodes.")
@reports_errors
def metrics_command(projections: tuple[str, ...], seed: int, betweenness_k: int,
                    store: str | None, server: str | None) -> None:
    """Compute degree, weighted degree, betweenness, Louvain communities and bridging tools,
    and store them in the named graph …/graph/metrics/{projection} with their provenance."""
    from api.commands.connection import open_command_store
    from graph.privacy.access import public_graphs
    from visualisations.metrics import write_metrics
    from visualisations.table import METRICS_GRAPH_PREFIX, load_table

    settings = settings_from(store=store)
    with open_command_store(settings, server) as opened:
        sources = [g for g in public_graphs(opened) if METRICS_GRAPH_PREFIX not in g]
        table = load_table(opened, sources, base=settings.base_iri)
        for projection in projections or ("org-tool", "tool-tool"):
            graph, m = write_metrics(opened, projection, table=table, seed=seed,
                                     betweenness_k=betweenness_k, base=settings.base_iri,
                                     imported_by=getpass.getuser())
            bridges = ", ".join(table.label(n) for n in m.bridging[:5]) or "none"
            click.echo(f"{projection}: {m.parameters['nodes']} nodes, "
                       f"{len(set(m.community.values()))} communities; bridging tools: "
                       f"{bridges} -> {graph}")
