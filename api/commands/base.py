"""What every command shares: the ``civicgraph`` group, error reporting, the ``--store`` and
``--server`` options and the settings. The commands import this module, never ``api.cli``
(which imports them).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import click
from pydantic import ValidationError

from api.settings import Settings
from graph import errors

F = TypeVar("F", bound=Callable[..., Any])

#: errors that mean "the command was used wrongly" (exit 2); the others in graph.errors exit 1
USAGE_ERRORS = (
    errors.UnknownQuery, errors.ParameterError, errors.QuerySyntaxError,
    errors.UnknownFormat, errors.ForbiddenOperation,
)


def _fail(error: errors.CivicgraphError) -> None:
    click.echo(f"civicgraph: error: {error}", err=True)
    if isinstance(error, errors.ShapeViolation):
        for violation in error.violations:
            click.echo(f"  - {violation}", err=True)
    raise SystemExit(2 if isinstance(error, USAGE_ERRORS) else 1)


def reports_errors(command: F) -> F:
    """Turn civicgraph's own errors into one sentence on stderr and the right exit code."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except errors.CivicgraphError as error:
            _fail(error)

    return wrapper  # type: ignore[return-value]


def store_option(command: F) -> F:
    return click.option(
        "--store", "store", default=None, metavar="PATH|URL|memory",
        help="Store location (default: $CIVICGRAPH_STORE, else the embedded store in "
        "~/.local/share/civicgraph/store).",
    )(command)


def server_option(command: F) -> F:
    return click.option(
        "--server", "server", default=None, metavar="URL",
        help="Work through the civicgraph server at URL, as its curator "
        "($CIVICGRAPH_CURATOR_TOKEN). Default: the server that holds the store, if one does "
        "(found in the store's directory), else the store itself.",
    )(command)


def settings_from(**overrides: Any) -> Settings:
    """Settings from the environment, with the options that were given on the command line;
    a setting with a wrong value is a usage error (exit 2) that names it."""
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as error:
        problems = "; ".join(
            f"CIVICGRAPH_{'_'.join(map(str, e['loc'])).upper()}: "
            f"{e['msg'].removeprefix('Value error, ')}" for e in error.errors())
        raise click.UsageError(f"bad setting: {problems}") from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="civicgraph")
def main() -> None:
    """civicgraph: a linked-data knowledge graph of civic organisations and their tools."""
