"""The errors of the ``graph`` layer.

Every error carries the context a person needs to fix the input (line, node, constraint,
name); ``api/errors.py`` maps them to HTTP status codes in one place, and the CLI maps them
to exit codes.

    CivicgraphError
    ├── InputError                 bad input from a user: a 4xx, exit code 1 or 2
    │   ├── UnknownFormat          a file extension or media type we cannot parse
    │   ├── RdfSyntaxError         the RDF does not parse (line, column)
    │   ├── ShapeViolation         the data parses but breaks SHACL shapes (the report)
    │   ├── QuerySyntaxError       a SPARQL query or update does not parse (message, position)
    │   ├── UnknownQuery           no catalogue query of that name
    │   ├── ParameterError         a catalogue parameter is missing or of the wrong type
    │   ├── ForbiddenOperation     SPARQL that would reach the network (SERVICE, LOAD, ...)
    │   ├── BoundExceeded          input nested or long past a bound of graph.ingest.bounds
    │   ├── UpdateFailed           a well-formed update the engine refused (CLEAR of a missing
    │   │                          graph, CREATE of an existing one): nothing written
    │   ├── SpreadsheetError       a CSV or XLSX file cannot be read (encoding, format, empty)
    │   └── Unwritable             a result the format asked for cannot carry (a character
    │                              XML 1.0 leaves out, an IRI no RDF/XML element is named by)
    ├── NotFound                   no such graph or resource
    ├── QueryHeaderError           a catalogue .rq file has a bad header (a defect: a 500)
    ├── StoreError                 the store failed (I/O, remote server unreachable): a 503
    │   ├── StoreUnavailable       the remote store cannot be reached right now
    │   ├── StoreLocked            another process holds the embedded store (RocksDB's lock)
    │   └── WorkerCrashed          a query worker died on a query (not retried: no Retry-After)
    └── LimitExceeded              a query passed a limit of the service: a 503
        ├── QueryTimeout           it ran longer than the time limit and was stopped
        ├── ResultTooLarge         its result holds more rows than the result cap
        ├── QueryMemoryExceeded    it made its worker use more memory than its share; stopped
        └── WorkersBusy            no query worker was free within the wait allowed; not run
"""

from __future__ import annotations

import signal
from collections.abc import Sequence
from dataclasses import dataclass


def how_it_ended(exitcode: int | None) -> str:
    """How a process ended, in words: the signal that ended it, or its exit code."""
    if exitcode is None:
        return "its pipe closed"
    if exitcode < 0:
        try:
            return f"ended by {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"ended by signal {-exitcode}"
    return f"exit code {exitcode}"


class CivicgraphError(Exception):
    """Base of every error raised on purpose by civicgraph."""


class InputError(CivicgraphError):
    """The input given by a user is wrong; nothing was changed."""


class UnknownFormat(InputError):
    def __init__(self, what: str, known: Sequence[str] = ()) -> None:
        self.what = what
        self.known = tuple(known)
        hint = f" (known: {', '.join(self.known)})" if self.known else ""
        super().__init__(f"unknown RDF format {what!r}{hint}")


class RdfSyntaxError(InputError):
    def __init__(
        self, message: str, *, source: str | None = None, line: int | None = None,
        column: int | None = None,
    ) -> None:
        self.message = message
        self.source = source
        self.line = line
        self.column = column
        where = source or "input"
        if line is not None:
            where += f", line {line}"
            if column is not None:
                where += f", column {column}"
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class Violation:
    """One SHACL validation result, flattened for people and JSON."""

    focus_node: str
    path: str | None
    constraint: str          # e.g. "sh:MinCountConstraintComponent"
    shape: str | None
    message: str
    value: str | None = None
    severity: str = "Violation"

    def __str__(self) -> str:
        path = f" {self.path}" if self.path else ""
        value = f" (value {self.value})" if self.value else ""
        return f"{self.focus_node}{path}: {self.message} [{self.constraint}]{value}"


class ShapeViolation(InputError):
    def __init__(self, violations: Sequence[Violation], *, source: str | None = None) -> None:
        self.violations = tuple(violations)
        self.source = source
        first = str(self.violations[0]) if self.violations else "no details"
        more = f" (and {len(self.violations) - 1} more)" if len(self.violations) > 1 else ""
        super().__init__(
            f"{source or 'input'} does not conform to the shapes: {first}{more}"
        )


class QuerySyntaxError(InputError):
    def __init__(self, message: str, *, line: int | None = None, column: int | None = None) -> None:
        self.message = message
        self.line = line
        self.column = column
        super().__init__(message)


class UnknownQuery(InputError):
    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"no catalogue query named {name!r}")


class ParameterError(InputError):
    def __init__(self, parameter: str, problem: str) -> None:
        self.parameter = parameter
        self.problem = problem
        super().__init__(f"parameter {parameter!r}: {problem}")


class ForbiddenOperation(InputError):
    def __init__(self, operation: str) -> None:
        self.operation = operation
        super().__init__(f"{operation} is not allowed: civicgraph never reaches the network")


class UpdateFailed(InputError):
    """A well-formed SPARQL update the engine refused (``CLEAR`` of a missing graph,
    ``CREATE`` of an existing one): nothing was written; ``message`` is the engine's."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(f"the update failed: {message}")


class QueryFailed(InputError):
    """A well-formed SPARQL query the engine refused to evaluate (a function it does not
    know, …); ``message`` is the engine's."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(f"the query failed: {message}")


class BoundExceeded(InputError):
    """Input past one of the bounds checked before any parser sees it
    (``graph.ingest.bounds``): ``bound`` names it, ``limit`` is its value."""

    def __init__(self, language: str, bound: str, limit: int, *, source: str | None = None,
                 line: int | None = None) -> None:
        self.language = language
        self.bound = bound
        self.limit = limit
        self.source = source
        self.line = line
        where = source or f"the {language}"
        at = f", line {line}" if line is not None else ""
        super().__init__(f"{where}{at}: {bound} is more than {limit} (a bound of civicgraph "
                         f"for {language}, set below what its parsers survive)")


class QueryHeaderError(CivicgraphError):
    """A catalogue query file is malformed; raised when the catalogue is loaded."""

    def __init__(self, name: str, problem: str, *, line: int | None = None) -> None:
        self.name = name
        self.problem = problem
        self.line = line
        where = f"{name}.rq" + (f", line {line}" if line is not None else "")
        super().__init__(f"{where}: {problem}")


class SpreadsheetError(InputError):
    def __init__(self, message: str, *, source: str | None = None, sheet: str | None = None,
                 row: int | None = None) -> None:
        self.message = message
        self.source = source
        self.sheet = sheet
        self.row = row
        where = source or "spreadsheet"
        if sheet is not None:
            where += f", sheet {sheet!r}"
        if row is not None:
            where += f", row {row}"
        super().__init__(f"{where}: {message}")


class Unwritable(InputError):
    """A result or document that the format asked for cannot carry: ``why`` says what and
    where, ``formats`` are the media types that can carry it (a 406 over HTTP)."""

    def __init__(self, why: str, formats: Sequence[str]) -> None:
        self.why = why
        self.formats = tuple(formats)
        super().__init__(f"{why}; ask for one of: {', '.join(self.formats)}")


class NotFound(CivicgraphError):
    def __init__(self, what: str) -> None:
        self.what = what
        super().__init__(f"not found: {what}")


class StoreError(CivicgraphError):
    """The store failed; the request may be retried later."""


class StoreUnavailable(StoreError):
    """The remote store cannot be reached."""


class StoreLocked(StoreError):
    """Another process holds the embedded store: it may still be opened read-only."""


class WorkerCrashed(StoreError):
    """A worker process ended while it ran a query (a crash of the engine on its input)."""


class LimitExceeded(CivicgraphError):
    """A query was stopped because it passed a limit of the service; nothing was returned."""


class QueryTimeout(LimitExceeded):
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        super().__init__(
            f"the query was stopped after {seconds:g} s, the time limit of this service; "
            "make it more selective or add a LIMIT"
        )


class ResultTooLarge(LimitExceeded):
    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(
            f"the result holds more than {limit} rows, the most this service returns; "
            "add a LIMIT or use the dumps"
        )


class QueryMemoryExceeded(LimitExceeded):
    def __init__(self, megabytes: int) -> None:
        self.megabytes = megabytes
        super().__init__(
            f"the query was stopped after using more than {megabytes} MB, the most one query "
            "may use on this service; make it more selective or add a LIMIT"
        )


class WorkersBusy(LimitExceeded):
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        super().__init__(
            f"every query worker stayed busy for {seconds:g} s, the longest a query waits "
            "for one on this service; the query was not run: retry in a few seconds"
        )
