"""A SPARQL 1.1 server over HTTP: ``RemoteStore``.

It speaks the SPARQL 1.1 Protocol (query, update) and the Graph Store Protocol (upload of a
staging graph, download of a graph), so any conforming server will do; the defaults are
Oxigraph's: ``{base}/query``, ``{base}/update``, ``{base}/store``. For Fuseki, give
``query_url=".../ds/query"``, ``update_url=".../ds/update"``, ``store_url=".../ds/data"``.

- Results are pyoxigraph's types: SELECT and ASK answers are read by
  ``pyoxigraph.parse_query_results`` (SPARQL JSON), CONSTRUCT and DESCRIBE answers are asked
  as N-Triples and read by ``pyoxigraph.parse``.
- Substitutions become a ``VALUES`` block (``binding.bind_values``).
- ``default_graph=None`` is the union of the named graphs *except staging graphs*: the store
  lists the graphs first (one more request) and names them with ``default-graph-uri``, so an
  import running in another process is never half-seen. ``exact_union=False`` uses the
  server's own union instead (Oxigraph's ``union-default-graph`` parameter; faster on
  aggregates, but a staging graph being uploaded is then visible).
- A replacement uploads to a staging graph (batches of ``POST``s on the Graph Store, resumable
  after an interruption: ``graph.store.batching``) and commits with one update
  (``staging.commit_update``): atomic when the server runs an update request in one
  transaction, as Oxigraph, Fuseki (TDB2) and GraphDB do.
- A server that cannot be reached raises ``StoreUnavailable``; a refused query
  ``QuerySyntaxError``; any other failure ``StoreError``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from typing import BinaryIO

import httpx
import pyoxigraph as ox

from graph.errors import QuerySyntaxError, StoreError, StoreUnavailable
from graph.namespaces import PREFIXES
from graph.store.base import QueryResult, Store, Term, named_only
from graph.store.batching import replace_in_batches
from graph.store.binding import bind_values
from graph.store.staging import (
    drop_update,
    iri,
    is_staging,
    staging_age,
)

_POSITION = re.compile(r"(?:error at|line) (\d+)(?::| between columns | column )(\d+)")
_RESULTS = "application/sparql-results+json"
_TRIPLES = "application/n-triples"
#: staging graphs older than this (seconds) are leftovers of a crashed import
STALE_STAGING_AFTER = 24 * 3600.0
#: a graph IRI that names no graph, for an explicitly empty list of graphs
NO_GRAPH = "urn:civicgraph:no-graph"


@contextmanager
def reaching(url: str) -> Iterator[None]:
    """httpx's errors in reaching ``url`` as civicgraph's: a ``TransportError`` (refused,
    timed out, cut) is ``StoreUnavailable``. With ``answer_error``, this backend's one table
    of foreign errors (as httpx's own ``_exceptions``)."""
    try:
        yield
    except httpx.TransportError as error:
        raise StoreUnavailable(f"the SPARQL server at {url} cannot be reached: "
                               f"{error}") from error


def answer_error(method: str, url: str, response: httpx.Response) -> StoreError | \
        QuerySyntaxError | None:
    """The error an answer of the server stands for: 400 is a ``QuerySyntaxError`` (with
    the line and column the server's message gives), any other status from 300 up a
    ``StoreError``; None for a success."""
    if response.status_code == 400:
        message = response.text.strip() or "bad request"
        found = _POSITION.search(message)
        return QuerySyntaxError(message, line=int(found[1]) if found else None,
                                column=int(found[2]) if found else None)
    if response.status_code >= 300:
        return StoreError(f"{method} {url} answered {response.status_code}: "
                          f"{response.text.strip()[:500]}")
    return None


class RemoteStore(Store):
    """A SPARQL 1.1 server at ``url`` (see the module docstring for the options)."""

    kind = "remote"

    def __init__(
        self,
        url: str,
        *,
        query_url: str | None = None,
        update_url: str | None = None,
        store_url: str | None = None,
        timeout: float = 30.0,
        update_timeout: float = 600.0,
        exact_union: bool = True,
        union_parameter: str | None = "union-default-graph",
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        base = url.rstrip("/")
        self.url = base
        self.query_url = query_url or f"{base}/query"
        self.update_url = update_url or f"{base}/update"
        self.store_url = store_url or f"{base}/store"
        self.update_timeout = update_timeout
        self.exact_union = exact_union or union_parameter is None
        self.union_parameter = union_parameter
        self._http = httpx.Client(timeout=timeout, transport=transport)
        with suppress(StoreError):   # a server that is down now may be up for the queries
            self.recover()

    # -- HTTP ------------------------------------------------------------------------------

    def _send(self, method: str, url: str, **kwargs: object) -> httpx.Response:
        with reaching(url):
            response = self._http.request(method, url, **kwargs)  # type: ignore[arg-type]
        error = answer_error(method, url, response)
        if error is not None:
            raise error
        return response

    # -- reading ---------------------------------------------------------------------------

    def query(
        self,
        sparql: str,
        *,
        substitutions: Mapping[str, Term] | None = None,
        default_graph: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
    ) -> QueryResult:
        text = bind_values(sparql, substitutions) if substitutions else sparql
        params: dict[str, str] = {}
        listed = self._graph_names() if named_graphs is None and (
            default_graph is not None or self.exact_union) else None
        defaults: list[str] | None = None
        if default_graph is not None:
            # the protocol has no name for the server's own default graph: it is read only
            # through the server's own dataset (default_graph=None)
            defaults = named_only(g for g in default_graph if not is_staging(g))
        elif self.exact_union:
            defaults = listed
        else:
            params[self.union_parameter or ""] = ""
        named = listed if named_graphs is None else [g for g in named_only(named_graphs)
                                                     if not is_staging(g)]
        form: dict[str, str | list[str]] = {"query": text}
        for key, graphs in (("default-graph-uri", defaults), ("named-graph-uri", named)):
            if graphs is not None:
                # the protocol reads "no such parameter" as "the server's own dataset":
                # an empty list names a graph that does not exist instead
                form[key] = list(graphs) or [NO_GRAPH]
        response = self._send(
            "POST", self.query_url, data=form, params=params,
            headers={"Accept": f"{_RESULTS}, {_TRIPLES};q=0.9"})
        kind = response.headers.get("content-type", "").split(";")[0].strip()
        if kind == _TRIPLES:
            return (q.triple for q in ox.parse(response.content, ox.RdfFormat.N_TRIPLES))
        if kind == _RESULTS:
            return ox.parse_query_results(response.content, ox.QueryResultsFormat.JSON)
        raise StoreError(f"the SPARQL server answered {kind!r}, not SPARQL results")

    def _graph_names(self) -> list[str]:
        """The named graphs of the server, staging graphs excluded."""
        result = self._select("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }")
        return sorted(r["g"].value for r in result
                      if isinstance(r["g"], ox.NamedNode) and not is_staging(r["g"].value))

    def _select(self, sparql: str) -> list[ox.QuerySolution]:
        response = self._send("POST", self.query_url, data={"query": sparql},
                              headers={"Accept": _RESULTS})
        solutions = ox.parse_query_results(response.content, ox.QueryResultsFormat.JSON)
        assert isinstance(solutions, ox.QuerySolutions)
        return list(solutions)

    def graphs(self) -> list[str]:
        return [g for g in self._graph_names() if self._holds_data(g)]

    def _holds_data(self, graph: str) -> bool:
        response = self._send("POST", self.query_url,
                              data={"query": f"ASK {{ GRAPH {iri(graph)} {{ ?s ?p ?o }} }}"},
                              headers={"Accept": _RESULTS})
        return bool(ox.parse_query_results(response.content, ox.QueryResultsFormat.JSON))

    def count(self, graph: str | None = None) -> int:
        if graph is not None:
            if is_staging(graph):
                return 0
            sparql = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {iri(graph)} {{ ?s ?p ?o }} }}"
            response = self._send("POST", self.query_url, data={"query": sparql},
                                  headers={"Accept": _RESULTS})
            rows = list(ox.parse_query_results(response.content,  # type: ignore[arg-type]
                                               ox.QueryResultsFormat.JSON))
        else:
            rows = list(self.query(  # type: ignore[arg-type]
                "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"))
        return int(rows[0]["n"].value)

    def dump(self, out: BinaryIO, format: ox.RdfFormat,
             graphs: Sequence[str] | None = None) -> None:
        if not format.supports_datasets:
            raise ValueError(f"{format.name} cannot hold named graphs; use N-Quads or TriG")
        wanted = self.graphs() if graphs is None else [g for g in graphs if not is_staging(g)]

        def quads() -> Iterator[ox.Quad]:
            for graph in wanted:
                response = self._http_get_graph(graph)
                if response is None:
                    continue
                name = ox.NamedNode(graph)
                for q in ox.parse(response, ox.RdfFormat.N_TRIPLES):
                    yield ox.Quad(q.subject, q.predicate, q.object, name)

        ox.serialize(quads(), out, format,
                     prefixes=PREFIXES if format == ox.RdfFormat.TRIG else None)

    def _http_get_graph(self, graph: str) -> bytes | None:
        with reaching(self.store_url):
            response = self._http.get(self.store_url, params={"graph": graph},
                                      headers={"Accept": _TRIPLES})
        if response.status_code == 404:
            return None
        error = answer_error("GET", self.store_url, response)
        if error is not None:
            raise error
        return response.content

    # -- writing ---------------------------------------------------------------------------

    def update(self, sparql: str) -> None:
        self._send("POST", self.update_url, content=sparql.encode(),
                   headers={"Content-Type": "application/sparql-update"},
                   timeout=self.update_timeout)

    def replace_graph(self, graph: str, triples: Iterable[ox.Triple | ox.Quad],
                      *, metadata: Iterable[ox.Triple] = ()) -> None:
        self.replace_graphs({graph: triples}, metadata=metadata)

    def replace_graphs(self, contents: Mapping[str, Iterable[ox.Triple | ox.Quad]],
                       *, metadata: Iterable[ox.Triple] = (),
                       checking: Callable[[], object] | None = None) -> None:
        if checking is not None:
            checking()
        # staging graphs filled by batches of POSTs, resumable, then one MOVE update
        replace_in_batches(self, contents, metadata=metadata)

    def drop_graph(self, graph: str) -> None:
        if not is_staging(graph):
            self.update(drop_update(graph))

    def recover(self, older_than: float = STALE_STAGING_AFTER) -> None:
        """Drop the staging graphs left by imports that died more than ``older_than`` seconds
        ago (younger ones may belong to an import running in another process)."""
        rows = self._select("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }")
        for row in rows:
            graph = row["g"]
            if isinstance(graph, ox.NamedNode) and is_staging(graph.value) \
                    and staging_age(graph.value) >= older_than:
                self.update(f"DROP SILENT GRAPH {iri(graph.value)}")

    def close(self) -> None:
        self._http.close()
