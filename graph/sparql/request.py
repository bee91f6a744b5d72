"""What a SPARQL request may do, over which graphs, and running it to a serialised answer.

Three concerns, in the order a request meets them:

1. **Reading the text.** ``analyse_query`` and ``analyse_update`` check the text's bounds
   (``graph.ingest.bounds``: depth and length on tokens, before any parser sees it), then
   read it with the one lexer (``graph.sparql.lexer``: strings, comments and IRIs are never
   taken for syntax) to find its form (SELECT, ASK, CONSTRUCT,
   DESCRIBE), its ``FROM`` / ``FROM NAMED`` clauses, and any operation that would reach the
   network. pyoxigraph has an HTTP client: ``SERVICE`` and ``LOAD`` would really fetch URLs,
   so they are refused with ``ForbiddenOperation`` before the engine sees the text (the text
   is read both as sent and with ``\\u`` escapes decoded, as the SPARQL grammar decodes them).
2. **Scoping.** ``scope_dataset`` decides the default graph and the named graphs a request
   reads: the protocol's ``default-graph-uri`` / ``named-graph-uri`` when given, else the
   query's ``FROM`` clauses, else the service's dataset, in one of two modes:
   ``union=True``, the default graph is the union of every visible graph, the store's own
   default graph (``DEFAULT_GRAPH``) included; ``union=False``, standard SPARQL dataset
   semantics (as Oxigraph server and Fuseki): the default graph is the store's own, and the
   visible named graphs are reached with ``GRAPH``. Anything outside the visible graphs is
   dropped, and both lists are always given to the engine, so neither ``FROM`` nor
   ``GRAPH`` reaches a graph the reader may not see. Anonymous readers see the public graphs
   (``graph.privacy.access``) and the store's default graph; curators see them all.
3. **Running.** ``execute`` runs a ``QueryJob`` on a store and serialises the result under the
   result cap (``graph.sparql.results``). It is what the query workers run
   (``graph.engine.workers``), and what runs in a thread for a remote store.

>>> analyse_query("PREFIX ex: <http://ex/> SELECT * FROM ex:g WHERE { ?s ?p ?o }").default
('http://ex/g',)
>>> analyse_query("ASK { ?s ?p ?o }").form
'ASK'
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final, Literal
from urllib.parse import urljoin

from graph.errors import ForbiddenOperation, InputError, QuerySyntaxError
from graph.ingest.bounds import check_sparql
from graph.namespaces import GRAPH, META_GRAPH, PREFIXES
from graph.privacy.access import RESTRICTED_META_GRAPH, default_graph_is_public, public_graphs
from graph.sparql.lexer import code
from graph.sparql.results import Answer, ResultFormat, format_named, serialize_result
from graph.store import DEFAULT_GRAPH, Store, Term, named_only

QueryForm = Literal["SELECT", "ASK", "CONSTRUCT", "DESCRIBE"]
#: who is reading: the public (public graphs only) or a curator (every graph)
Scope = Literal["public", "all"]

_UNICODE_ESCAPE: Final = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_FORMS: Final = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})
_POSITION: Final = re.compile(r"error at (\d+):(\d+): ?")


def _decoded(text: str) -> str:
    return _UNICODE_ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)


def _refuse(text: str, *, update: bool) -> None:
    """Bounds (``graph.ingest.bounds``), then the operations that would reach the network,
    in the text as sent and with its ``\\u`` escapes decoded."""
    for variant in dict.fromkeys((text, _decoded(text))):
        check_sparql(variant, update=update)
        for token in code(variant):
            if token.kind != "WORD":
                continue
            word = token.text.upper()
            if word == "SERVICE":
                raise ForbiddenOperation("SERVICE (federated query)")
            if update and word == "LOAD":
                raise ForbiddenOperation("LOAD")


@dataclass(frozen=True)
class QueryInfo:
    """What a query's text says of itself."""

    #: the query form, or None when the text does not begin like a query
    form: QueryForm | None
    #: graphs of its FROM clauses
    default: tuple[str, ...] = ()
    #: graphs of its FROM NAMED clauses
    named: tuple[str, ...] = ()
    #: civicgraph's own graphs (``SERVICE_GRAPHS``) whose IRI the query writes
    mentioned: frozenset[str] = frozenset()

    @property
    def has_dataset(self) -> bool:
        """Whether the query names its own dataset (FROM or FROM NAMED)."""
        return bool(self.default or self.named)

    @property
    def result_kind(self) -> Literal["solutions", "boolean", "graph"]:
        if self.form in ("CONSTRUCT", "DESCRIBE"):
            return "graph"
        return "boolean" if self.form == "ASK" else "solutions"


def refuse_reserved(graph: str) -> str:
    """``graph``, a graph a client names for a query's dataset, unless it is
    ``DEFAULT_GRAPH``: civicgraph's internal name for the store's default graph is an
    ``InputError`` (400) there, as on the Graph Store.

    >>> refuse_reserved(DEFAULT_GRAPH)
    Traceback (most recent call last):
    graph.errors.InputError: the graph name <urn:civicgraph:default-graph> is reserved: ...
    """
    if graph == DEFAULT_GRAPH:
        raise InputError(f"the graph name <{DEFAULT_GRAPH}> is reserved: it is civicgraph's "
                         "internal name for the store's default graph, which FROM, FROM NAMED, "
                         "default-graph-uri and named-graph-uri cannot name")
    return graph


def requested_dataset(default: Sequence[str], named: Sequence[str]) -> Dataset | None:
    """The ``Dataset`` of the protocol's ``default-graph-uri`` (``default``) and
    ``named-graph-uri`` (``named``), None when neither is given; ``refuse_reserved`` for
    each graph."""
    if not default and not named:
        return None
    return Dataset(tuple(map(refuse_reserved, default)), tuple(map(refuse_reserved, named)))


def analyse_query(text: str) -> QueryInfo:
    """The form and dataset clauses of the query ``text``; ``ForbiddenOperation`` for a
    query that would reach the network, ``InputError`` for a clause naming
    ``DEFAULT_GRAPH`` (``refuse_reserved``). A malformed query is left to the engine to
    report."""
    _refuse(text, update=False)
    words = code(_decoded(text))
    base: str | None = None
    namespaces: dict[str, str] = {}
    token = next(words, None)
    while token is not None and token.text.upper() in ("BASE", "PREFIX"):
        if token.text.upper() == "BASE":
            iri = next(words, None)
            if iri is None or iri.kind != "IRI":
                break
            base = _resolve(iri.text[1:-1], base)
        else:
            name, iri = next(words, None), next(words, None)
            if name is None or iri is None or name.kind != "PNAME" or \
                    not name.text.endswith(":") or iri.kind != "IRI":
                break
            namespaces[name.text[:-1]] = _resolve(iri.text[1:-1], base)
        token = next(words, None)
    form: QueryForm | None = None
    if token is not None and token.kind == "WORD" and token.text.upper() in _FORMS:
        form = token.text.upper()  # type: ignore[assignment]
    default: list[str] = []
    named: list[str] = []
    mentioned: set[str] = set()
    previous: list[str] = []   # the last two words: FROM, or FROM NAMED
    for token in words:
        if token.kind in ("IRI", "PNAME"):
            written = clause_iri(token.text, base, namespaces)
            if written is not None and written in SERVICE_GRAPHS:
                mentioned.add(written)
        if token.kind in ("IRI", "PNAME") and previous and previous[-1] in ("FROM", "NAMED"):
            is_named = previous[-1] == "NAMED" and len(previous) > 1 and previous[-2] == "FROM"
            if previous[-1] == "FROM" or is_named:
                graph = clause_iri(token.text, base, namespaces)
                if graph is not None:
                    (named if is_named else default).append(refuse_reserved(graph))
        previous = [*previous[-1:], token.text.upper() if token.kind == "WORD" else ""]
    return QueryInfo(form, tuple(default), tuple(named), frozenset(mentioned))


_SCHEME: Final = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")


def with_base(text: str, base: str) -> str:
    """``text`` (a query or an update) resolving its relative IRIs against ``base``, as
    Oxigraph server and Fuseki resolve them against the endpoint's URL: a ``BASE`` is put in
    front, on the first line (line numbers of errors stay right), when the text has a
    relative IRI and no ``BASE`` of its own.

    >>> with_base("CONSTRUCT { <s> <p> 1 } WHERE {}", "http://h/sparql")
    'BASE <http://h/sparql> CONSTRUCT { <s> <p> 1 } WHERE {}'
    >>> with_base("ASK { <http://ex/s> ?p ?o }", "http://h/sparql")
    'ASK { <http://ex/s> ?p ?o }'
    """
    relative = False
    for token in code(text):
        if token.kind == "WORD" and token.text.upper() == "BASE":
            return text
        if token.kind == "IRI" and not _SCHEME.match(token.text[1:-1]):
            relative = True
    return f"BASE <{base}> {text}" if relative else text


def with_using(text: str, default: Sequence[str], named: Sequence[str]) -> str:
    """The update ``text`` with the protocol's ``using-graph-uri`` (``default``) and
    ``using-named-graph-uri`` (``named``) written as ``USING`` / ``USING NAMED`` before the
    ``WHERE`` of each DELETE/INSERT operation (SPARQL 1.1 Protocol §2.2.3);
    ``QuerySyntaxError`` when the update has ``USING`` or ``WITH`` of its own.

    >>> with_using("INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }", ["http://g"], [])
    'INSERT { ?s ?p 1 } USING <http://g> WHERE { ?s ?p ?o }'
    """
    if not default and not named:
        return text
    clause = " ".join([*(f"USING <{g}>" for g in default),
                       *(f"USING NAMED <{g}>" for g in named)]) + " "
    depth, previous, cuts = 0, "", []
    for token in code(text):
        word = token.text.upper() if token.kind == "WORD" else ""
        if word in ("USING", "WITH"):
            raise QuerySyntaxError("using-graph-uri and using-named-graph-uri cannot be "
                                   f"combined with {word} in the update (SPARQL 1.1 Protocol)")
        if token.text in ("{", "}") and token.kind == "PUNCT":
            depth += 1 if token.text == "{" else -1
        elif word == "WHERE" and depth == 0 and previous != "DELETE":
            cuts.append(token.start)
        previous = word
    for cut in reversed(cuts):
        text = text[:cut] + clause + text[cut:]
    return text


def analyse_update(text: str) -> None:
    """``ForbiddenOperation`` for an update that would reach the network (LOAD, SERVICE)."""
    _refuse(text, update=True)


def _resolve(iri: str, base: str | None) -> str:
    return urljoin(base, iri) if base else iri


def clause_iri(token: str, base: str | None, namespaces: Mapping[str, str]) -> str | None:
    """The IRI a token (``<…>`` or a prefixed name) writes, resolved against ``base`` and
    ``namespaces``; None for an undeclared prefix."""
    if token.startswith("<"):
        return _resolve(token[1:-1], base)
    prefix, _, local = token.partition(":")
    if prefix not in namespaces:
        return None  # the engine will report the undefined prefix
    return namespaces[prefix] + local


def syntax_error(error: SyntaxError) -> QuerySyntaxError:
    """The ``QuerySyntaxError`` for a pyoxigraph ``SyntaxError`` ("error at 3:14: ...")."""
    message = str(error)
    match = _POSITION.match(message)
    if match is None:
        return QuerySyntaxError(message)
    line, column = int(match[1]), int(match[2])
    return QuerySyntaxError(f"line {line}, column {column}: {message[match.end():]}",
                            line=line, column=column)


@dataclass(frozen=True)
class Dataset:
    """The graphs a request names for its default graph and its named graphs.

    ``None`` for either means every visible graph. The SPARQL protocol's
    ``default-graph-uri`` / ``named-graph-uri`` make ``Dataset(default, named)`` with the other
    list empty when only one is given (as the protocol says)."""

    default: tuple[str, ...] | None = None
    named: tuple[str, ...] | None = None


#: civicgraph's own graphs: the descriptions of the others, the public view of persons. In the
#: standard dataset mode a GRAPH pattern does not range over them unless the query writes
#: their IRI (or FROM NAMED, named-graph-uri names them), so that a client finds the graphs it
#: wrote, as on Oxigraph server or Fuseki.
SERVICE_GRAPHS: Final = frozenset({META_GRAPH, RESTRICTED_META_GRAPH, GRAPH + "public-persons"})


def scope_dataset(info: QueryInfo, requested: Dataset | None, visible: Sequence[str],
                  *, union: bool = True) -> tuple[list[str], list[str]]:
    """The default graph and the named graphs to query, within ``visible``: ``requested``
    when given, else the query's FROM clauses, else the service's dataset (``union``: the
    default graph is the union of the visible graphs; otherwise the store's own).
    ``DEFAULT_GRAPH`` is never a named graph.

    >>> scope_dataset(QueryInfo("SELECT"), None, ["http://a", DEFAULT_GRAPH])
    (['http://a', 'urn:civicgraph:default-graph'], ['http://a'])
    >>> scope_dataset(QueryInfo("SELECT"), None, ["http://a", META_GRAPH, DEFAULT_GRAPH],
    ...               union=False)
    (['urn:civicgraph:default-graph'], ['http://a'])
    >>> scope_dataset(QueryInfo("SELECT", default=("http://r",)), None, ["http://a"])
    ([], [])
    >>> scope_dataset(QueryInfo("SELECT"), Dataset(default=("http://a",), named=()), ["http://a"])
    (['http://a'], [])
    """
    if requested is None:
        if info.has_dataset:
            requested = Dataset(info.default, info.named)
        elif union:
            requested = Dataset()
        else:
            requested = Dataset(default=(DEFAULT_GRAPH,), named=tuple(
                g for g in visible if g not in SERVICE_GRAPHS or g in info.mentioned))
    allowed = set(visible)

    def within(graphs: tuple[str, ...] | None) -> list[str]:
        if graphs is None:
            return list(visible)
        return [g for g in graphs if g in allowed]

    return within(requested.default), named_only(within(requested.named))


def visible_graphs(store: Store, scope: Scope) -> list[str]:
    """The graphs a reader with ``scope`` may read: the named graphs it may see, then
    ``DEFAULT_GRAPH`` (the store's own default graph), public unless described as
    restricted (``graph.privacy.access.default_graph_is_public``)."""
    if scope == "all":
        return [*named_only(store.graphs()), DEFAULT_GRAPH]
    default = [DEFAULT_GRAPH] if default_graph_is_public(store) else []
    return [*named_only(public_graphs(store)), *default]


@dataclass(frozen=True)
class QueryJob:
    """One query to run: everything a worker process needs, and nothing it cannot pickle."""

    sparql: str
    scope: Scope
    #: the graphs the request names (None: the query's FROM clauses, else every visible graph)
    dataset: Dataset | None = None
    #: variables bound to RDF terms, by name (SEP-0007)
    substitutions: Mapping[str, Term] = field(default_factory=lambda: MappingProxyType({}))
    #: name of the format for SELECT and ASK results
    solutions_format: str = "json"
    #: name of the format for CONSTRUCT and DESCRIBE results
    graph_format: str = "turtle"
    #: most solutions or triples returned
    limit: int = 100_000
    #: the dataset mode when the request names no dataset (``scope_dataset``'s ``union``)
    union_default_graph: bool = True

    def __reduce__(self) -> tuple[object, ...]:
        # MappingProxyType does not pickle
        return (_job, (self.sparql, self.scope, self.dataset, dict(self.substitutions),
                       self.solutions_format, self.graph_format, self.limit,
                       self.union_default_graph))


def _job(sparql: str, scope: Scope, dataset: Dataset | None, substitutions: dict[str, Term],
         solutions_format: str, graph_format: str, limit: int,
         union_default_graph: bool) -> QueryJob:
    return QueryJob(sparql, scope, dataset, MappingProxyType(substitutions), solutions_format,
                    graph_format, limit, union_default_graph)


def execute(store: Store, job: QueryJob,
            visible: Callable[[Scope], Sequence[str]] | None = None,
            everything: frozenset[str] | None = None, *,
            info: QueryInfo | None = None, every_solution_binds: bool = False) -> Answer:
    """Run ``job`` on ``store`` and serialise its result.

    ``visible`` gives the graphs a scope may read (by default ``visible_graphs``; the workers
    pass a cached one). ``everything``, when given, is the set of graphs whose union is the
    store's union default graph (its named graphs, and ``DEFAULT_GRAPH`` when its own default
    graph holds triples): a dataset covering all of it is then asked for as the union default
    graph, which Oxigraph evaluates up to several times faster than the same graphs listed.
    ``info`` is ``analyse_query(job.sparql)`` when the caller has it already;
    ``every_solution_binds`` goes to ``serialize_result``.
    Raises ``ForbiddenOperation``, ``QuerySyntaxError``, ``ResultTooLarge`` and the store's
    own errors."""
    if info is None:
        info = analyse_query(job.sparql)
    graphs = (visible or (lambda scope: visible_graphs(store, scope)))(job.scope)
    default, named = scope_dataset(info, job.dataset, graphs, union=job.union_default_graph)
    whole = everything is not None and everything.issubset(default) and \
        set(named_only(everything)).issubset(named)
    result = store.query(job.sparql, substitutions=job.substitutions or None,
                         default_graph=None if whole else default,
                         named_graphs=None if whole else named)
    return serialize_result(
        result, solutions=format_named(job.solutions_format),
        graph=format_named(job.graph_format), limit=job.limit, prefixes=PREFIXES,
        every_solution_binds=every_solution_binds,
    )


def job_formats(info: QueryInfo, chosen: ResultFormat | None) -> dict[str, str]:
    """The ``solutions_format`` / ``graph_format`` arguments of a ``QueryJob`` for a query
    whose negotiated format is ``chosen`` (the other kind keeps its default)."""
    if chosen is None:
        return {}
    key = "graph_format" if chosen.kind == "graph" else "solutions_format"
    return {key: chosen.name}


__all__ = [
    "Dataset", "QueryForm", "QueryInfo", "QueryJob", "Scope", "analyse_query",
    "analyse_update", "execute", "job_formats", "refuse_reserved", "requested_dataset",
    "scope_dataset", "syntax_error",
    "visible_graphs", "with_base", "with_using",
]
