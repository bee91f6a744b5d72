"""Substitutions for SPARQL servers that lack SEP-0007: a ``VALUES`` block.

``bind_values(query, {"org": NamedNode(...)})`` inserts ``VALUES (?org) { (<…>) }`` right after
the opening brace of the query's outermost ``WHERE`` group, so the engine joins the bound
values with the pattern from the start. The block is built from the terms' N-Triples forms
(pyoxigraph escapes them); the query text is only *read*, by the one lexer
(``graph.sparql.lexer``), so braces or keywords inside strings, IRIs and comments are never
mistaken for syntax.

>>> import pyoxigraph as ox
>>> bind_values('SELECT ?n WHERE { ?o <http://ex/name> ?n }', {"o": ox.NamedNode("http://ex/a")})
'SELECT ?n WHERE { VALUES (?o) { (<http://ex/a>) } ?o <http://ex/name> ?n }'
>>> bind_values('CONSTRUCT { ?s ?p "}" } WHERE { ?s ?p ?o }', {"s": ox.Literal('a"b')})
'CONSTRUCT { ?s ?p "}" } WHERE { VALUES (?s) { ("a\\\\"b") } ?s ?p ?o }'

Differences with SEP-0007 substitution: the variable stays in the results (bound to the given
term), and a sub-query that does not project it does not see the value.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Final

import pyoxigraph as ox

from graph.errors import ParameterError, QuerySyntaxError
from graph.sparql import lexer

_VARIABLE: Final = re.compile(r"^[A-Za-z_0-9\u00B7\u00C0-\uFFFF]+$")


def _tokens(query: str) -> Iterator[tuple[str, str, int]]:
    """(kind, text, offset) of the braces and bare words of ``query``, outside strings, IRIs,
    comments and variables (``graph.sparql.lexer``)."""
    for kind, text, start in lexer.code(query):
        if kind == "WORD":
            yield "word", text, start
        elif kind == "PUNCT" and text in "{}":
            yield "brace", text, start


def where_group_offset(query: str) -> int:
    """The offset just after the ``{`` that opens the outermost WHERE group of ``query``."""
    depth = 0
    template_pending = False   # after CONSTRUCT, a brace before any keyword opens a template
    in_template = False
    for kind, text, offset in _tokens(query):
        if kind == "word":
            if depth == 0:
                template_pending = text.upper() == "CONSTRUCT"
            continue
        if text == "{":
            if depth == 0 and not template_pending and not in_template:
                return offset + 1
            if depth == 0:
                in_template, template_pending = True, False
            depth += 1
        else:
            depth -= 1
            if depth == 0:
                in_template = False
            elif depth < 0:
                break
    raise QuerySyntaxError("the query has no WHERE group to bind parameters in")


def values_block(substitutions: Mapping[str, ox.NamedNode | ox.BlankNode | ox.Literal]) -> str:
    """``VALUES (?a ?b) { (<…> "…") }`` for ``substitutions`` (IRIs and literals only)."""
    names: list[str] = []
    terms: list[str] = []
    for name, term in substitutions.items():
        if not _VARIABLE.match(name):
            raise ParameterError(name, "not a SPARQL variable name")
        if not isinstance(term, ox.NamedNode | ox.Literal):
            raise ParameterError(name, "only IRIs and literals can be bound on a remote store")
        names.append(f"?{name}")
        terms.append(str(term))
    return f"VALUES ({' '.join(names)}) {{ ({' '.join(terms)}) }}"


def bind_values(query: str,
                substitutions: Mapping[str, ox.NamedNode | ox.BlankNode | ox.Literal]) -> str:
    """``query`` with ``substitutions`` as a VALUES block opening its outermost WHERE group."""
    if not substitutions:
        return query
    at = where_group_offset(query)
    return f"{query[:at]} {values_block(substitutions)}{query[at:]}"
