"""OpenLink Virtuoso (Open Source 7) as a remote store: ``VirtuosoStore``.

A ``RemoteStore`` that works around what Virtuoso does differently, so that it passes the
same contract tests as the other backends. Open it with ``open_store`` and a location
``virtuoso+http://USER:PASSWORD@HOST:PORT`` (the URL of Virtuoso's HTTP server; the user needs
the ``SPARQL_UPDATE`` role, ``dba`` has it), or ``VirtuosoStore(url, user=, password=)``.

Virtuoso's quirks, as measured on Debian's ``virtuoso-opensource`` 7.2.5, and what is done:

- **Endpoints.** Queries go to ``/sparql``; the anonymous user may not update, so updates go to
  ``/sparql-auth`` and the Graph Store to ``/sparql-graph-crud-auth``, both with HTTP *digest*
  authentication.
- **Raw bodies.** A query ``POST``ed as ``application/sparql-query`` hangs until the client
  gives up, and a Graph Store body sent with chunked transfer encoding is answered 201 but
  silently dropped. Queries are therefore always sent form-encoded, and uploads as documents
  with a ``Content-Length`` (``graph.store.batching``).
- **Content negotiation.** Asked for ``application/sparql-results+json, application/n-triples``
  Virtuoso answers a CONSTRUCT with a result table: the Accept header names only the one type
  that fits the query form.
- **Results.** SPARQL JSON results name blank nodes ``nodeID://b10001`` (not a valid blank node
  label) and write booleans ``"1"``/``"0"``; both are rewritten (``_b10001``, ``true``/``false``)
  before pyoxigraph reads them. Syntax errors say ``line 3: syntax error at '}'`` with no
  column: the column is found by looking for the token on that line of the query.
- **Datasets.** ``default-graph-uri`` and ``named-graph-uri`` do not override a query's
  ``FROM`` / ``FROM NAMED`` clauses as the protocol says: Virtuoso *adds* them, so a query
  naming a restricted graph in ``FROM NAMED`` read it. The dataset is therefore sent as
  ``define input:default-graph-uri`` / ``input:named-graph-uri`` pragmas closed by
  ``define input:freeze ""`` (a ``FROM`` outside them is then a compile error, never a read),
  after removing the query's own dataset clauses (``scoped``); a query asked without a dataset
  gets its ``FROM`` clauses as its dataset, as on the other backends. And ``COUNT(*)`` over
  ``GRAPH <g>``, ``g`` outside the named graphs, answers 1 instead of 0: such constant graph
  names become ``urn:civicgraph:no-graph``, an empty named graph of every dataset.
- **Aggregates in expressions.** ``(COALESCE(MIN(?a), MIN(?b)) AS ?label)`` in a SELECT
  clause — the label fallback of every catalogue query — fails to compile in larger queries
  ("Bad dfe in sqlo_place_exp"): such aggregates are computed in a sub-query
  (``graph.store.subselect``), which gives the same answers.
- **System graphs.** The union default graph includes Virtuoso's own graphs
  (``…/virtrdf#``, ``http://www.w3.org/ns/ldp#``, ``{server}/sparql``, ``{server}/DAV/``); they
  are never listed, counted nor queried (``SYSTEM_GRAPHS``, ``hidden_graphs``).
  ``GRAPH ?g { }`` does not enumerate graphs: the graphs are listed with
  ``GRAPH ?g { ?s ?p ?o } GROUP BY ?g`` (``SELECT DISTINCT ?g`` is 100 times slower).
- **Transactions.** Virtuoso commits each *operation* of an update request on its own (a
  request ``DROP …; MOVE …`` whose second part fails keeps the first), and ``MOVE`` from a
  graph that does not exist silently empties the target. A replacement is therefore committed
  by ONE ``DELETE … INSERT … WHERE`` operation that removes the old content and the old
  description, copies the staged content and inserts the new description, and that raises an
  error (``bif:signal``) if a staging graph vanished. The staging graphs are dropped
  afterwards. ``drop_graph`` is one operation too. ``VALUES`` inside a ``UNION`` branch
  yields no row, so the description is inserted from ``BIND`` branches.
- **Isolation.** Virtuoso reads at READ COMMITTED: a reader that scans a graph *while* a large
  replacement of it commits may see part of the new content (observed once in ~600 counts
  during a 150,000-triple replacement). ``DefaultIsolation = 4`` avoids it but made that
  replacement time out on its own locks. The write stays all-or-nothing.
- **Sizes.** A replacement is one transaction: raise ``TransactionAfterImageLimit`` (50 MB by
  default, roughly 100,000 triples) in ``virtuoso.ini``, and ``ResultSetMaxRows`` (10,000 by
  default, larger results are cut silently). ``INSERT DATA`` refuses blank nodes (use
  ``INSERT { … } WHERE { }``); ``xsd:double`` literals come back in Virtuoso's canonical form
  (``1e3`` as ``1000.0``); an update request of several operations is not atomic; a boolean
  written in a query becomes an integer (a substituted ``false`` is echoed back as given).
- **Evaluation.** Virtuoso 7.2 evaluates some expressions differently: ``STR()`` of an unbound
  variable is not an error, so ``COALESCE(STR(?x) = ?param, true)`` is false instead of true,
  and a few catalogue queries give other answers (``tests/engines/test_virtuoso_catalogue.py``
  lists them). Nothing is rewritten for that: write ``!BOUND(?param) || …`` instead.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Final
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

import httpx
import pyoxigraph as ox

from graph.errors import QuerySyntaxError, StoreError, StoreUnavailable
from graph.namespaces import META_GRAPH
from graph.sparql import lexer
from graph.sparql.lexer import code
from graph.store import batching
from graph.store.base import QueryResult, Term
from graph.store.binding import _tokens
from graph.store.remote import NO_GRAPH, STALE_STAGING_AFTER, RemoteStore
from graph.store.staging import iri, is_staging, staging_age
from graph.store.subselect import lift_aggregates

#: graphs every Virtuoso database holds for itself
SYSTEM_GRAPHS: Final = frozenset({
    "http://www.openlinksw.com/schemas/virtrdf#",
    "http://www.w3.org/ns/ldp#",
    "http://www.w3.org/2002/07/owl#",
    "http://localhost:8890/sparql",
    "http://localhost:8890/DAV/",
})
#: ``{server}/sparql`` (service description) and ``{server}/DAV/`` (WebDAV), whatever the host
_SERVER_GRAPH: Final = re.compile(r"^https?://[^/]+/(?:sparql|DAV/)$")
# GROUP BY, not DISTINCT: Virtuoso answers it in 2 ms instead of 180 ms (10^4 triples)
_GRAPHS: Final = "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
_RESULTS: Final = "application/sparql-results+json"
_XSD_BOOLEAN: Final = ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean")
_TRIPLES: Final = "application/n-triples"
_BNODE: Final = re.compile(rb'("type"\s*:\s*"bnode"\s*,\s*"value"\s*:\s*")nodeID://')
_BOOLEAN: Final = re.compile(
    rb'("datatype"\s*:\s*"http://www\.w3\.org/2001/XMLSchema#boolean"\s*,\s*'
    rb'"value"\s*:\s*")([01])"')
_ERROR: Final = re.compile(r"line (\d+): (.*?)(?: at '(.*?)')?(?: before '.*')?$")
_IRI: Final = r"<[^<>\"{}|^`\\\x00-\x20]*>"
_NS: Final = r"(?:[A-Za-z\u00C0-\uFFFF][\w.\-\u00B7\u00C0-\uFFFF]*)?:"
_PNAME: Final = _NS + r"[^\s{}()]*"
_KEY: Final = r"(?<![\w?$:\-])"
_PREFIX: Final = re.compile(rf"{_KEY}PREFIX\s+(?P<ns>{_NS})\s*(?P<iri>{_IRI})", re.IGNORECASE)
_BASE: Final = re.compile(rf"{_KEY}BASE\s*(?P<iri>{_IRI})", re.IGNORECASE)
_DATASET_CLAUSE: Final = re.compile(rf"{_KEY}FROM\s+(?:NAMED\s+)?(?:{_IRI}|{_PNAME})",
                                    re.IGNORECASE)
_GRAPH_NAME: Final = re.compile(rf"{_KEY}GRAPH\s+({_IRI}|{_PNAME})", re.IGNORECASE)


def parse_location(url: str) -> tuple[str, str | None, str | None]:
    """``(base URL, user, password)`` of a location ``[virtuoso+]http(s)://[user[:pw]@]host…``.

    >>> parse_location("virtuoso+http://dba:s%40cret@127.0.0.1:8890/")
    ('http://127.0.0.1:8890', 'dba', 's@cret')
    """
    parts = urlsplit(url.removeprefix("virtuoso+"))
    netloc = parts.hostname or ""
    if ":" in netloc:
        netloc = f"[{netloc}]"
    if parts.port is not None:
        netloc += f":{parts.port}"
    base = urlunsplit((parts.scheme, netloc, parts.path.rstrip("/"), "", ""))
    user = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password else None
    return base, user, password


def query_form(sparql: str) -> str:
    """``SELECT``, ``ASK``, ``CONSTRUCT`` or ``DESCRIBE``: the form of ``sparql``.

    >>> query_form('PREFIX s: <http://ex/select> # ASK\\nconstruct { ?s ?p "SELECT" } WHERE {}')
    'CONSTRUCT'
    """
    for kind, text, _ in _tokens(sparql):
        if kind == "word" and text.upper() in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
            return text.upper()
    return "SELECT"


def error_position(message: str, text: str, *, shift: int = 0
                   ) -> tuple[str, int | None, int | None]:
    """The message, line and column of Virtuoso's SPARQL compiler error ``message`` about
    ``text`` (which began with ``shift`` lines of pragmas that the reader never wrote).

    >>> error_position("Virtuoso 37000 Error SP030: SPARQL compiler, line 2: syntax error "
    ...                "at '}' before '}'\\n\\nSPARQL query:\\n...", "SELECT * {\\n ?s ?p }")
    ("line 2, column 8: syntax error at '}' (Virtuoso SP030)", 2, 8)
    """
    first = message.strip().splitlines()[0] if message.strip() else "bad request"
    first = re.sub(r"^Virtuoso \w+ Error ", "", first)
    code = re.match(r"(\w+): ", first)
    found = _ERROR.search(first)
    if found is None:
        return first, None, None
    line = int(found[1])
    lines = text.split("\n")
    column: int | None = None
    if found[3] and 0 < line <= len(lines):
        at = lines[line - 1].find(found[3])
        column = at + 1 if at >= 0 else None
    line -= shift
    what = found[2] + (f" at '{found[3]}'" if found[3] else "")
    where = f"line {line}" + (f", column {column}" if column is not None else "")
    return f"{where}: {what}" + (f" (Virtuoso {code[1]})" if code else ""), line, column


def _masked(sparql: str) -> str:
    """``sparql`` with strings and comments blanked (same length; IRIs kept)."""
    return "".join(" " * len(text) if kind in ("STRING", "OPEN_STRING", "COMMENT") else text
                   for kind, text, _ in lexer.tokens(sparql))


def scoped(sparql: str, named: Iterable[str]) -> str:
    """``sparql`` without its ``FROM`` / ``FROM NAMED`` clauses, and with each constant
    ``GRAPH <g>`` whose ``g`` is not in ``named`` turned into ``GRAPH <urn:civicgraph:no-graph>``.

    >>> scoped('PREFIX g: <http://g/> SELECT * FROM g:a WHERE { GRAPH g:b { ?s ?p "FROM" } '
    ...        'GRAPH <http://g/a> { } }', ["http://g/a"])
    'PREFIX g: <http://g/> SELECT *  WHERE { GRAPH <urn:civicgraph:no-graph> { ?s ?p "FROM" } \
GRAPH <http://g/a> { } }'
    """
    allowed = set(named)
    masked = _masked(sparql)
    found = _BASE.search(masked)
    base = found["iri"][1:-1] if found else None
    namespaces = {m["ns"][:-1]: m["iri"][1:-1] for m in _PREFIX.finditer(masked)}

    def resolved(token: str) -> str | None:
        if token.startswith("<"):
            return urljoin(base, token[1:-1]) if base else token[1:-1]
        prefix, _, local = token.partition(":")
        return namespaces[prefix] + local if prefix in namespaces else None

    # a clause cut keeps its line breaks, so that error positions still hold
    cuts = [(m.start(), m.end(), "\n" * m[0].count("\n"))
            for m in _DATASET_CLAUSE.finditer(masked)]
    cuts += [(m.start(1), m.end(1), f"<{NO_GRAPH}>") for m in _GRAPH_NAME.finditer(masked)
             if resolved(m[1]) not in allowed]
    for start, end, replacement in sorted(cuts, reverse=True):
        sparql = sparql[:start] + replacement + sparql[end:]
    return sparql


def dataset_pragmas(default: Sequence[str], named: Sequence[str]) -> str:
    """Virtuoso's pragmas that fix the dataset to the ``default`` and ``named`` graphs (the
    empty graph ``urn:civicgraph:no-graph`` always among the named); a ``FROM`` clause
    outside them is then a compile error, never a read. One line each."""
    lines = [f"define input:default-graph-uri {iri(g)}" for g in default or [NO_GRAPH]]
    lines += [f"define input:named-graph-uri {iri(g)}" for g in [*named, NO_GRAPH]]
    return "\n".join([*lines, 'define input:freeze ""', ""])


def dataset_clauses(sparql: str) -> tuple[list[str], list[str]]:
    """The graphs of the ``FROM`` and ``FROM NAMED`` clauses of the query ``sparql``, with
    its prefixes and base resolved (a prefix it does not declare: left to the engine).

    >>> dataset_clauses("PREFIX ex: <http://ex/> SELECT * FROM ex:g FROM NAMED <h> {}")
    (['http://ex/g'], ['h'])
    >>> dataset_clauses('CONSTRUCT { ?s ?p "FROM <x>" } WHERE { ?s ?p ?o }')
    ([], [])
    """
    default: list[str] = []
    named: list[str] = []
    namespaces: dict[str, str] = {}
    base: str | None = None
    depth = 0
    found = list(code(sparql))
    for index, token in enumerate(found):
        after = found[index + 1:index + 3]
        if token.text in "{}" and token.kind == "PUNCT":
            depth += 1 if token.text == "{" else -1
            continue
        word = token.text.upper() if token.kind == "WORD" else ""
        if word == "BASE" and after and after[0].kind == "IRI":
            base = urljoin(base or "", after[0].text[1:-1])
        elif word == "PREFIX" and len(after) == 2 and after[1].kind == "IRI":
            namespaces[after[0].text[:-1]] = urljoin(base or "", after[1].text[1:-1])
        elif word == "FROM" and depth == 0 and after:
            into = named if after[0].text.upper() == "NAMED" else default
            target = after[1] if into is named and len(after) == 2 else after[0]
            if target.kind == "IRI":
                into.append(urljoin(base or "", target.text[1:-1]))
            elif target.kind == "PNAME" and target.text.split(":")[0] in namespaces:
                prefix, _, local = target.text.partition(":")
                into.append(namespaces[prefix] + local)
    return default, named


def _echoed(result: ox.QuerySolutions, terms: Mapping[str, ox.Literal]) -> ox.QuerySolutions:
    """``result`` with the variables of ``terms`` bound to them: Virtuoso turns a boolean of
    the query text into an integer, so a substituted ``false`` would come back as ``0``."""
    document = json.loads(result.serialize(format=ox.QueryResultsFormat.JSON) or b"{}")
    for binding in document["results"]["bindings"]:
        for name, term in terms.items():
            if name in binding:
                binding[name] = {"type": "literal", "value": term.value,
                                 "datatype": term.datatype.value}
    return ox.parse_query_results(  # type: ignore[return-value]
        json.dumps(document).encode(), ox.QueryResultsFormat.JSON)


def _fixed(body: bytes) -> bytes:
    """Virtuoso's SPARQL JSON results made readable by pyoxigraph (see the module)."""
    body = _BNODE.sub(rb"\1", body)
    return _BOOLEAN.sub(lambda m: m[1] + (b'true"' if m[2] == b"1" else b'false"'), body)


class VirtuosoStore(RemoteStore):
    """Virtuoso's HTTP server at ``url`` (see the module docstring).

    ``user`` and ``password`` (or the URL's) authenticate updates and uploads by HTTP digest;
    without them the store can only be read. ``hidden_graphs`` adds graphs to hide to
    ``SYSTEM_GRAPHS``; ``batch_size`` is the number of triples per uploaded document."""

    kind = "virtuoso"

    def __init__(self, url: str, *, user: str | None = None, password: str | None = None,
                 timeout: float = 30.0, update_timeout: float = 600.0,
                 hidden_graphs: Iterable[str] = (), batch_size: int = batching.BATCH_SIZE,
                 transport: httpx.BaseTransport | None = None) -> None:
        base, url_user, url_password = parse_location(url)
        self.user = user or url_user or "dba"
        self.hidden_graphs = SYSTEM_GRAPHS | frozenset(hidden_graphs)
        self.batch_size = batch_size
        self._opening = True   # ``RemoteStore.__init__`` recovers before the auth is set
        super().__init__(
            base, query_url=f"{base}/sparql", update_url=f"{base}/sparql-auth",
            store_url=f"{base}/sparql-graph-crud-auth", timeout=timeout,
            update_timeout=update_timeout, exact_union=True, union_parameter=None,
            transport=transport)
        secret = password or url_password
        if secret:
            self._http.auth = httpx.DigestAuth(self.user, secret)
        self._opening = False
        self.recover()

    # -- reading ---------------------------------------------------------------------------

    def query(
        self,
        sparql: str,
        *,
        substitutions: Mapping[str, Term] | None = None,
        default_graph: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
    ) -> QueryResult:
        if default_graph is None and named_graphs is None:
            default, named = dataset_clauses(sparql)
            if default or named:
                # the query's own FROM clauses make its dataset, as on the other backends
                default_graph, named_graphs = default, named
        result = super().query(sparql, substitutions=substitutions,
                               default_graph=default_graph, named_graphs=named_graphs)
        booleans = {name: term for name, term in (substitutions or {}).items()
                    if isinstance(term, ox.Literal) and term.datatype == _XSD_BOOLEAN}
        if booleans and isinstance(result, ox.QuerySolutions):
            return _echoed(result, booleans)
        return result

    # -- HTTP ------------------------------------------------------------------------------

    def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        text = ""
        shift = 0
        data = kwargs.get("data")
        if isinstance(data, dict) and isinstance(data.get("query"), str):
            text = data["query"]
            wanted = _TRIPLES if query_form(text) in ("CONSTRUCT", "DESCRIBE") else _RESULTS
            kwargs["headers"] = {**kwargs.get("headers", {}), "Accept": wanted}
            data = dict(data)
            if "default-graph-uri" in data or "named-graph-uri" in data:
                default = list(data.pop("default-graph-uri", []))
                named = list(data.pop("named-graph-uri", []))
                pragmas = dataset_pragmas(default, named)
                data["query"] = pragmas + lift_aggregates(scoped(text, named))
                shift = pragmas.count("\n")   # errors count lines from the pragmas
            else:
                data["query"] = lift_aggregates(text)
            kwargs["data"] = data
            text = data["query"]
        elif isinstance(kwargs.get("content"), bytes) and url == self.update_url:
            text = kwargs["content"].decode("utf-8", errors="replace")
        try:
            response = super()._send(method, url, **kwargs)
        except QuerySyntaxError as error:
            message, line, column = error_position(error.message, text, shift=shift)
            raise QuerySyntaxError(message, line=line, column=column) from None
        except StoreUnavailable:
            raise
        except StoreError as error:
            if " answered 401" in str(error):
                raise StoreError(f"Virtuoso refused {method} {url}: give the password of a "
                                 "user with the SPARQL_UPDATE role (e.g. dba) in the store "
                                 "URL, virtuoso+http://USER:PASSWORD@HOST:PORT") from None
            raise
        if response.headers.get("content-type", "").startswith(_RESULTS):
            headers = {k: v for k, v in response.headers.items()
                       if k.lower() not in ("content-length", "content-encoding",
                                            "transfer-encoding")}
            return httpx.Response(response.status_code, headers=headers,
                                  content=_fixed(response.content), request=response.request)
        return response

    # -- graphs ----------------------------------------------------------------------------

    def is_hidden(self, graph: str) -> bool:
        """Whether ``graph`` is a staging graph or one of Virtuoso's own."""
        return is_staging(graph) or graph in self.hidden_graphs \
            or _SERVER_GRAPH.match(graph) is not None

    def _graph_names(self) -> list[str]:
        return sorted(r["g"].value for r in self._select(_GRAPHS)
                      if isinstance(r["g"], ox.NamedNode) and not self.is_hidden(r["g"].value))

    def graphs(self) -> list[str]:
        # ``GRAPH ?g { ?s ?p ?o }`` lists only graphs that hold triples
        return self._graph_names()

    def recover(self, older_than: float = STALE_STAGING_AFTER) -> None:
        if getattr(self, "_opening", False):
            return
        try:
            rows = self._select(_GRAPHS)
        except StoreUnavailable:
            return
        for row in rows:
            graph = row["g"]
            if isinstance(graph, ox.NamedNode) and is_staging(graph.value) \
                    and staging_age(graph.value) >= older_than:
                self.update(f"DROP SILENT GRAPH {iri(graph.value)}")

    # -- writing ---------------------------------------------------------------------------

    def replace_graphs(self, contents: Mapping[str, Iterable[ox.Triple | ox.Quad]],
                       *, metadata: Iterable[ox.Triple] = (),
                       checking: Callable[[], object] | None = None) -> None:
        if checking is not None:
            checking()
        batching.replace_in_batches(self, contents, metadata=metadata, commit=self._commit,
                                    batch_size=self.batch_size)

    def _commit(self, moves: Mapping[str, str | None], metadata: Sequence[ox.Triple],
                leftovers: Sequence[str]) -> None:
        """One operation: old content and descriptions out, staged content and ``metadata``
        in; then the staging graphs and the ledger go."""
        self.update(commit_operation(moves, metadata))
        for graph in leftovers:
            try:
                self.update(f"DROP SILENT GRAPH {iri(graph)}")
            except StoreError:
                break   # hidden anyway; ``recover`` removes them later

    def drop_graph(self, graph: str) -> None:
        if is_staging(graph):
            return
        target, meta = iri(graph), iri(META_GRAPH)
        self.update(
            f"DELETE {{ GRAPH {target} {{ ?s ?p ?o }} GRAPH {meta} {{ {target} ?mp ?mo }} }} "
            f"WHERE {{ {{ GRAPH {target} {{ ?s ?p ?o }} }} UNION "
            f"{{ GRAPH {meta} {{ {target} ?mp ?mo }} }} }}")


def commit_operation(moves: Mapping[str, str | None],
                     metadata: Iterable[ox.Triple] = ()) -> str:
    """The single ``DELETE … INSERT … WHERE`` operation that commits a replacement on
    Virtuoso (see the module): ``moves`` maps each target to its staging graph, or to None
    when it must end empty; the targets' descriptions in the meta graph become ``metadata``.
    """
    meta = iri(META_GRAPH)
    deleted: list[str] = [f"GRAPH {meta} {{ ?d ?dp ?do }}"]
    inserted: list[str] = [f"GRAPH {meta} {{ ?m ?mp ?mo }}"]
    branches: list[str] = [
        f"{{ GRAPH {meta} {{ ?d ?dp ?do }} "
        f"FILTER(?d IN ({', '.join(iri(t) for t in moves)})) }}"]
    guards: list[str] = []
    for number, (target, staged) in enumerate(moves.items()):
        old = f"?o{number}s ?o{number}p ?o{number}o"
        deleted.append(f"GRAPH {iri(target)} {{ {old} }}")
        branches.append(f"{{ GRAPH {iri(target)} {{ {old} }} }}")
        if staged is not None:
            new = f"?n{number}s ?n{number}p ?n{number}o"
            inserted.append(f"GRAPH {iri(target)} {{ {new} }}")
            branches.append(f"{{ GRAPH {iri(staged)} {{ {new} }} }}")
            # one FILTER each: Virtuoso cannot compile ``EXISTS {…} && EXISTS {…}``
            message = ox.Literal(f"the staging graph of {target} vanished before the commit")
            guards.append(
                f"FILTER(IF(EXISTS {{ GRAPH {iri(staged)} {{ ?g{number}s ?g{number}p "
                f"?g{number}o }} }}, true, bif:signal('CGV01', {message}))) ")
    for t in metadata:
        if isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode):
            raise ValueError("a graph description cannot hold blank nodes on Virtuoso")
        branches.append(f"{{ BIND({t.subject} AS ?m) BIND({t.predicate} AS ?mp) "
                        f"BIND({t.object} AS ?mo) }}")
    return (f"DELETE {{ {' '.join(deleted)} }}\nINSERT {{ {' '.join(inserted)} }}\n"
            f"WHERE {{ {''.join(guards)}{' UNION '.join(branches)} }}")
