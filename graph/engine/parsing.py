"""Untrusted text is read in a parser process: a parser that dies on its input costs that
process, never the server.

Why. Oxigraph's parsers (SPARQL, Turtle, JSON-LD, RDF/XML) follow their input's nesting on
the native stack, and past it the process ends (SIGSEGV: no exception to catch; a thread with
a small stack dies the same way, taking the process with it). rdflib's SPARQL parser, which
the privacy guard reads updates with, recurses too, and its algebra takes time quadratic in an
update's size. The bounds (``graph.ingest.bounds``) refuse, on tokens, what is deeper than the
parsers were seen to survive; this module is the second line, for what a bound did not foresee.

What is read here, in a spawned process, in a thread whose stack is ``PARSE_STACK`` (1 MiB,
an eighth of a server thread's 8 MiB: a text that parses here parses there):

- **RDF bodies** of the Graph Store (``rdf_triples``): bounds, RDF/XML entities, the parse
  with fresh blank nodes (a document's ``_:x`` is its own: RDF 1.1 Concepts §3.5, so a POST
  never joins a node already in the store); the triples come back as N-Triples, a flat format
  the server reads in one linear pass;
- **SPARQL updates** (``prepare_update``): ``using-graph-uri`` written in, bounds, SERVICE and
  LOAD refused, Oxigraph's own parse (the update run on an empty memory store), the graphs it
  names; then ``update_findings``: the privacy guard's reading (``graph.sparql.update_guard``).
  The server then runs the update itself (scratch copy, then the store) — a parse that has
  just passed with an eighth of the stack;
- **query text** longer than ``INLINE_BYTES`` (1 KiB; ``analyse_query``): bounds, SERVICE
  refused, form and dataset. Shorter texts (a lookup, most hand-written queries) are analysed
  in the server, where they cost a few milliseconds of lexing at worst; a 1 MiB hostile text
  costs it nothing but the round trip.

Tokens. Oxigraph's RDF parsers read a token (literal, IRI) of ``TOKEN_BYTES`` (16 MiB) at
most (``MemoryError`` past it), and N-Triples are read again (the flat triples, the store's
dumps): a longer one, as sent or as N-Triples, is a ``BoundExceeded`` (400, with its line).

Failures. A parse that ends its process (a crash) raises ``ParserCrashed``, one that takes
more than its time limit ``ParseTimeout`` (both 400: the input's fault); the process is
replaced, and the client it ran for (``graph.engine.execution.CLIENT``) is counted as stopped:
for ``STOPPED_MEMORY`` seconds its next texts are read only by a parser free at once, else
refused with ``WorkersBusy`` (503 and Retry-After), as its queries are at the query workers.
A client holds at most half the parsers at once (``share``): its other texts wait for its own,
so that one client sending long texts never keeps another's waiting for a parser.
Errors of the input (``graph.errors``) come back as they were raised.

``Parsers(size=0)`` reads in the calling thread (a library use without processes); the server
uses ``parsers()``, one pool per process, started on first use and stopped at exit.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import multiprocessing
import threading
import time
from collections import Counter
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, Final, cast

import graph.errors as errors
from graph.errors import BoundExceeded, InputError, StoreUnavailable, WorkersBusy
from graph.sparql.request import QueryInfo

log = logging.getLogger(__name__)

#: the stack of the thread a parser process reads in (the server's threads have 8 MiB)
PARSE_STACK: Final = 1 << 20
#: query texts up to this size are analysed in the server process
INLINE_BYTES: Final = 1024
#: seconds a text may take to be read (a 64 MiB Turtle body takes about 10 s)
PARSE_TIMEOUT: Final = 120.0
#: parser processes at most
SIZE: Final = 2
#: seconds a client that crashed or outlasted a parser is counted as stopped
STOPPED_MEMORY: Final = 60.0
#: seconds to wait for a parser process to start
START_LIMIT: Final = 30.0
#: the longest token (literal, IRI) Oxigraph's RDF parsers read (their buffer), and its bound
TOKEN_BYTES: Final = 16 * 1024 * 1024
LENGTH_BOUND: Final = "the length in bytes of one token (a literal or an IRI)"


class ParserCrashed(InputError):
    """The parser process ended while it read the input (a crash of a parser on it)."""

    def __init__(self, what: str) -> None:
        self.what = what
        super().__init__(f"{what} could not be read: the parser stopped on it (nesting or size "
                         "past what it survives); nothing was written")


class ParseTimeout(InputError):
    def __init__(self, what: str, seconds: float) -> None:
        self.what = what
        self.seconds = seconds
        super().__init__(f"{what} took more than {seconds:g} s to read; nothing was written")


@dataclass(frozen=True)
class PreparedUpdate:
    """What the parser process read of an update."""

    #: the update as it will run (``using-graph-uri`` written in as ``USING``)
    text: str
    #: the named graphs it names
    named: frozenset[str]
    #: whether it may touch any graph (``GRAPH ?g``, ``ALL``, ``NAMED``)
    every: bool
    #: whether it is made of ``INSERT DATA`` / ``DELETE DATA`` only (checked as data alone)
    data_only: bool


# -- what a parser process runs ----------------------------------------------------------------

def rdf_triples(data: bytes, format_name: str, base_iri: str | None, source: str,
                fresh_blank_nodes: bool = True) -> bytes:
    """The triples of ``data`` (RDF in the ``pyoxigraph.RdfFormat`` named ``format_name``) as
    N-Triples, after the bounds and the RDF/XML entity check; ``RdfSyntaxError`` with line and
    column when it does not parse, ``BoundExceeded`` for a token past ``TOKEN_BYTES``. Blank
    nodes get fresh labels unless ``fresh_blank_nodes`` is false (one label, one node, within
    the document either way)."""
    import pyoxigraph as ox

    from graph.errors import RdfSyntaxError
    from graph.ingest.bounds import check
    from graph.ingest.rdfxml import check_entities

    fmt = next(f for f in _rdf_formats() if f.name == format_name)
    check(data, fmt.name, source=source)
    if fmt == ox.RdfFormat.RDF_XML:
        check_entities(data, source=source)
    try:
        quads = list(ox.parse(data, format=fmt, base_iri=base_iri,
                              rename_blank_nodes=fresh_blank_nodes))
    except MemoryError as error:
        if "buffer maximal size" not in str(error):
            raise
        raise BoundExceeded(fmt.name, LENGTH_BOUND, TOKEN_BYTES, source=source,
                            line=_long_token_line(data)) from None
    except SyntaxError as error:
        raise RdfSyntaxError(str(error.msg or error), source=source, line=error.lineno,
                             column=error.offset) from None
    except ValueError as error:  # e.g. a relative IRI without a base
        raise RdfSyntaxError(str(error), source=source) from None
    if fmt == ox.RdfFormat.N3 and any(isinstance(q.graph_name, ox.BlankNode) for q in quads):
        # pyoxigraph gives a formula's triples in a graph of their own: flattened, a rule's
        # premise and conclusion would be stored as facts
        raise RdfSyntaxError("an N3 formula ({ ... }, a rule or a quoted statement) says "
                             "something of triples without asserting them: send its plain "
                             "triples only", source=source)
    flat = ox.serialize([q.triple for q in quads], format=ox.RdfFormat.N_TRIPLES) or b""
    if _long_line(flat):
        # N-Triples escapes (a newline in two bytes, a control character in six) made it long
        raise BoundExceeded(fmt.name, LENGTH_BOUND + " written as N-Triples", TOKEN_BYTES,
                            source=source)
    return flat


def _long_line(flat: bytes) -> bool:
    """Whether N-Triples ``flat`` has a token past ``TOKEN_BYTES`` (a line is a triple)."""
    import pyoxigraph as ox

    start = 0
    while len(flat) > TOKEN_BYTES and start < len(flat):
        end = flat.find(b"\n", start) % (len(flat) + 1)   # -1: the end
        try:
            if end - start > TOKEN_BYTES:
                list(ox.parse(flat[start:end], format=ox.RdfFormat.N_TRIPLES))
        except MemoryError:
            return True
        start = end + 1
    return False


def _long_token_line(data: bytes) -> int | None:
    """The line of the longest token of ``data`` (Oxigraph does not say), or None; the lexer
    of SPARQL and Turtle reads JSON's strings too."""
    from graph.sparql.lexer import line_of, tokens

    text = data.decode("utf-8", "replace")
    longest = max(tokens(text, spaces=False), key=lambda t: len(t.text), default=None)
    if longest is None or len(longest.text.encode()) < TOKEN_BYTES // 2:
        return None
    return line_of(text, longest.start)


def long_sparql_token(text: str) -> None:
    """``BoundExceeded`` for a literal or an IRI of ``text`` longer than ``TOKEN_BYTES`` as
    N-Triples (the store's own N-Triples, the write path's and the snapshots', are read)."""
    import pyoxigraph as ox

    from graph.sparql.lexer import line_of, tokens

    if len(text) <= TOKEN_BYTES // 6:   # an escape is at most six bytes
        return
    for token in tokens(text, spaces=False):
        size = len(token.text)
        if size <= TOKEN_BYTES // 6:
            continue
        if token.kind in ("STRING", "OPEN_STRING"):
            quote = 3 if token.text[:3] in ('"""', "'''") else 1
            # the body's backslashes are written again: at most a byte too many an escape
            size = len(str(ox.Literal(token.text[quote:-quote] or "")).encode())
        else:
            size = len(token.text.encode())
        if size > TOKEN_BYTES:
            raise BoundExceeded("SPARQL", LENGTH_BOUND, TOKEN_BYTES, source="the update",
                                line=line_of(text, token.start))


def _rdf_formats() -> list[Any]:
    import pyoxigraph as ox

    return [ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES, ox.RdfFormat.RDF_XML,
            ox.RdfFormat.JSON_LD, ox.RdfFormat.N3, ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS]


def prepare_update(text: str, using: Sequence[str], using_named: Sequence[str]
                   ) -> PreparedUpdate:
    """Read the update ``text``: ``QuerySyntaxError`` (with line and column),
    ``ForbiddenOperation`` or ``BoundExceeded`` when it may not run."""
    import pyoxigraph as ox

    from graph.sparql.request import analyse_update, syntax_error, with_using
    from graph.sparql.update_guard import data_graphs, graphs_of

    text = with_using(text, using, using_named)
    analyse_update(text)
    long_sparql_token(text)
    try:
        ox.Store().update(text)   # Oxigraph's parse, on an empty store (evaluation is trivial)
    except SyntaxError as error:
        raise syntax_error(error) from None
    except (RuntimeError, OSError, ValueError):
        pass   # a well-formed update the empty store refuses: the store's run will tell
    data = data_graphs(text)
    if data is not None:
        return PreparedUpdate(text, frozenset(data), False, True)
    named, every = graphs_of(text)
    return PreparedUpdate(text, frozenset(named), every, False)


def update_findings(text: str, public: frozenset[str]) -> list[errors.Violation]:
    """The privacy guard's findings on ``text`` for the graphs ``public``."""
    from graph.sparql.update_guard import findings

    return findings(text, public)


def analyse_query(text: str) -> QueryInfo:
    from graph.sparql.request import analyse_query as analyse

    return analyse(text)


_JOBS: Final[dict[str, Callable[..., Any]]] = {
    "rdf": rdf_triples, "update": prepare_update, "findings": update_findings,
    "query": analyse_query,
}


def _serve(conn: Connection) -> None:
    """A parser process: read jobs in a thread of ``PARSE_STACK`` bytes of stack."""
    threading.stack_size(PARSE_STACK)
    reader = threading.Thread(target=_loop, args=(conn,), name="civicgraph-parser")
    reader.start()
    reader.join()


def _loop(conn: Connection) -> None:
    conn.send(("ready",))
    while True:
        try:
            name, args = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        try:
            conn.send(("ok", _JOBS[name](*args)))
        except Exception as error:
            conn.send(("error", *_describe(error)))


def _describe(error: Exception) -> tuple[Any, ...]:
    """An error as it travels: civicgraph's own by class name and attributes (their keyword
    constructors do not pickle), anything else as its text."""
    kind = type(error)
    if isinstance(error, errors.CivicgraphError) and getattr(errors, kind.__name__, None) is kind:
        return ("civicgraph", kind.__name__, str(error), dict(vars(error)))
    return ("internal", f"{kind.__name__}: {error}")


def _rebuild(kind: str, *args: Any) -> Exception:
    if kind == "civicgraph":
        name, message, attributes = args
        error: Exception = getattr(errors, name).__new__(getattr(errors, name))
        Exception.__init__(error, message)
        vars(error).update(attributes)
        return error
    return RuntimeError(f"parser process failed: {args[0]}")


# -- the server's side -------------------------------------------------------------------------

class _Parser:
    def __init__(self, context: Any) -> None:
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child,), daemon=True,
                                       name="civicgraph-parser")
        self.process.start()
        child.close()
        try:
            if not self.conn.poll(START_LIMIT):
                raise EOFError
            self.conn.recv()
        except (EOFError, OSError):
            self.kill()
            raise StoreUnavailable("a parser process did not start; retry in a moment") \
                from None

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            self.process.kill()
            self.process.join(5)
        with contextlib.suppress(Exception):
            self.conn.close()


class Parsers:
    """At most ``size`` parser processes (0: read in the calling thread), started on demand."""

    def __init__(self, size: int = SIZE, *, timeout: float = PARSE_TIMEOUT) -> None:
        self.size = size
        self.timeout = timeout
        self._context = multiprocessing.get_context("spawn")
        self._idle: list[_Parser] = []
        #: every parser process started and not lost
        self.processes: set[_Parser] = set()
        self._count = 0
        #: parsers each client holds now; a client may hold ``share`` of them at once, so that
        #: one client's texts never hold every parser while others wait
        self._holding: Counter[Hashable] = Counter()
        self.share = max(1, size // 2)
        self._cond = threading.Condition()
        self._stopped: dict[Hashable, float] = {}
        self._closed = False

    # the jobs
    def rdf_triples(self, data: bytes, format_name: str, *, base_iri: str | None = None,
                    source: str = "request body", fresh_blank_nodes: bool = True) -> bytes:
        return cast(bytes, self._run("rdf", (data, format_name, base_iri, source,
                                             fresh_blank_nodes), source))

    def prepare_update(self, text: str, using: Sequence[str] = (),
                       using_named: Sequence[str] = ()) -> PreparedUpdate:
        return cast(PreparedUpdate, self._run("update", (text, tuple(using), tuple(using_named)),
                                              "the update"))

    def update_findings(self, text: str, public: frozenset[str]) -> list[errors.Violation]:
        return cast(list[errors.Violation], self._run("findings", (text, public), "the update"))

    def analyse_query(self, text: str) -> QueryInfo:
        if len(text) <= INLINE_BYTES:
            return analyse_query(text)
        return cast(QueryInfo, self._run("query", (text,), "the query"))

    # the pool
    def _run(self, name: str, args: tuple[Any, ...], what: str) -> Any:
        if self.size <= 0:
            return _JOBS[name](*args)
        from graph.engine.execution import CLIENT

        client = CLIENT.get()
        parser = self._take(client)
        deadline = time.monotonic() + self.timeout
        try:
            parser.conn.send((name, args))
            if not parser.conn.poll(max(deadline - time.monotonic(), 0.0)):
                raise ParseTimeout(what, self.timeout)
            reply = parser.conn.recv()
        except ParseTimeout:
            self._lose(parser, client)
            raise
        except (EOFError, OSError, BrokenPipeError):
            log.warning("a parser process stopped on %s of client %r", what, client)
            self._lose(parser, client)
            raise ParserCrashed(what) from None
        self._give_back(parser, client)
        if reply[0] == "ok":
            return reply[1]
        raise _rebuild(*reply[1:])

    def _take(self, client: Hashable) -> _Parser:
        stopped = self.recently_stopped(client)
        wait = 0.0 if stopped else self.timeout
        deadline = time.monotonic() + wait
        with self._cond:
            while (not self._idle and self._count >= self.size) or \
                    self._holding[client] >= self.share:
                left = deadline - time.monotonic()
                if left <= 0 or self._closed:
                    raise WorkersBusy(max(wait, 1.0))
                self._cond.wait(left)
            self._holding[client] += 1
            if self._idle:
                return self._idle.pop()
            self._count += 1
        try:
            parser = _Parser(self._context)
        except BaseException:
            with self._cond:
                self._count -= 1
                self._release(client)
            raise
        with self._cond:
            self.processes.add(parser)
        return parser

    def _release(self, client: Hashable) -> None:
        self._holding[client] -= 1
        if self._holding[client] <= 0:
            del self._holding[client]
        self._cond.notify_all()

    def _give_back(self, parser: _Parser, client: Hashable) -> None:
        with self._cond:
            self._release(client)
            if self._closed:
                parser.kill()
                return
            self._idle.append(parser)

    def _lose(self, parser: _Parser, client: Hashable) -> None:
        parser.kill()
        with self._cond:
            self.processes.discard(parser)
            self._count -= 1
            self._stopped[client] = time.monotonic()
            self._release(client)

    def warm(self) -> None:
        """Start one parser process in the background, so that the first text read does not
        wait for a process to start (about a second)."""
        if self.size <= 0:
            return

        def start() -> None:
            with self._cond:
                if self._count or self._closed:
                    return
                self._count += 1
            try:
                parser = _Parser(self._context)
            except Exception:   # the first text read will start one (and say why it cannot)
                with self._cond:
                    self._count -= 1
                    self._cond.notify_all()
                return
            with self._cond:
                self.processes.add(parser)
                if self._closed:
                    parser.kill()
                    return
                self._idle.append(parser)
                self._cond.notify_all()

        threading.Thread(target=start, name="civicgraph-parser-start", daemon=True).start()

    def recently_stopped(self, client: Hashable) -> bool:
        """Whether ``client`` crashed or outlasted a parser in the last ``STOPPED_MEMORY`` s."""
        with self._cond:
            now = time.monotonic()
            for old in [c for c, t in self._stopped.items() if now - t > STOPPED_MEMORY]:
                del self._stopped[old]
            return client in self._stopped

    def close(self) -> None:
        with self._cond:
            self._closed = True
            every, self._idle = list(self.processes), []
            self.processes.clear()
            self._cond.notify_all()
        for parser in every:
            parser.kill()


_POOL: Parsers | None = None
_POOL_LOCK = threading.Lock()


def parsers() -> Parsers:
    """This process's parser pool (started on first use, stopped at exit)."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = Parsers()
            atexit.register(_POOL.close)
        return _POOL


__all__ = ["INLINE_BYTES", "LENGTH_BOUND", "PARSE_STACK", "TOKEN_BYTES", "ParseTimeout",
           "ParserCrashed", "Parsers", "PreparedUpdate", "parsers"]
