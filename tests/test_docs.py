"""Everything a user can set, run or request is documented in ``docs/`` (datasette's
``tests/test_docs.py`` is the model): the settings, the commands and options of
``civicgraph``, the HTTP routes and the spreadsheet columns are read from the code, so a new
one without its documentation fails here. Links between the documents point at files that
exist.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import click
import pytest
from starlette.routing import Mount

from api.app import create_app
from api.cli import main
from api.settings import Settings
from graph.ingest.spreadsheets.columns import columns_markdown
from graph.queries.catalogue import list_queries
from graph.store import open_store

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def read(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def table_rows(text: str) -> list[list[str]]:
    """The rows of every Markdown table in ``text``, as lists of cells (``\\|`` kept whole)."""
    rows = []
    for line in text.splitlines():
        if line.startswith("|") and not re.fullmatch(r"\|[-| :]+\|", line):
            cells = re.split(r"(?<!\\)\|", line.strip())[1:-1]
            rows.append([cell.strip() for cell in cells])
    return rows


# -- settings ----------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_every_setting_is_documented(name: str) -> None:
    variable = f"`CIVICGRAPH_{name.upper()}`"
    documented = [row for row in table_rows(read("settings.md")) if row and row[0] == variable]
    assert documented, f"{variable} has no row in docs/settings.md (variable | default | meaning)"
    assert all(len(row) == 3 and row[2] for row in documented), f"{variable}: empty meaning"


def test_settings_docs_name_only_real_settings() -> None:
    names = {f"`CIVICGRAPH_{name.upper()}`" for name in Settings.model_fields}
    rows = [row[0] for row in table_rows(read("settings.md"))[1:]]
    assert set(rows) <= names, f"docs/settings.md documents unknown settings: {set(rows) - names}"


# -- the command line --------------------------------------------------------------------------

def commands(group: click.Group, prefix: str = "civicgraph") -> Iterator[tuple[str, click.Command]]:
    """Every command of ``group``, sub-groups included, with its full name."""
    for name, command in sorted(group.commands.items()):
        yield f"{prefix} {name}", command
        if isinstance(command, click.Group):
            yield from commands(command, f"{prefix} {name}")


COMMANDS = dict(commands(main))


def section(text: str, heading: str) -> str | None:
    """The text under the ``## heading``, up to the next heading of that level or above."""
    found = re.search(rf"^## {re.escape(heading)}\s*$(.*?)(?=^#{{1,2}} |\Z)", text, re.M | re.S)
    return found.group(1) if found else None


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_and_option_is_documented(name: str) -> None:
    body = section(read("cli.md"), f"`{name}`")
    assert body is not None, f"docs/cli.md has no section '## `{name}`'"
    options = [p for p in COMMANDS[name].params if isinstance(p, click.Option)]
    missing = [option for p in options for option in p.opts + p.secondary_opts
               if f"`{option}`" not in body]
    assert not missing, f"docs/cli.md, section `{name}`, lacks the options {missing}"


# -- HTTP routes -------------------------------------------------------------------------------

@cache
def application_routes() -> frozenset[tuple[str, str]]:
    """(method, path) of every route of the application; a mount is ``{path}/{path}``."""
    app = create_app(Settings(store="memory", query_workers=0), open_store("memory"))
    found: set[tuple[str, str]] = set()
    for route in app.routes:
        # FastAPI >= 0.120 keeps an included router whole; its routes are its contexts
        contexts = getattr(route, "effective_route_contexts", None)
        for item in contexts() if contexts is not None else [route]:
            if isinstance(item, Mount):
                found.add(("GET", f"{item.path}/{{path}}"))
                continue
            path: str = getattr(item, "path", "")
            found |= {(method, path) for method in getattr(item, "methods", None) or ()
                      if method != "HEAD"}   # every GET answers HEAD (api/head.py): said once
    # each catalogue query also has its own path, for OpenAPI: documented as /queries/{name}
    catalogue = {f"/queries/{query.name}" for query in list_queries()}
    return frozenset((method, path) for method, path in found if path not in catalogue)


def documented_routes() -> set[tuple[str, str]]:
    documented = set()
    for row in table_rows(read("routes.md")):
        if len(row) == 3 and row[1].startswith("`/"):
            documented |= {(method.strip(), row[1].strip("`")) for method in row[0].split(",")
                           if method.strip() != "HEAD"}
    return documented


def test_routes_are_found() -> None:
    # the walk above must see inside the included routers, or the next test proves nothing
    assert {("GET", "/sparql"), ("POST", "/store"), ("GET", "/maps/{name}")} <= application_routes()


def test_every_route_is_documented() -> None:
    missing = sorted(application_routes() - documented_routes(), key=lambda r: (r[1], r[0]))
    assert not missing, f"docs/routes.md has no row (method | path | what) for {missing}"


def test_routes_docs_name_only_real_routes() -> None:
    unknown = sorted(documented_routes() - application_routes() - {("GET", "/queries/{name}")})
    assert not unknown, f"docs/routes.md documents routes the application lacks: {unknown}"


# -- spreadsheets ------------------------------------------------------------------------------

def test_spreadsheet_columns_are_documented() -> None:
    assert columns_markdown().rstrip("\n") in read("spreadsheets.md"), (
        "docs/spreadsheets.md is not up to date: paste the output of "
        "graph.ingest.spreadsheets.columns.columns_markdown() under its last heading")


# -- links -------------------------------------------------------------------------------------

DOCUMENTS = sorted([ROOT / "README.md", *DOCS.glob("*.md")])


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: p.name)
def test_relative_links_point_at_files_that_exist(document: Path) -> None:
    text = document.read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text)
    broken = [t for t in targets if "://" not in t and not (document.parent / t).exists()]
    assert not broken, f"{document.name} links to files that do not exist: {broken}"


def test_the_readme_sends_reference_material_to_docs() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert ".ci/serve" in readme and ".ci/test" in readme
    assert "`CIVICGRAPH_QUERY_TIMEOUT` |" not in readme, "the settings table lives in docs/"
    for name in ("settings", "cli", "routes", "spreadsheets", "deployment", "MODEL",
                 "architecture"):
        assert f"(docs/{name}.md)" in readme, f"the README does not link docs/{name}.md"
