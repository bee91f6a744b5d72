"""Refuse a SPARQL Update that would put personal data into a public graph.

Graph Store writes and loads check their parsed triples (``graph.privacy.persons.personal_data``).
An update cannot be checked that way without running it, and the store interface has no
transaction to run it in and roll back, so ``personal_updates`` reads the update instead
(rdflib's SPARQL Update parser and algebra) and finds, in the graphs that are public
(``graph.privacy.access``) or may be:

- ``INSERT DATA`` triples, and ``INSERT`` template triples (``GRAPH`` blocks, or the
  ``WITH`` graph), whose predicate is a personal property (``foaf:name``, ``org:member``, …)
  or which type their subject as a person, a membership or a consent record;
- template triples whose predicate, or whose class after ``rdf:type``, is a variable: the
  engine could bind it to a personal one (copying a restricted graph into a public one) —
  unless the ``WHERE`` clause reads only public graphs other than the public view of persons
  (each pattern under ``GRAPH <iri>``, or the ``WITH`` graph) and binds its variables only
  by matching them (no ``BIND``, ``VALUES`` or aggregate, which could make up a personal
  IRI): copying public data between public graphs discloses nothing;
- template triples under ``GRAPH ?g``: the variable may name a public graph (the same
  exception holds for their variable predicates and classes);
- ``ADD``, ``COPY`` and ``MOVE`` into a public graph from one that is not public.

Limits: the check is on the text, not on the data the update ends with; the write path
(``graph.ingest.writing.apply_update``) calls it first, then checks the data the update adds
to each public graph, the store's default graph included, on a scratch run. Neither sees
personal data written with other predicates (a name under ``rdfs:label``, an e-mail in a
comment), nor a graph made public by the same update (a description inserted into the meta
graph). An update that rdflib cannot parse while Oxigraph can is refused rather than let
through unchecked. ``graphs_of`` tells the write path which graphs an update may touch.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from typing import Any

import pyoxigraph as ox
from rdflib.plugins.sparql.algebra import translateUpdate
from rdflib.plugins.sparql.parser import parseUpdate
from rdflib.term import URIRef, Variable

from graph.errors import QuerySyntaxError, ShapeViolation, Violation
from graph.namespaces import RDF
from graph.privacy.access import public_graphs
from graph.privacy.persons import PERSONAL_PROPERTIES, PERSONAL_TYPES, PUBLIC_PERSONS_GRAPH
from graph.sparql.lexer import code
from graph.sparql.request import clause_iri, syntax_error
from graph.store import DEFAULT_GRAPH, Store

_TYPE = URIRef(RDF + "type")
_CONSTRAINT = "civicgraph:restricted"
_NOTHING = "urn:civicgraph:no-graph"
#: algebra nodes that make up values instead of matching them in the data
_MAKERS = frozenset({"Extend", "values", "ToMultiSet", "AggregateJoin", "Group",
                     "ServiceGraphPattern"})


def personal_updates(store: Store, text: str, *, limit: int = 10,
                     public: Collection[str] | None = None) -> list[Violation]:
    """What ``text`` (a SPARQL Update) would write of personal data into public graphs, at
    most ``limit`` findings; raises ``QuerySyntaxError`` for an update that does not parse.
    ``public``: the graphs to treat as public (by default the public graphs; the write path
    adds those the update would create public)."""
    return findings(text, set(public_graphs(store)) | set(public or ()), limit=limit)


def findings(text: str, public: Collection[str], *, limit: int = 10) -> list[Violation]:
    """``personal_updates`` for the graphs ``public`` alone, without a store: what the parser
    process (``graph.engine.parsing``) computes for the write path."""
    algebra = _parse(text)
    public = set(public)
    found: list[Violation] = []
    for operation in algebra:
        found += _check(operation, public)
        if len(found) >= limit:
            break
    return found[:limit]


def refuse_personal_updates(store: Store, text: str,
                            public: Collection[str] | None = None) -> None:
    """``ShapeViolation`` (400) naming the graphs and triples when ``personal_updates``
    finds anything."""
    found = personal_updates(store, text, public=public)
    if found:
        raise ShapeViolation(found, source="the update")


def _parse(text: str) -> list[Any]:
    try:
        return list(translateUpdate(parseUpdate(text)).algebra)
    except Exception as error:  # rdflib raises a plain Exception for an unknown prefix
        unparsed = error
    if isinstance(unparsed, RecursionError):
        raise QuerySyntaxError("this update nests too deeply for the privacy guard to read it "
                               "(rdflib's parser reached Python's recursion limit); write it "
                               "with less nesting")
    if _is_empty(text):
        return []
    try:
        ox.Store().update(text)  # an empty scratch store: the engine's own syntax message
    except SyntaxError as error:
        raise syntax_error(error) from None
    raise QuerySyntaxError("this update could not be checked for personal data going into "
                           "a public graph; write it in plain SPARQL 1.1 or use the Graph "
                           f"Store ({type(unparsed).__name__})")


def _is_empty(text: str) -> bool:
    """Whether ``text`` is an update of no operation (a prologue, comments: valid SPARQL that
    rdflib's parser refuses): followed by one operation, it holds that one only."""
    try:
        return len(translateUpdate(parseUpdate(f"{text}\nCLEAR SILENT GRAPH <{_NOTHING}>"))
                   .algebra) == 1
    except Exception:
        return False


def _check(operation: Any, public: set[str]) -> list[Violation]:
    name = operation.name
    if name == "InsertData":
        return list(_templates(_field(operation, "quads") or {}, None, public,
                               _field(operation, "triples") or []))
    if name == "Modify":
        insert = _field(operation, "insert")
        if insert is None:
            return []
        with_graph = _field(operation, "withClause")
        readable = public - {PUBLIC_PERSONS_GRAPH}
        using = _field(operation, "using") or []
        if using:
            # USING replaces the WHERE's default graph by the merge of the graphs it names
            # (and WITH's role): a copy out of public graphs only discloses nothing
            merged = [dict.get(clause, "default") for clause in using
                      if dict.get(clause, "default") is not None]
            copied = bool(merged) and all(str(g) in readable for g in merged) and \
                _matches_public_only(_field(operation, "where"), merged[0], readable)
        else:
            copied = _matches_public_only(_field(operation, "where"), with_graph, readable)
        return list(_templates(_field(insert, "quads") or {}, with_graph, public,
                               _field(insert, "triples") or [], copied=copied))
    if name in ("Add", "Copy", "Move"):
        source, target = (DEFAULT_GRAPH if not isinstance(g, URIRef) and str(g) == "DEFAULT"
                          else str(g) for g in operation["graph"])
        if target in public and source not in public:
            return [Violation(f"<{source}>", None, _CONSTRAINT, None,
                              f"{name.upper()} from a graph that is not public into the public "
                              f"graph <{target}> would publish what it holds")]
    return []


def _field(value: Any, key: str) -> Any:
    """``value[key]`` of an rdflib algebra node (a ``dict``), or None: the node's own ``get``
    answers a missing key with the key itself."""
    return dict.get(value, key)


def _matches_public_only(where: Any, graph: Any, public: set[str]) -> bool:
    """Whether the pattern ``where`` (read in ``graph``, the ``WITH`` graph or None for the
    default graph) matches triples of ``public`` graphs only, binding nothing otherwise."""
    if where is None:
        return True
    if isinstance(where, list | tuple):
        return all(_matches_public_only(part, graph, public) for part in where)
    if not isinstance(where, dict):
        return True   # a term, an expression's operand
    name = getattr(where, "name", None)
    if name in _MAKERS:
        return False
    if name == "Graph":
        term = dict.get(where, "term")
        if isinstance(term, Variable) or str(term) not in public:
            return False
        graph = term
    if name == "BGP" and dict.get(where, "triples"):
        return graph is not None and not isinstance(graph, Variable) and str(graph) in public
    return all(_matches_public_only(value, graph, public)
               for key, value in where.items() if key not in ("_vars", "expr"))


def _templates(quads: dict[Any, list[Any]], with_graph: Any, public: set[str],
               default: Iterable[Any] = (), *, copied: bool = False) -> Iterator[Violation]:
    targets = [*quads.items()]
    if with_graph is not None:
        targets.append((with_graph, list(default)))
    for graph, triples in targets:
        if isinstance(graph, Variable):
            where = f"GRAPH ?{graph} (which may be public)"
        elif str(graph) in public:
            where = f"the public graph <{graph}>"
        else:
            continue
        for subject, predicate, obj in triples:
            reason = _personal(predicate, obj, copied=copied)
            if reason is not None:
                yield Violation(_show(subject), _show(predicate), _CONSTRAINT, None,
                                f"{reason} into {where}: personal data goes into a "
                                "restricted graph; the public sees a person only as their "
                                "consent allows", _show(obj))


def _personal(predicate: Any, obj: Any, *, copied: bool = False) -> str | None:
    """Why a template triple may be personal data; ``copied``: its variables can only take
    values of public data."""
    if isinstance(predicate, Variable):
        return None if copied else "a variable predicate may write personal data"
    if str(predicate) in PERSONAL_PROPERTIES:
        return "a personal property"
    if predicate == _TYPE:
        if isinstance(obj, Variable):
            return None if copied else ("a variable class may type a person, a membership or "
                                        "a consent record")
        if str(obj) in PERSONAL_TYPES:
            return "a person, membership or consent record"
    return None


def _show(term: Any) -> str:
    return f"?{term}" if isinstance(term, Variable) else term.n3()


#: words that begin an operation other than INSERT DATA / DELETE DATA, or a clause of one
#: BASE too: its relative IRIs are read as the engine does by ``graphs_of``'s every graph
_NOT_DATA = frozenset({"WITH", "WHERE", "USING", "LOAD", "CLEAR", "CREATE", "DROP", "ADD",
                       "MOVE", "COPY", "BASE"})


def data_graphs(text: str) -> set[str] | None:
    """For an update made of ``INSERT DATA`` and ``DELETE DATA`` operations only, the named
    graphs it writes (``GRAPH <…>``); None for any other update. Read on tokens, in one linear
    pass: such an update writes exactly the triples it spells, which the write path checks as
    data (``graph.ingest.checking``) after its scratch run, so it needs neither rdflib's parse
    nor ``findings`` (whose algebra takes quadratic time in the number of triples)."""
    named: set[str] = set()
    namespaces: dict[str, str] = {}
    depth = 0
    words = code(text)
    previous = ""
    for token in words:
        if token.kind == "PUNCT" and token.text in "{}":
            depth += 1 if token.text == "{" else -1
            previous = ""
            continue
        word = token.text.upper() if token.kind == "WORD" else ""
        if depth == 0:
            if word in _NOT_DATA or (previous in ("INSERT", "DELETE") and word != "DATA"):
                return None
            if word == "PREFIX":
                name, iri = next(words, None), next(words, None)
                if name is None or iri is None or iri.kind != "IRI":
                    return None
                namespaces[name.text.rstrip(":")] = clause_iri(iri.text, None, {}) or ""
        elif previous == "GRAPH":
            if token.kind not in ("IRI", "PNAME"):
                return None
            graph = clause_iri(token.text, None, namespaces)
            if graph is None:
                return None
            named.add(graph)
        previous = word
    return named if depth == 0 else None


def clears_every_graph(text: str) -> bool:
    """Whether the update ``text`` has a ``CLEAR``/``DROP`` ``ALL`` or ``NAMED`` (SPARQL 1.1
    Update 3.1.2, 3.2.2), which empties the meta graphs with the rest."""
    words = [t.text.upper() for t in code(text) if t.kind == "WORD"]
    return any(word in ("CLEAR", "DROP")
               and [w for w in words[i + 1:i + 3] if w != "SILENT"][:1] in (["ALL"], ["NAMED"])
               for i, word in enumerate(words))


def graphs_of(text: str) -> tuple[set[str], bool]:
    """The named graphs the update ``text`` names (IRIs), and whether it may touch any
    graph (a ``GRAPH ?g``, ``CLEAR``/``DROP`` ``ALL`` or ``NAMED``, a ``BASE``)."""
    named: set[str] = set()
    every = False

    def visit(node: Any) -> None:
        nonlocal every
        if isinstance(node, URIRef):
            named.add(str(node))
        elif isinstance(node, str) and node in ("ALL", "NAMED"):
            every = True
        elif isinstance(node, dict):
            if getattr(node, "name", None) == "Graph" and isinstance(dict.get(node, "term"),
                                                                      Variable):
                every = True
            for key, value in node.items():
                if isinstance(key, Variable):
                    every = True
                visit(key)
                visit(value)
        elif isinstance(node, list | tuple | set):
            for item in node:
                visit(item)

    for operation in _parse(text):
        visit(dict(operation))
    # rdflib resolves relative IRIs against a BASE otherwise than RFC 3986 and Oxigraph do
    # (``<>`` keeps the base's fragment): the graphs named under one are not known
    if any(t.kind == "WORD" and t.text.upper() == "BASE" for t in code(text)):
        every = True
    return named, every
