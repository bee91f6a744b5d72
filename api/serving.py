"""How civicgraph's HTTP server is run: uvicorn with httptools (llhttp, a parser in C) and
uvloop where they are installed, with the behaviours of uvicorn's pure-Python h11 protocol
that clients rely on kept.

httptools and uvloop take 20–30 % of the CPU of a one-subject lookup off the request path
(``bench/RESULTS.md``, "One-subject lookup"), but uvicorn's ``HttpToolsProtocol`` differs
from its h11 protocol where clients notice:

- an HTTP/1.1 request without ``Host`` is served; RFC 9112 §3.2 says a server must answer
  it 400, as h11 does. ``Http11Protocol`` answers 400.
- a request with two ``Host`` header fields is served; RFC 9112 §3.2 asks 400, as h11 does.
  ``Http11Protocol`` answers 400.
- a request's head (request line and header fields) may be of any size: llhttp and httptools
  keep it whole in memory until it ends (a client sending header fields forever grew the
  server by 2.8 GB in 20 s), where h11 refuses a head over 16 KiB. ``Http11Protocol`` answers
  414 or 431 once a head passes ``MAX_HEAD_BYTES`` (64 KiB, give or take the one slice of
  ``PARSE_SLICE`` bytes that began it) or ``MAX_HEADER_FIELDS`` fields (100, Apache's
  default), and closes the connection.
- llhttp parses every pipelined request of a read at once, and uvicorn keeps a request cycle
  for each until its turn: one read of 256 KB of small requests became 7,900 waiting requests
  and 18 MB of memory (50 such connections grew the server by 340 MB, h11 by 8 MB),
  and a malformed request among them was answered at once, before the good ones, which were
  never answered. ``Http11Protocol`` gives llhttp ``PARSE_SLICE`` bytes at a time and holds
  the rest while a parsed request waits its turn, and writes a refusal (400, 414, 431, 501)
  after the answers to the requests before it, as h11 does.
- a request whose ``Transfer-Encoding`` names a coding before ``chunked`` (``gzip,
  chunked``) reached the application with its body still coded, as if it were plain; h11
  refuses it, RFC 9112 §6.1 asks 501. ``Http11Protocol`` answers 501 and closes.
- an HTTP/1.0 request with ``Expect: 100-continue`` got ``100 Continue``; RFC 9110 §10.1.1
  and §15.2 say a server must ignore that expectation and must not send an HTTP/1.0 client
  a 1xx response; h11 sends none. ``Http11Protocol`` ignores it.
- a request with an ``Upgrade`` the server does not speak (``curl --http2`` over ``http://``
  sends ``Upgrade: h2c``) loses its body: httptools tells llhttp to skip the body of any
  upgrade, and uvicorn then drops the rest of the connection's bytes. RFC 9110 §7.8 lets a
  server ignore an ``Upgrade`` and answer in HTTP/1.1, which h11 does; ``Http11Protocol``
  reads such a request's body with llhttp's own framing (``Content-Length`` or chunked) and
  goes on with the connection as HTTP/1.1.

``server_options()`` gives the ``uvicorn.Config`` arguments that choose them; every place
that runs the application under uvicorn (``civicgraph serve``, the tests' live servers, the
benchmarks) passes them, so that what is tested is what is served. Without httptools (it is a
dependency, but a platform may lack a wheel) uvicorn's h11 protocol is used, which behaves so
already.

>>> sorted(server_options())
['http', 'loop']
"""

from __future__ import annotations

import importlib.util
from typing import Any

try:
    import httptools
    from uvicorn.protocols.http.flow_control import FlowControl
    from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol
except ImportError:  # pragma: no cover - a platform without a wheel: h11 is used
    httptools = None  # type: ignore[assignment]
    HttpToolsProtocol = None  # type: ignore[assignment,misc]

__all__ = ["MAX_HEADER_FIELDS", "MAX_HEAD_BYTES", "server_options"]

#: bytes of a request's head (request line and header fields) read before it is refused
MAX_HEAD_BYTES = 64 * 1024
#: header fields of a request before it is refused
MAX_HEADER_FIELDS = 100
#: bytes given to llhttp at a time (see ``Http11Protocol._parse``)
PARSE_SLICE = 4096
#: seconds a client may take to send a request's line and header fields (and, on a new
#: connection, to begin): past them, 408 and the connection closed. uvicorn's keep-alive
#: timer stops at the first byte, so a head sent a byte every few seconds held its connection
#: for ever (h11 as well); nginx's ``client_header_timeout`` is 60 s, Apache's 20–40 s.
HEAD_TIMEOUT = 30.0


if HttpToolsProtocol is not None:

    class Http11Protocol(HttpToolsProtocol):
        """uvicorn's httptools protocol, refusing an HTTP/1.1 request without ``Host``, with
        two ``Host`` or with too large a head, reading an unsupported upgrade's request as a
        plain HTTP/1.1 one, body included, and parsing pipelined requests a slice at a time,
        answering each in order."""

        #: the framing header of an ignored upgrade's body, while llhttp reads that body
        _body_framing: bytes | None = None
        #: llhttp is reading an ignored upgrade's body (after a made-up head of our own)
        _replaying = False
        #: the status and message of the request a parser callback stopped llhttp on
        _refusing: tuple[int, str] | None = None
        #: a head is being read, it began in the slice being parsed, the bytes of the later
        #: slices that did not end it, and its header fields so far
        _in_head = False
        _head_began_now = False
        _head_bytes = 0
        _fields = 0
        #: a body is being read; bytes of the slices since its last progress (a part of the
        #: body, its end): chunk extensions and trailer fields, which llhttp also keeps whole
        _in_body = False
        _progress = False
        _quiet_bytes = 0
        #: bytes received but not parsed yet, while pipelined requests wait to be served
        _held: memoryview | None = None
        #: the answer to a refused request, written once the responses to the requests
        #: before it (``_owed`` of them) are
        _refusal: bytes | None = None
        _owed = 0
        #: ``HEAD_TIMEOUT`` for this class's connections, and the timer of the head under way
        head_timeout = HEAD_TIMEOUT
        _head_timer: Any = None

        def connection_made(self, transport: Any) -> None:
            super().connection_made(transport)
            self.flow = _HeldFlow(transport, self)
            self._arm_head_timer()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm_head_timer()
            super().connection_lost(exc)

        def _arm_head_timer(self) -> None:
            self._disarm_head_timer()
            self._head_timer = self.loop.call_later(self.head_timeout, self._head_timed_out)

        def _disarm_head_timer(self) -> None:
            if self._head_timer is not None:
                self._head_timer.cancel()
                self._head_timer = None

        def _head_timed_out(self) -> None:
            """A head still incomplete after ``head_timeout``: 408 (or, on a connection that
            sent nothing at all, a plain close, as for an idle keep-alive one)."""
            self._head_timer = None
            if self.transport.is_closing() or self._refusal is not None:
                return
            if not self._in_head:
                if self.cycle is None:
                    self.transport.close()
                return
            self._refuse(408, "Request refused: the request line and header fields did not "
                              f"arrive within {self.head_timeout:g} s.")

        def data_received(self, data: bytes) -> None:
            self._unset_keepalive_if_required()
            if self._refusal is not None:
                return  # llhttp stopped at a refused request: nothing after it is read
            if self._held is not None:
                self._held = memoryview(b"".join([self._held, data]))
                self.flow.pause_reading()
                return
            self._parse(data)

        def _parse(self, data: bytes | memoryview) -> None:
            """Feed ``data`` to llhttp ``PARSE_SLICE`` bytes at a time, and keep the rest
            while a parsed request waits for the one before it to be answered.

            llhttp parses every request of the bytes it is given, and uvicorn makes a
            request cycle (scope, headers, event) of each: one read of 256 KB of small
            pipelined requests became 7,900 waiting cycles and 18 MB of memory, where h11
            parses the next request only once the current one is answered.
            """
            if len(data) <= PARSE_SLICE and not self.pipeline:
                self._feed(data, b"")  # the common case: one request, or the end of one
                return
            data = memoryview(data)
            for start in range(0, len(data), PARSE_SLICE):
                if self._refusal is not None or self.transport.is_closing():
                    return
                if self.pipeline:
                    self._held = data[start:]
                    self.flow.pause_reading()
                    return
                if not self._feed(data[start:start + PARSE_SLICE], data[start + PARSE_SLICE:]):
                    return

        def _feed(self, piece: bytes | memoryview, rest: bytes | memoryview) -> bool:
            """Feed one slice to llhttp; whether to go on with the next one."""
            self._head_began_now = self._progress = False
            try:
                self.parser.feed_data(piece)
            except httptools.HttpParserError:
                refusing, self._refusing = self._refusing, None
                self._refuse(*(refusing or (400, "Invalid HTTP request received.")))
                return False
            except httptools.HttpParserUpgrade as upgrade:
                if self._should_upgrade():
                    self.handle_websocket_upgrade()
                else:
                    self._ignore_upgrade(b"".join([piece[upgrade.args[0]:], rest]))
                return False
            if self._in_body:
                self._quiet_bytes = 0 if self._progress else self._quiet_bytes + len(piece)
                if self._quiet_bytes > MAX_HEAD_BYTES:
                    self._refuse(431, "Request refused: chunk extensions or trailer fields "
                                      f"over {MAX_HEAD_BYTES // 1024} KiB.")
                    return False
            elif self._in_head and not self._head_began_now:
                # the part of a head in the slice that began it is at most one slice
                self._head_bytes += len(piece)
                if self._head_bytes > MAX_HEAD_BYTES:
                    if not self._fields and len(self.url) > MAX_HEAD_BYTES // 2:
                        self._refuse(414, "Request refused: the URL is over "
                                          f"{MAX_HEAD_BYTES // 1024} KiB.")
                    else:
                        self._refuse(431, "Request refused: the request line and header "
                                          f"fields are over {MAX_HEAD_BYTES // 1024} KiB.")
                    return False
            return True

        def _refuse(self, status: int, message: str) -> None:
            """Answer ``status`` with ``message`` and close the connection (uvicorn's
            ``send_400_response`` for other statuses), after the responses to the
            pipelined requests before the refused one: uvicorn answers at once, so the
            client took the refusal for the answer to its first request, and lost the
            answers to the good ones."""
            self.logger.warning(message)
            self._held = None
            body = message.encode("ascii")
            answer = b"".join([
                STATUS_LINE[status],
                *(name + b": " + value + b"\r\n" for name, value in
                  self.server_state.default_headers),
                b"content-type: text/plain; charset=utf-8\r\n",
                b"content-length: %d\r\n" % len(body),
                b"connection: close\r\n\r\n", body])
            owed = self._responses_owed()
            if owed:
                self._refusal, self._owed = answer, owed
                self.flow.pause_reading()
            else:
                self.transport.write(answer)
                self.transport.close()

        def _responses_owed(self) -> int:
            """How many requests before the refused one are still to be answered. A request
            refused in its body has a cycle of its own: if it waits in the queue, it is
            dropped from it; if it is the one being served, it is answered now, as uvicorn
            does (its application may be waiting for the rest of the body)."""
            if self._in_body and self.cycle is not None and not self.cycle.response_complete:
                if not self.pipeline:
                    return 0
                self.pipeline.popleft()  # the newest request, the refused one
            elif self.cycle is None or self.cycle.response_complete:
                return 0
            return len(self.pipeline) + 1  # those waiting, and the one being served

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if self.transport.is_closing():
                return
            if self._refusal is not None:
                self._owed -= 1
                if not self._owed:
                    self.transport.write(self._refusal)
                    self.transport.close()
            elif self._held is not None and not self.pipeline:
                held, self._held = self._held, None
                self._unset_keepalive_if_required()  # the held bytes are the next request
                self._parse(held)
                if self._held is None and self._refusal is None:
                    self.flow.resume_reading()

        def _ignore_upgrade(self, rest: bytes) -> None:
            """Go on in HTTP/1.1 after llhttp stopped at an upgrade we do not speak: a new
            parser reads the request's body (behind a head that gives only its framing)
            and then whatever the client sends next."""
            self.parser = httptools.HttpRequestParser(self)
            self.parser.set_dangerous_leniencies(lenient_data_after_close=True)
            framing, self._body_framing = self._body_framing, None
            if framing is not None:
                self._replaying = True
                rest = b"POST / HTTP/1.1\r\nHost: body\r\n" + framing + b"\r\n\r\n" + rest
            if rest:
                self._parse(rest)

        def on_message_begin(self) -> None:
            if not self._replaying:
                self._arm_head_timer()
                self._in_head, self._head_began_now = True, True
                self._head_bytes = self._fields = 0
                super().on_message_begin()

        def on_url(self, url: bytes) -> None:
            if not self._replaying:
                super().on_url(url)

        def on_header(self, name: bytes, value: bytes) -> None:
            if not self._replaying:
                self._fields += 1
                if self._fields > MAX_HEADER_FIELDS:
                    self._stop(431, f"Request refused: more than {MAX_HEADER_FIELDS} "
                                    "header fields.")
                super().on_header(name, value)

        def on_headers_complete(self) -> None:
            if self._replaying:
                return
            self._disarm_head_timer()
            version = self.parser.get_http_version()
            hosts, codings = 0, []
            for name, value in self.headers:
                if name == b"host":
                    hosts += 1
                elif name == b"transfer-encoding":
                    codings += [coding.strip().lower() for coding in value.split(b",")]
            if hosts > 1:
                # RFC 9112 §3.2, as h11: which of two hosts is meant cannot be told
                self._stop(400, "Invalid HTTP request received: more than one Host header.")
            if version == "1.1" and not hosts:
                self._stop(400, "Invalid HTTP request received: an HTTP/1.1 request needs "
                                "a Host header.")
            codings = [coding for coding in codings if coding]
            if len(codings) > 1 and codings[-1] == b"chunked" and \
                    codings.count(b"chunked") == 1:
                # llhttp reads the chunks and hands the application a body still coded
                # (gzip, say) as if it were plain; h11 refuses it, RFC 9112 §6.1 asks
                # 501. (A last coding other than chunked is llhttp's 400, as RFC 9112
                # §6.3 asks.)
                self._stop(501, "Request refused: no transfer coding but chunked is "
                                "supported.")
            if version != "1.1":
                # RFC 9110 §10.1.1: a server must ignore an HTTP/1.0 request's
                # 100-continue expectation, and must not send it a 1xx response
                self.expect_100_continue = False
            super().on_headers_complete()
            # only once uvicorn has made the request's cycle (parsing its URL may fail, and
            # a request refused in its head has none: ``_responses_owed`` tells them apart)
            self._in_head, self._in_body, self._progress = False, True, True
            if self.parser.should_upgrade() and not self._should_upgrade():
                self._body_framing = _framing(self.headers)

        def _stop(self, status: int, message: str) -> None:
            """Stop llhttp on the request being parsed; ``_feed`` answers ``status``."""
            self._refusing = (status, message)
            raise ValueError(message)

        def on_body(self, body: bytes) -> None:
            self._progress = True
            super().on_body(body)

        def on_message_complete(self) -> None:
            if self._body_framing is not None:
                return  # llhttp skipped the body of an upgrade: it is read after
            self._in_body, self._progress = False, True
            self._replaying = False
            super().on_message_complete()


class _HeldFlow(FlowControl):
    """uvicorn's flow control of a connection, keeping reading paused while the protocol
    holds bytes it has not parsed (or owes answers before a refusal): uvicorn resumes
    reading after every response and every ``receive``, and a client pipelining without
    pause then grew the held bytes by a read for each 4 KiB parsed (75 MB in 8 s)."""

    def __init__(self, transport: Any, protocol: Any) -> None:
        super().__init__(transport)
        self._protocol = protocol

    def resume_reading(self) -> None:
        if self._protocol._held is None and self._protocol._refusal is None:
            super().resume_reading()


def _framing(headers: list[tuple[bytes, bytes]]) -> bytes | None:
    """The header that frames a request's body (the last ``Transfer-Encoding``, else the
    ``Content-Length``s, which llhttp checks again), or None for a request without one."""
    encodings = [value for name, value in headers if name == b"transfer-encoding"]
    if encodings:
        return b"Transfer-Encoding: " + encodings[-1]
    lengths = [value for name, value in headers if name == b"content-length"]
    if lengths and any(value.strip() not in (b"0", b"") for value in lengths):
        return b"\r\n".join(b"Content-Length: " + value for value in lengths)
    return None


def server_options() -> dict[str, Any]:
    """The ``uvicorn.Config`` arguments of civicgraph's server: ``Http11Protocol`` over
    httptools and uvloop when both are installed, else uvicorn's h11 and asyncio."""
    options: dict[str, Any] = {"http": "h11", "loop": "asyncio"}
    if HttpToolsProtocol is not None:
        options["http"] = Http11Protocol
    if importlib.util.find_spec("uvloop") is not None:
        options["loop"] = "uvloop"
    return options
