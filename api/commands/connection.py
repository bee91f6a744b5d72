"""Where a command finds its store: the server that holds it, or the store itself.

RocksDB locks an embedded store to one process. While ``civicgraph serve`` holds one, it keeps
a discovery file, ``civicgraph-server.json``, in the store's directory: the server's URL and
process id, removed when it stops (``announced``). A store command that finds the file, with
the server answering, talks to that server over HTTP (``running_server``): the store it gets
is a ``RemoteStore`` on the server's SPARQL endpoint (queries and updates, ``/sparql``) and
Graph Store (``/store``), carrying the curator token (``CIVICGRAPH_CURATOR_TOKEN``). So every
write of a command goes through the server's own doors, the same write path as any HTTP
client's, and the server's caches and maps learn of it. ``--server URL`` names the server
without discovery. A discovery file whose process is gone is stale, and removed; without a
server, the command opens the store itself.
"""

from __future__ import annotations

import ipaddress
import json
import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox

from api.settings import Settings
from graph.errors import NotFound, StoreError, StoreLocked
from graph.ingest.report import ImportReport, Problem
from graph.store import Store, open_store
from graph.store.remote import RemoteStore, reaching
from graph.store.staging import is_staging

#: the discovery file, in the store's directory
SERVER_FILE = "civicgraph-server.json"
#: how long a command waits for a live server's ``/health`` (it may still be starting)
HEALTH_WAIT = 15.0
#: a command's requests to the server: a long import or export takes minutes
REQUEST_TIMEOUT = 600.0
NTRIPLES = "application/n-triples"


def store_directory(location: str) -> Path | None:
    """The directory of an embedded on-disk store, None for ``memory`` or a server's URL.

    >>> store_directory("memory") is None, store_directory("http://h/sparql") is None
    (True, True)
    >>> store_directory("data/store")
    PosixPath('data/store')
    """
    if location == "memory" or "://" in location:
        return None
    return Path(location).expanduser()


def local_url(host: str, port: int) -> str:
    """The URL at which this machine reaches a server listening on ``host``:``port``.

    >>> local_url("0.0.0.0", 8000), local_url("::", 80), local_url("example.org", 8000)
    ('http://127.0.0.1:8000', 'http://[::1]:80', 'http://example.org:8000')
    """
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return f"http://{host}:{port}"
    if address.is_unspecified:
        address = ipaddress.ip_address("::1" if address.version == 6 else "127.0.0.1")
    shown = f"[{address}]" if address.version == 6 else str(address)
    return f"http://{shown}:{port}"


@contextmanager
def announced(location: str, url: str) -> Iterator[Path | None]:
    """Keep the discovery file of the server at ``url`` in the store directory ``location``
    while the block runs (nothing for a store that is not a directory)."""
    directory = store_directory(location)
    if directory is None:
        yield None
        return
    path = directory / SERVER_FILE
    written = json.dumps({"url": url, "pid": os.getpid()})
    partial = path.with_name(f".{SERVER_FILE}.{os.getpid()}")
    partial.write_text(written, encoding="utf-8")
    partial.replace(path)  # a reader sees the whole file or none
    try:
        yield path
    finally:
        with suppress(OSError):
            if path.read_text(encoding="utf-8") == written:
                path.unlink()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True   # another user's process
    return True


def _answers(url: str) -> bool:
    try:
        httpx.get(f"{url}/health", timeout=2.0)
    except httpx.HTTPError:
        return False
    return True


def running_server(location: str, *, wait: float = HEALTH_WAIT) -> str | None:
    """The URL of the server that holds the store at ``location``, or None when none does.

    The file must belong to this process's user (the curator token follows the URL it
    gives). A discovery file whose process is gone is removed. A live process that does not answer
    ``/health`` within ``wait`` seconds is not taken for a server (the command then opens the
    store itself, and says so if the lock refuses it)."""
    directory = store_directory(location)
    if directory is None:
        return None
    path = directory / SERVER_FILE
    try:
        if path.stat().st_uid != os.getuid():
            return None   # another user's file: the curator token is not sent where it says
        found = json.loads(path.read_text(encoding="utf-8"))
        url, pid = str(found["url"]).rstrip("/"), int(found["pid"])
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        return None   # unreadable: not ours to judge, nor to remove
    deadline = time.monotonic() + wait
    while _alive(pid):
        if _answers(url):
            return url
        if time.monotonic() >= deadline:
            return None
        time.sleep(0.2)
    with suppress(OSError):
        path.unlink()   # stale: the server stopped without removing it
    return None


class _Bearer(httpx.HTTPTransport):
    """Sends the curator token with every request."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self._token = token

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.headers["Authorization"] = f"Bearer {self._token}"
        return super().handle_request(request)


class ServerStore(RemoteStore):
    """A civicgraph server's store, through its SPARQL endpoint (``/sparql``) and Graph Store
    (``/store``). The meta graphs are the server's to write (a client's update of them is a
    400): a replacement sends the graphs and the descriptions the command made to the
    server's ``POST /replacements``, whose write path checks and commits them, in one
    transaction, and describes each graph from what the description may say (title, source,
    licence, access level, who) with the moment, size and digest of what it wrote; a graph
    dropped goes through the Graph Store's ``DELETE``. Both within the server's request size
    limit (``CIVICGRAPH_MAX_BODY_BYTES``)."""

    def replace_graphs(self, contents: Mapping[str, Iterable[ox.Triple | ox.Quad]],
                       *, metadata: Iterable[ox.Triple] = (),
                       checking: Callable[[], object] | None = None) -> None:
        if checking is not None:
            checking()
        files = [("content", (f"graph-{n}.nt", _n_triples(triples), NTRIPLES))
                 for n, triples in enumerate(contents.values())]
        files.append(("description", ("description.nt", _n_triples(metadata), NTRIPLES)))
        self._send("POST", f"{self.url}/replacements", data={"graph": list(contents)},
                   files=files, timeout=self.update_timeout)

    def drop_graph(self, graph: str) -> None:
        if not is_staging(graph):
            self._send("DELETE", self.store_url, params={"graph": graph},
                       timeout=self.update_timeout)

    def recover(self, older_than: float = 0.0) -> None:
        """Nothing: the server recovers its own store."""


def _n_triples(triples: Iterable[ox.Triple | ox.Quad]) -> bytes:
    return b"".join(f"{t.subject} {t.predicate} {t.object} .\n".encode() for t in triples)


def server_store(url: str, token: str) -> ServerStore:
    """The store of the civicgraph server at ``url`` as the curator of ``token`` (a reader
    of the public graphs when it is empty)."""
    base = url.rstrip("/")
    return ServerStore(base, query_url=f"{base}/sparql", update_url=f"{base}/sparql",
                       store_url=f"{base}/store", timeout=REQUEST_TIMEOUT,
                       update_timeout=REQUEST_TIMEOUT, union_parameter=None,
                       transport=_Bearer(token.strip()) if token.strip() else None)


def server_url(settings: Settings, server: str | None = None) -> str | None:
    """The server a command goes through: ``server`` (``--server``), else the server that
    holds ``settings.store``, else None (the command opens the store itself)."""
    return server.rstrip("/") if server else running_server(settings.store)


def open_command_store(settings: Settings, server: str | None = None, *,
                       read_only: bool = False) -> Store:
    """The store a command works on: the server at ``server``, else the server that holds
    ``settings.store``, else that store opened by this process; for a command that only
    reads (``read_only``), opened read-only when another process holds it."""
    url = server_url(settings, server)
    if url is not None:
        return server_store(url, settings.curator_token)
    try:
        return open_store(settings.store)
    except StoreLocked:
        if not read_only:
            raise
        return open_store(settings.store, read_only=True)


def _post(url: str, path: str, token: str, *, data: Mapping[str, str | None],
          files: Mapping[str, tuple[str, bytes]] | None = None,
          accepted: tuple[int, ...] = (200,)) -> httpx.Response:
    """POST a form to one of the server's curator routes; ``StoreError`` for an answer not
    in ``accepted`` (``NotFound`` for 404), with the server's message."""
    headers = {"Authorization": f"Bearer {token.strip()}"} if token.strip() else {}
    with reaching(url):
        response = httpx.post(f"{url}{path}", headers=headers, files=files,
                              data={k: v for k, v in data.items() if v is not None},
                              timeout=REQUEST_TIMEOUT)
    if response.status_code in accepted:
        return response
    if response.status_code == 404:
        raise NotFound(_message(response).removeprefix("not found: "))
    hint = " (set CIVICGRAPH_CURATOR_TOKEN to the server's curator token)" \
        if response.status_code == 401 else ""
    raise StoreError(f"POST {url}{path} answered {response.status_code}: "
                     f"{_message(response)}{hint}")


def import_through(url: str, token: str, data: bytes, filename: str, *,
                   fields: Mapping[str, str | None]) -> ImportReport:
    """A spreadsheet import through the server's ``POST /imports`` (its one door for
    spreadsheets), with the report it answers (refused rows included: 422)."""
    response = _post(url, "/imports", token, data=fields, files={"file": (filename, data)},
                     accepted=(200, 422))
    return _report(response.json(), filename)


def forget_through(url: str, token: str, person: str) -> list[str]:
    """The erasure of ``person`` through the server's ``POST /persons/forget``: the lines of
    its report."""
    response = _post(url, "/persons/forget", token, data={"person": person})
    return [str(line) for line in response.json()["lines"]]


def _message(response: httpx.Response) -> str:
    try:
        return str(response.json()["message"])
    except (ValueError, KeyError, TypeError):
        return response.text.strip()[:500]


def _report(body: dict[str, Any], filename: str) -> ImportReport:
    """The ``ImportReport`` of the JSON that ``ImportReport.as_dict`` made."""
    rows = body.get("rows", {})
    known = set(Problem.__dataclass_fields__)
    problems = [Problem(**{k: v for k, v in p.items() if k in known})
                for p in [*body.get("errors", []), *body.get("warnings", [])]]
    return ImportReport(
        body.get("source", ""), body.get("file") or filename, problems=problems,
        rows_read=rows.get("read", 0), rows_imported=rows.get("imported", 0),
        skipped_rows=[(s["sheet"], s["row"]) for s in body.get("skipped", [])],
        graphs=dict(body.get("graphs", {})), stored=body.get("status") == "imported",
        unchanged=body.get("status") == "unchanged", sheets=dict(body.get("sheets", {})))
