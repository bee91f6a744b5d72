"""How civicgraph's HTTP server is run: uvicorn with httptools (llhttp, a parser in C) and
uvloop where they are installed, with two behaviours of uvicorn's pure-Python h11 protocol
kept.

httptools and uvloop take 20–30 % of the CPU of a one-subject lookup off the request path
(``bench/RESULTS.md``, "One-subject lookup"), but uvicorn's ``HttpToolsProtocol`` differs
from its h11 protocol where clients notice:

- an HTTP/1.1 request without ``Host`` is served; RFC 9112 §3.2 says a server must answer
  it 400, as h11 does. ``Http11Protocol`` answers 400.
- a request's head (request line and header fields) may be of any size: llhttp and httptools
  keep it whole in memory until it ends (a client sending header fields forever grew the
  server by 2.8 GB in 20 s), where h11 refuses a head over 16 KiB. ``Http11Protocol`` answers
  414 or 431 once a head passes ``MAX_HEAD_BYTES`` (64 KiB, give or take the one read that
  began it) or ``MAX_HEADER_FIELDS`` fields (100, Apache's default), and closes the
  connection.
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
    from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol
except ImportError:  # pragma: no cover - a platform without a wheel: h11 is used
    httptools = None  # type: ignore[assignment]
    HttpToolsProtocol = None  # type: ignore[assignment,misc]

__all__ = ["MAX_HEADER_FIELDS", "MAX_HEAD_BYTES", "server_options"]

#: bytes of a request's head (request line and header fields) read before it is refused
MAX_HEAD_BYTES = 64 * 1024
#: header fields of a request before it is refused
MAX_HEADER_FIELDS = 100


if HttpToolsProtocol is not None:

    class Http11Protocol(HttpToolsProtocol):
        """uvicorn's httptools protocol, refusing an HTTP/1.1 request without ``Host`` or
        with too large a head, and reading an unsupported upgrade's request as a plain
        HTTP/1.1 one, body included."""

        #: the framing header of an ignored upgrade's body, while llhttp reads that body
        _body_framing: bytes | None = None
        #: llhttp is reading an ignored upgrade's body (after a made-up head of our own)
        _replaying = False
        #: the request being parsed is HTTP/1.1 without ``Host`` (the parser stops on it)
        _no_host = False
        #: a head is being read, it began in the read being parsed, the bytes of the later
        #: reads that did not end it, and its header fields so far
        _in_head = False
        _head_began_now = False
        _head_bytes = 0
        _fields = 0
        #: a body is being read; bytes of the reads since its last progress (a part of the
        #: body, its end): chunk extensions and trailer fields, which llhttp also keeps whole
        _in_body = False
        _progress = False
        _quiet_bytes = 0

        def data_received(self, data: bytes) -> None:
            self._unset_keepalive_if_required()
            self._head_began_now = self._progress = False
            try:
                self.parser.feed_data(data)
            except httptools.HttpParserError:
                if self._fields > MAX_HEADER_FIELDS:
                    self._refuse(431, f"Request refused: more than {MAX_HEADER_FIELDS} "
                                      "header fields.")
                    return
                msg = "Invalid HTTP request received."
                if self._no_host:
                    msg = "Invalid HTTP request received: an HTTP/1.1 request needs a Host header."
                self.logger.warning(msg)
                self.send_400_response(msg)
                return
            except httptools.HttpParserUpgrade as upgrade:
                if self._should_upgrade():
                    self.handle_websocket_upgrade()
                else:
                    self._ignore_upgrade(data[upgrade.args[0]:])
                return
            if self._in_body:
                self._quiet_bytes = 0 if self._progress else self._quiet_bytes + len(data)
                if self._quiet_bytes > MAX_HEAD_BYTES:
                    self._refuse(431, "Request refused: chunk extensions or trailer fields "
                                      f"over {MAX_HEAD_BYTES // 1024} KiB.")
            elif self._in_head and not self._head_began_now:
                # the part of a head in the read that began it is at most one read
                self._head_bytes += len(data)
                if self._head_bytes > MAX_HEAD_BYTES:
                    if not self._fields and len(self.url) > MAX_HEAD_BYTES // 2:
                        self._refuse(414, "Request refused: the URL is over "
                                          f"{MAX_HEAD_BYTES // 1024} KiB.")
                    else:
                        self._refuse(431, "Request refused: the request line and header "
                                          f"fields are over {MAX_HEAD_BYTES // 1024} KiB.")

        def _refuse(self, status: int, message: str) -> None:
            """Answer ``status`` with ``message`` and close the connection (uvicorn's
            ``send_400_response`` for other statuses)."""
            self.logger.warning(message)
            body = message.encode("ascii")
            self.transport.write(b"".join([
                STATUS_LINE[status],
                *(name + b": " + value + b"\r\n" for name, value in
                  self.server_state.default_headers),
                b"content-type: text/plain; charset=utf-8\r\n",
                b"content-length: %d\r\n" % len(body),
                b"connection: close\r\n\r\n", body]))
            self.transport.close()

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
                self.data_received(rest)

        def on_message_begin(self) -> None:
            if not self._replaying:
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
                    raise ValueError("too many header fields")  # data_received answers 431
                super().on_header(name, value)

        def on_headers_complete(self) -> None:
            if self._replaying:
                return
            self._in_head, self._in_body, self._progress = False, True, True
            if self.parser.get_http_version() == "1.1" and \
                    not any(name == b"host" for name, _ in self.headers):
                self._no_host = True
                raise ValueError("no Host header")  # llhttp stops; data_received answers 400
            super().on_headers_complete()
            if self.parser.should_upgrade() and not self._should_upgrade():
                self._body_framing = _framing(self.headers)

        def on_body(self, body: bytes) -> None:
            self._progress = True
            super().on_body(body)

        def on_message_complete(self) -> None:
            if self._body_framing is not None:
                return  # llhttp skipped the body of an upgrade: it is read after
            self._in_body, self._progress = False, True
            self._replaying = False
            super().on_message_complete()


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
