"""The server runs on httptools and uvloop and still behaves as HTTP/1.1 asks where uvicorn's
httptools protocol does not (api/serving.py): a request without ``Host`` or with two gets
400, and a request with an ``Upgrade`` the server does not speak is answered in HTTP/1.1 with
its whole body read, however the body is framed or cut, with the connection going on
afterwards; heads and trailers are bounded; pipelined requests are parsed a slice at a time
and a refused one is answered after those before it; a transfer coding before chunked gets
501; an HTTP/1.0 client gets no 100 Continue. Over a real socket on 127.0.0.1 (one test
drives the protocol over a stand-in transport)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import time
from typing import Any

import pytest

from api.serving import server_options
from tests.support.live import Live

ASK = "query=ASK+%7B+%3Fs+%3Fp+%3Fo+%7D"
UPGRADE = (b"Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
           b"HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n")


def _connect(live: Live) -> socket.socket:
    host, port = live.url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=30)


def _responses(sock: socket.socket, count: int) -> list[tuple[bytes, bytes]]:
    """Read ``count`` responses (head, body) framed by Content-Length, in a bounded loop."""
    data = b""
    answers: list[tuple[bytes, bytes]] = []
    deadline = time.monotonic() + 30
    while len(answers) < count and time.monotonic() < deadline:
        head, sep, rest = data.partition(b"\r\n\r\n")
        if sep:
            length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                           if line.lower().startswith(b"content-length:")), 0)
            if len(rest) >= length:
                answers.append((head, rest[:length]))
                data = rest[length:]
                continue
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return answers


def _post(body: bytes, *, framing: bytes, extra: bytes = UPGRADE) -> bytes:
    return (b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra +
            b"Accept: application/sparql-results+json\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n" + framing + b"\r\n" + body)


def _is_true(answer: tuple[bytes, bytes]) -> bool:
    head, body = answer
    return head.startswith(b"HTTP/1.1 200") and json.loads(body)["boolean"] is True


def test_the_server_runs_the_protocol_these_tests_are_about() -> None:
    from api.serving import Http11Protocol

    assert server_options()["http"] is Http11Protocol
    assert server_options()["loop"] == "uvloop"


def test_an_http_1_1_request_without_host_gets_400_and_with_host_200(live: Live) -> None:
    with _connect(live) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\n\r\n")
        [(head, body)] = _responses(sock, 1)
    assert head.startswith(b"HTTP/1.1 400"), head
    assert b"Host" in body
    with _connect(live) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        [(head, _)] = _responses(sock, 1)
    assert head.startswith(b"HTTP/1.1 200"), head


def test_an_http_1_0_request_needs_no_host(live: Live) -> None:
    with _connect(live) as sock:
        sock.sendall(b"GET /health HTTP/1.0\r\n\r\n")
        [(head, _)] = _responses(sock, 1)
    assert head.startswith(b"HTTP/1.1 200"), head


@pytest.mark.parametrize("cut", [None, 1, 40, -3])
def test_an_ignored_upgrade_reads_a_counted_body_even_cut_in_pieces(live: Live,
                                                                     cut: int | None) -> None:
    body = ASK.encode()
    request = _post(body, framing=b"Content-Length: %d\r\n" % len(body))
    with _connect(live) as sock:
        if cut is None:
            sock.sendall(request)
        else:
            start = request.index(b"\r\n\r\n") + 4
            sock.sendall(request[:start + cut])
            time.sleep(0.05)
            sock.sendall(request[start + cut:])
        [answer] = _responses(sock, 1)
    assert _is_true(answer), answer


def test_an_ignored_upgrade_reads_a_chunked_body(live: Live) -> None:
    body = ASK.encode()
    chunks = b"%x\r\n%s\r\n%x\r\n%s\r\n0\r\n\r\n" % (10, body[:10], len(body) - 10, body[10:])
    with _connect(live) as sock:
        sock.sendall(_post(chunks, framing=b"Transfer-Encoding: chunked\r\n"))
        [answer] = _responses(sock, 1)
    assert _is_true(answer), answer


def test_the_connection_goes_on_in_http_1_1_after_an_ignored_upgrade(live: Live) -> None:
    body = ASK.encode()
    upgraded = _post(body, framing=b"Content-Length: %d\r\n" % len(body))
    plain = _post(body, framing=b"Content-Length: %d\r\n" % len(body), extra=b"")
    bodiless = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n" + UPGRADE + b"\r\n"
    with _connect(live) as sock:
        sock.sendall(upgraded + plain)
        first, second = _responses(sock, 2)
        sock.sendall(bodiless + plain)
        third, fourth = _responses(sock, 2)
    assert _is_true(first) and _is_true(second) and _is_true(fourth)
    assert third[0].startswith(b"HTTP/1.1 200"), third


def test_a_malformed_body_behind_an_ignored_upgrade_gets_400(live: Live) -> None:
    with _connect(live) as sock:
        sock.sendall(_post(b"zz\r\nnot a chunk\r\n", framing=b"Transfer-Encoding: chunked\r\n"))
        [(head, _)] = _responses(sock, 1)
    assert head.startswith(b"HTTP/1.1 400"), head


# --- heads and trailers of any size: refused early, the memory bounded -------------------------

def _flood(live: Live, start: bytes, filler: bytes, limit: int = 8 * 2**20) -> bytes:
    """Send ``start`` then ``filler`` again and again (at most ``limit`` bytes) until the
    server answers or closes; return what it answered."""
    with _connect(live) as sock:
        sock.sendall(start)
        sent = 0
        try:
            while sent < limit:
                sock.sendall(filler)
                sent += len(filler)
        except (BrokenPipeError, ConnectionResetError):
            pass
        try:
            return sock.recv(65536)
        except ConnectionResetError:
            return b""


@pytest.mark.parametrize(("start", "filler", "status"), [
    (b"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ", b"a" * 65536, b"431"),
    (b"GET /health?q=", b"a" * 65536, b"414"),
    (b"GET /health HTTP/1.1\r\nHost: x\r\n", b"X-A: b\r\n" * 4096, b"431"),
    (b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
     b"Transfer-Encoding: chunked\r\n\r\n5\r\nASK{}\r\n0\r\nX-Trailer: ", b"a" * 65536, b"431"),
    (b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
     b"Transfer-Encoding: chunked\r\n\r\n5;ext=", b"a" * 65536, b"431"),
], ids=["one long field", "long URL", "many fields", "long trailer", "long chunk extension"])
def test_a_head_or_trailer_without_end_is_refused_and_the_server_stays_up(
        live: Live, start: bytes, filler: bytes, status: bytes) -> None:
    import psutil

    server = psutil.Process()  # the live server runs in this process
    before = server.memory_info().rss
    answer = _flood(live, start, filler)
    assert answer.startswith(b"HTTP/1.1 " + status), answer[:200]
    assert server.memory_info().rss - before < 64 * 2**20
    with _connect(live) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        [(head, _)] = _responses(sock, 1)
    assert head.startswith(b"HTTP/1.1 200"), head


def test_a_hundred_header_fields_pass_and_the_next_is_refused(live: Live) -> None:
    from api.serving import MAX_HEADER_FIELDS

    for count, status in ((MAX_HEADER_FIELDS, b"200"), (MAX_HEADER_FIELDS + 1, b"431")):
        fields = b"".join(b"X-F%d: v\r\n" % i for i in range(count - 1))
        with _connect(live) as sock:
            sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n" + fields + b"\r\n")
            [(head, _)] = _responses(sock, 1)
        assert head.startswith(b"HTTP/1.1 " + status), (count, head)


def test_a_long_chunked_body_in_small_chunks_is_read_whole(live: Live) -> None:
    query = b"# " + b"a" * (900 * 1024) + b"\nASK { ?s ?p ?o }"
    chunks = b"".join(b"%x;n=1\r\n%s\r\n" % (len(query[i:i + 4096]), query[i:i + 4096])
                      for i in range(0, len(query), 4096))
    with _connect(live) as sock:
        sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\n"
                     b"Content-Type: application/sparql-query\r\n"
                     b"Accept: application/sparql-results+json\r\n"
                     b"Transfer-Encoding: chunked\r\n\r\n" + chunks + b"0\r\nX-Done: 1\r\n\r\n")
        [answer] = _responses(sock, 1)
    assert _is_true(answer), answer[0]


# --- pipelined requests: parsed a slice at a time, answered in order -----------------------------

HEALTH = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


def _protocol_class() -> type:
    """The protocol class ``server_options()`` chooses (uvicorn's own for a name)."""
    http = server_options()["http"]
    if isinstance(http, str):
        from uvicorn.config import HTTP_PROTOCOLS
        from uvicorn.importer import import_from_string

        return import_from_string(HTTP_PROTOCOLS[http])  # type: ignore[no-any-return]
    return http  # type: ignore[no-any-return]


class _Transport(asyncio.Transport):
    """A connection's transport that only records whether reading is paused."""

    reading = True

    def write(self, data: Any) -> None:
        pass

    def is_closing(self) -> bool:
        return False

    def pause_reading(self) -> None:
        self.reading = False

    def resume_reading(self) -> None:
        self.reading = True

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"sockname": ("127.0.0.1", 8000), "peername": ("127.0.0.1", 9)}.get(name)


def _unanswering_protocol() -> tuple[Any, _Transport]:
    """The chosen protocol on a ``_Transport``, over an application that never answers."""
    import uvicorn
    from uvicorn.server import ServerState

    async def never_answers(scope: object, receive: object, send: object) -> None:
        await asyncio.Event().wait()

    config = uvicorn.Config(never_answers, lifespan="off", log_level="critical")
    protocol = _protocol_class()(config, ServerState(), {})
    transport = _Transport()
    protocol.connection_made(transport)
    return protocol, transport


def test_one_read_of_small_pipelined_requests_makes_few_waiting_requests() -> None:
    async def read_once() -> tuple[int, bool]:
        protocol, transport = _unanswering_protocol()
        protocol.data_received(HEALTH * (256 * 1024 // len(HEALTH)))  # one read of uvloop's
        waiting, reading = len(protocol.pipeline), transport.reading
        for task in protocol.tasks:
            task.cancel()
        return waiting, reading

    waiting, reading = asyncio.run(read_once())
    # uvicorn's protocol made 6,552 waiting requests (16 MB) of this one read
    assert waiting < 200, waiting
    assert not reading


def test_reading_stays_paused_while_unparsed_bytes_are_held() -> None:
    # uvicorn resumes reading after each response and each receive(): a client pipelining
    # without pause then grew the held bytes by a read for each slice parsed (75 MB in 8 s)
    async def read() -> list[tuple[bool, bool]]:
        protocol, transport = _unanswering_protocol()
        seen = []
        for _ in range(3):
            protocol.data_received(HEALTH * 2000)
            protocol.flow.resume_reading()  # as uvicorn does after a response
            seen.append((getattr(protocol, "_held", None) is not None, transport.reading))
        for task in protocol.tasks:
            task.cancel()
        return seen

    assert all(not reading for held, reading in asyncio.run(read()) if held)


def test_two_thousand_pipelined_requests_in_one_write_are_all_answered() -> None:
    from tests.support.live import running
    from tests.support.stores import example_store

    with running(example_store()) as live, _connect(live) as sock:
        sock.sendall(HEALTH * 2000)
        answers = _responses(sock, 2000)
    assert len(answers) == 2000
    assert all(head.startswith(b"HTTP/1.1 200") for head, _ in answers)


@pytest.mark.parametrize("refused", [
    b"GARBAGE\r\n\r\n",
    b"GET /health HTTP/1.1\r\n\r\n",
    b"GET /health HTTP/1.1\r\nHost: x\r\n" + b"X-F: v\r\n" * 200 + b"\r\n",
    b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
    b"Transfer-Encoding: chunked\r\n\r\nzz\r\nnot a chunk\r\n",
    b"GET http://a:99999999/x HTTP/1.1\r\nHost: a\r\n\r\n",
], ids=["malformed", "no Host", "too many fields", "malformed chunk", "bad URL port"])
def test_a_refused_request_is_answered_after_the_pipelined_ones_before_it(
        live: Live, refused: bytes) -> None:
    with _connect(live) as sock:
        sock.sendall(HEALTH * 3 + refused + HEALTH)
        answers = _responses(sock, 5)
        closed = sock.recv(65536) == b""
    # uvicorn's protocol wrote the refusal at once: the client read it as the answer to its
    # first request, and lost the three good answers
    assert [head[:12] for head, _ in answers[:3]] == [b"HTTP/1.1 200"] * 3, answers
    assert len(answers) == 4 and answers[3][0][9:12] in (b"400", b"431"), answers
    assert b"connection: close" in answers[3][0] and closed


# --- what a request may not say -----------------------------------------------------------------

def test_a_request_with_two_hosts_gets_400(live: Live) -> None:
    for version in (b"1.1", b"1.0"):
        with _connect(live) as sock:
            sock.sendall(b"GET /health HTTP/" + version + b"\r\nHost: 127.0.0.1\r\n"
                         b"Host: example.org\r\n\r\n")
            [(head, body)] = _responses(sock, 1)
        assert head.startswith(b"HTTP/1.1 400"), (version, head)
        assert b"Host" in body


@pytest.mark.parametrize("codings", [b"Transfer-Encoding: gzip, chunked\r\n",
                                     b"Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n"])
def test_a_transfer_coding_other_than_chunked_gets_501_and_the_connection_closed(
        live: Live, codings: bytes) -> None:
    import gzip

    coded = gzip.compress(b"ASK { ?s ?p ?o }")
    body = b"%x\r\n%s\r\n0\r\n\r\n" % (len(coded), coded)
    with _connect(live) as sock:
        sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\n"
                     b"Content-Type: application/sparql-query\r\n" + codings + b"\r\n" + body +
                     HEALTH)
        answers = _responses(sock, 2)
    # uvicorn's protocol handed the application the gzip bytes as if they were the query
    assert len(answers) == 1 and answers[0][0].startswith(b"HTTP/1.1 501"), answers


def test_a_chunked_body_is_still_read(live: Live) -> None:
    body = ASK.encode()
    with _connect(live) as sock:
        sock.sendall(_post(b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body),
                           framing=b"Transfer-Encoding: chunked\r\n", extra=b""))
        [answer] = _responses(sock, 1)
    assert _is_true(answer), answer


def test_an_http_1_0_request_expecting_100_continue_gets_no_1xx_answer(live: Live) -> None:
    body = ASK.encode()
    with _connect(live) as sock:
        sock.sendall(b"POST /sparql HTTP/1.0\r\nExpect: 100-continue\r\n"
                     b"Accept: application/sparql-results+json\r\n"
                     b"Content-Type: application/x-www-form-urlencoded\r\n"
                     b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
        [answer] = _responses(sock, 1)
    # RFC 9110 §15.2: a server must not send a 1xx response to an HTTP/1.0 client
    assert _is_true(answer), answer
    with _connect(live) as sock:  # an HTTP/1.1 client still gets its 100 Continue
        sock.sendall(_post(b"", framing=b"Content-Length: %d\r\n" % len(body),
                           extra=b"Expect: 100-continue\r\n"))
        [(head, _)] = _responses(sock, 1)
        sock.sendall(body)
        [answer] = _responses(sock, 1)
    assert head.startswith(b"HTTP/1.1 100") and _is_true(answer), (head, answer)


# --- a head that takes too long -----------------------------------------------------------------

@pytest.fixture
def quick_heads(monkeypatch: pytest.MonkeyPatch) -> float:
    from api.serving import Http11Protocol

    monkeypatch.setattr(Http11Protocol, "head_timeout", 0.5, raising=False)
    return 0.5


def test_a_head_trickled_past_the_limit_gets_408_and_the_connection_closed(
        live: Live, quick_heads: float) -> None:
    with _connect(live) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\n")
        started = time.monotonic()
        answer = b""
        try:
            for _ in range(40):  # a byte every 0.1 s: uvicorn's own timer never fires
                sock.sendall(b"X")
                time.sleep(0.1)
        except (BrokenPipeError, ConnectionResetError):
            pass
        with contextlib.suppress(ConnectionResetError):
            answer = sock.recv(65536)
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert b"connection: close" in answer
    assert time.monotonic() - started < 4


def test_a_connection_that_sends_nothing_is_closed(live: Live, quick_heads: float) -> None:
    with _connect(live) as sock:
        sock.settimeout(5)
        assert sock.recv(65536) == b""  # closed, without an answer to a request never made


def test_a_kept_alive_connection_outlives_the_head_limit(live: Live, quick_heads: float) -> None:
    with _connect(live) as sock:
        sock.sendall(HEALTH)
        [(first, _)] = _responses(sock, 1)
        time.sleep(3 * quick_heads)  # idle between requests: uvicorn's keep-alive (5 s) rules
        sock.sendall(HEALTH)
        [(second, _)] = _responses(sock, 1)
    assert first.startswith(b"HTTP/1.1 200") and second.startswith(b"HTTP/1.1 200"), second
