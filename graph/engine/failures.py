"""A query worker's failure as it crosses the pipe to the server: errors travel as tuples
(civicgraph's errors have keyword constructors that pickle badly), described in the worker
(``describe``) and made again in the server (``rebuild``)."""

from __future__ import annotations

from typing import Any

from graph.errors import (
    ForbiddenOperation,
    QueryFailed,
    QuerySyntaxError,
    ResultTooLarge,
    StoreError,
    Unwritable,
)


def describe(error: Exception) -> tuple[Any, ...]:
    """``error`` as a tuple a pipe carries (its kind, then its arguments)."""
    if isinstance(error, QuerySyntaxError):
        return ("syntax", error.message, error.line, error.column)
    if isinstance(error, ForbiddenOperation):
        return ("forbidden", error.operation)
    if isinstance(error, ResultTooLarge):
        return ("too-large", error.limit)
    if isinstance(error, Unwritable):
        return ("unwritable", error.why, error.formats)
    if isinstance(error, (OSError, StoreError)):
        return ("store", f"{error}")
    if isinstance(error, QueryFailed) or type(error) is RuntimeError:
        # pyoxigraph's evaluation errors (an unknown function, …): the query's fault
        return ("engine", getattr(error, "message", f"{error}"))
    return ("internal", f"{type(error).__name__}: {error}")


def rebuild(kind: str, *args: Any) -> Exception:
    """The error ``describe`` gave as ``(kind, *args)``."""
    if kind == "syntax":
        message, line, column = args
        return QuerySyntaxError(message, line=line, column=column)
    if kind == "forbidden":
        return ForbiddenOperation(args[0])
    if kind == "too-large":
        return ResultTooLarge(args[0])
    if kind == "unwritable":
        return Unwritable(args[0], args[1])
    if kind == "store":
        return StoreError(args[0])
    if kind == "engine":
        return QueryFailed(args[0])
    return RuntimeError(f"query worker failed: {args[0]}")


__all__ = ["describe", "rebuild"]
