"""Keys derived through a join: splicing the rows a write changed where the changed
triples do not bind the answer's keys themselves.

``graph.queries.confinement`` splices an answer when every changed triple changes only
rows binding a projected ``?k`` to its subject or object. A new usage of a tool changes the
count of its software (``GROUP BY ?software``), but the usage's triples bind ``?usage``,
not ``?software``: the software is reached through a join. When the triples were *added*
(nothing removed), the rows they change can be found after the write: every row of the
SELECT's WHERE group that a new triple brings binds ``?usage`` to one of its terms, so the
groups they change are among the ``?software`` of the rows of

    SELECT DISTINCT ?software WHERE { VALUES ?usage { <new usages> } <the operands> }

evaluated after the write in the reader's scope, where the operands are the fewest
triple patterns and sub-SELECTs the WHERE group joins that lead from ``?usage`` to
``?software`` (``Source.text``: every row of the group agrees with a row of their join, so
the keys found are those of the group's rows, and perhaps more; where no such operands
lead from one to the other, nothing is derived), and the answer is spliced by those keys
as before. That holds when the rows of the WHERE group only grow with the added triples: a
triple that meets a pattern of the group where an addition can take a row away (the right
of a MINUS, an EXISTS in a FILTER, a nested grouping or LIMIT) refuses it (``Source.risky``).
The right of an OPTIONAL is allowed when the variables it may bind appear nowhere else in
the group: a row left alone by the OPTIONAL and the same row extended by it then meet the
rest of the group alike, so the row the write takes away and the one it brings bind the
same key, and the latter is found after the write.

The WHERE group may be that of a sub-SELECT (``bridging_tools`` counts usages per software
in one): its keys must then confine its rows' changes up to the answer (``Plan.selects``),
and it must use no variable the query's parameters bind (a parameter's value reaches a
sub-SELECT otherwise than a top-level pattern). The sub-SELECTs are found in the text in
the order rdflib's algebra reads them, checked by their projections: a query where the two
orders differ is not derived through.

A removed triple that no key confines still makes the answer forgotten: the rows it took
away are no longer in the store to derive their keys from.
"""

from __future__ import annotations

import dataclasses
import functools
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from graph.queries.confinement import (
    Pattern,
    Plan,
    _commutes,
    _modifiers,
    _plan,
    _Unconfined,
    _walk,
    _Within,
)
from graph.queries.footprint import _READER, _certain
from graph.sparql import lexer


@dataclass(frozen=True)
class Source:
    """A SELECT whose WHERE group keys may be derived through."""

    #: the query's prologue (PREFIX and BASE), and the text of the WHERE group's content
    prologue: str
    body: str
    #: the variables keys may be derived into: projected, a key of the SELECT (a GROUP BY
    #: key if it groups), bound in every row of the group
    keys: frozenset[str]
    #: the patterns of the group, with the variables (bound in every row of the group, a
    #: VALUES block of which opening it commutes) that confine a change of their rows
    patterns: tuple[Pattern, ...]
    #: the patterns where an added triple may take a row of the group away
    risky: tuple[Pattern, ...]
    #: the group's algebra (rdflib's)
    where: Any = field(default=None, compare=False, repr=False)

    #: the operands the group joins (a triple pattern, a sub-SELECT), each with the
    #: variables it binds and its text (``_links``)
    links: tuple[tuple[frozenset[str], str], ...] = ()

    def text(self, key: str, variable: str, terms: Iterable[str],
             also: Iterable[str] = ()) -> str | None:
        """The query of the values of ``?key`` in the rows binding ``?variable`` to one of
        ``terms`` (N-Triples forms), projecting ``also`` too (the parameters the query
        projects: the engine substitutes a parameter wherever it occurs only if the query
        projects it, else binds it by a VALUES block at the top, as it then did the
        query's). Its WHERE group: the fewest operands of the group's join that lead from
        ``?variable`` to ``?key`` (``_chain``); None when none do (through a UNION, a BIND:
        the whole group read instead cost seconds at 10^6, more than evaluating the query
        whole)."""
        chain = _chain(self.links, variable, key)
        if chain is None:
            return None
        values = " ".join(sorted(terms))
        projected = " ".join(f"?{v}" for v in (key, *sorted(set(also) - {key})))
        return (f"{self.prologue}SELECT DISTINCT {projected} WHERE {{ "
                f"VALUES ?{variable} {{ {values} }} {' '.join(chain)} }}")


def _chain(links: tuple[tuple[frozenset[str], str], ...], start: str, end: str
           ) -> list[str] | None:
    """The texts of the fewest ``links`` that join ``?start`` to ``?end`` (breadth first),
    or None. Each is an operand of the group's join: every row of the group agrees with a
    row of their join on their variables, so the values of ``?end`` they give with
    ``?start`` among some terms are those of the group, and perhaps more (a superset of
    the keys: the splice is as exact, only dearer)."""
    reached = {start: None}   # each variable: the link that reached it, and from where
    came: dict[str, tuple[str, int]] = {}
    frontier = [start]
    while frontier and end not in reached:
        following: list[str] = []
        for variable in frontier:
            for at, (names, _) in enumerate(links):
                if variable not in names:
                    continue
                for name in names - reached.keys():
                    reached[name] = None
                    came[name] = (variable, at)
                    following.append(name)
        frontier = following
    if end not in reached:
        return None
    used: list[int] = []
    name = end
    while name != start:
        name, at = came[name]
        used.append(at)
    return [links[at][1] for at in sorted(set(used))]


@dataclass(frozen=True)
class Sources:
    """The SELECTs of a query as ``Source`` (None: none derived through), and for each,
    the SELECTs around it, innermost first (the query's own last)."""

    found: tuple[Source | None, ...] = ()
    around: tuple[tuple[int, ...], ...] = ()

    def chain(self, index: int) -> tuple[tuple[int, Source], ...]:
        """The SELECT ``index`` and those around it, innermost first, that keys may be
        derived through."""
        if not 0 <= index < len(self.found):
            return ()
        found = [(i, self.found[i]) for i in (index, *self.around[index])]
        return tuple((i, source) for i, source in found if source is not None)


@functools.lru_cache(maxsize=256)
def plan(sparql: str, bound: frozenset[str] = frozenset()) -> Plan:
    """``graph.queries.confinement.plan``, with the SELECTs keys may be derived through
    (``Plan.sources``)."""
    return _READER.submit(_derived_plan, sparql, bound).result()


def _derived_plan(sparql: str, bound: frozenset[str], algebra: Any = None) -> Plan:
    found = _plan(sparql, bound, algebra)
    if found.reason is not None or not found.selects:
        return found
    return dataclasses.replace(found, sources=sources(sparql, bound, found))


def sources(sparql: str, bound: frozenset[str], found: Plan) -> Sources:
    """The SELECTs of ``sparql`` (its own first, then its sub-SELECTs as rdflib's algebra
    reads them: ``found.selects`` and ``found.projects``), each as a ``Source``, or None
    where no key may be derived through it (none of its variables confines up to the
    answer); none when the text's SELECTs and the algebra's do not match, or the query
    names its dataset (FROM: a derivation would read another)."""
    spans = _selects(sparql)
    if spans is None or len(spans) != len(found.selects) or \
            any(t.kind == "WORD" and t.text.upper() == "FROM"
                for t in lexer.code(sparql[spans[0][0]:spans[0][1]])):
        return Sources()
    around = tuple(tuple(j for j in reversed(range(len(spans)))
                         if spans[j][1] < spans[i][0] < spans[j][2]) for i in range(len(spans)))
    made: list[Source | None] = []
    prologue = sparql[:spans[0][0]]
    for index, (start, open_, close, end) in enumerate(spans):
        projected, kept = found.selects[index]
        if not _projects(sparql[start:open_], projected):
            return Sources()   # the text's SELECTs and the algebra's do not match
        body = sparql[open_ + 1:close]
        if not kept or "{" in lexer.mask(sparql[close + 1:end]) or \
                (index and _mentions(body, bound)):
            # no key of it reaches the answer (or it is in a GRAPH: read without it, it
            # would read another graph), an EXISTS in its HAVING or ORDER BY, a VALUES
            # block after it (patterns outside its WHERE group), or a parameter in a
            # sub-SELECT (its value reaches it otherwise than a top-level pattern)
            made.append(None)
            continue
        made.append(_source(found.projects[index], prologue, body,
                            bound if index == 0 else frozenset()))
        if made[-1] is not None:
            texts = {id(p): sparql[a:e] for p, (a, _, _, e) in zip(found.projects, spans,
                                                                     strict=True)}
            made[-1] = dataclasses.replace(made[-1], links=_links(made[-1].where, texts))
    return Sources(tuple(made), around)


def _links(where: Any, selects: dict[int, str]) -> tuple[tuple[frozenset[str], str], ...]:
    """The operands the group ``where`` joins, down its spine (the left of an OPTIONAL or a
    MINUS, what a FILTER or BIND applies to): each triple pattern of an IRI predicate and
    no blank node, and each sub-SELECT (its text in ``selects``, by its Project node),
    with the variables it binds."""
    from rdflib.plugins.sparql.parserutils import CompValue

    found: list[tuple[frozenset[str], str]] = []
    todo = [where]
    while todo:
        node = todo.pop()
        if not isinstance(node, CompValue):
            continue
        name = node.name
        if name in ("LeftJoin", "Minus"):
            todo.append(node.p1)
        elif name in ("Filter", "Extend"):
            todo.append(node.p)
        elif name == "Join":
            todo.extend((node.p2, node.p1))
        elif name == "BGP":
            found.extend(_triples(node.triples))
        elif name == "ToMultiSet" and getattr(node.p, "name", "") != "values":
            project = node.p
            while getattr(project, "name", "Project") != "Project":
                project = project.p
            inner = project.p.p if project.p.name == "Distinct" else project.p
            inlined = _triples(inner.triples) if inner.name == "BGP" else []
            projected = frozenset(str(v) for v in project.PV)
            if inlined and len(inlined) == len(inner.triples) and \
                    all(names <= projected for names, _ in inlined):
                # a sub-SELECT of triple patterns whose variables it all projects: the
                # patterns themselves, which the engine reads from the VALUES block's
                # terms (a sub-SELECT it evaluates whole, then joins)
                found.extend(inlined)
                continue
            text = selects.get(id(project))
            if text is not None:
                found.append((projected, f"{{ {text} }}"))
    return tuple(found)


def _triples(patterns: Any) -> list[tuple[frozenset[str], str]]:
    """The triple patterns of ``patterns`` whose predicate is an IRI and that hold no blank
    node, each with its variables and its text."""
    from rdflib.term import BNode, URIRef, Variable

    return [(frozenset(str(t) for t in triple if isinstance(t, Variable)),
             " ".join(t.n3() for t in triple) + " .")
            for triple in patterns
            if isinstance(triple[1], URIRef) and not any(isinstance(t, BNode) for t in triple)]


def _projects(head: str, projected: frozenset[str]) -> bool:
    """Whether the text of a SELECT's head (up to its WHERE group) projects ``projected``:
    its variables outside parentheses and after each AS (any, for ``*``)."""
    tokens = list(lexer.code(head))
    named: set[str] = set()
    depth = 0
    for at, token in enumerate(tokens):
        depth += (token.text == "(") - (token.text == ")") if token.kind == "PUNCT" else 0
        if token.kind == "PUNCT" and token.text == "*" and depth == 0:
            return True
        if token.kind == "VARIABLE" and (depth == 0 or (at and tokens[at - 1].kind == "WORD"
                                                        and tokens[at - 1].text.upper() == "AS")):
            named.add(token.text[1:])
    return named == projected


def _source(project: Any, prologue: str, body: str, bound: frozenset[str]) -> Source | None:
    keys, _, reason, where = _modifiers(project, bound)
    if reason is not None or where is None:
        return None
    certain = _certain(where)
    inner = frozenset(v for v in certain if v not in bound and _commutes(where, v))
    patterns: list[Pattern] = []
    risky: list[Pattern] = []
    try:
        _walk(where, patterns, {}, inner, _Within([]))
        _risky(where, risky, Counter(_variables(where)))
    except _Unconfined:
        return None
    except Exception:   # an algebra rdflib cannot translate further: nothing assumed
        return None
    return Source(prologue, body, frozenset(k for k in keys if k in certain),
                  tuple(patterns), tuple(risky), where)


def _selects(sparql: str) -> list[tuple[int, int, int, int]] | None:
    """Each SELECT of ``sparql`` in the text's order: the offsets of its keyword, of the
    braces of its WHERE group, and of its end; None when one cannot be read so (a brace
    in its projection)."""
    tokens = list(lexer.code(sparql))
    found: list[tuple[int, int, int, int]] = []
    for at, token in enumerate(tokens):
        if token.kind != "WORD" or token.text.upper() != "SELECT":
            continue
        opening = next((i for i in range(at + 1, len(tokens)) if _brace(tokens[i], "{")),
                       None)
        if opening is None or (tokens[opening - 1].kind == "WORD" and
                               tokens[opening - 1].text.upper() != "WHERE"):
            return None
        close = _matching(tokens, opening)
        if close is None:
            return None
        end = len(sparql) if not found else _enclosing_end(tokens, close)
        if end is None:
            return None
        found.append((token.start, tokens[opening].start, tokens[close].start, end))
    return found or None


def _brace(token: Any, which: str) -> bool:
    return bool(token.kind == "PUNCT" and token.text == which)


def _matching(tokens: list[Any], opening: int) -> int | None:
    depth = 0
    for index in range(opening, len(tokens)):
        depth += _brace(tokens[index], "{") - _brace(tokens[index], "}")
        if depth == 0:
            return index
    return None


def _enclosing_end(tokens: list[Any], after: int) -> int | None:
    """The offset of the brace closing the group a sub-SELECT whose WHERE group closes at
    token ``after`` is the whole of."""
    depth = 0
    for index in range(after + 1, len(tokens)):
        depth += _brace(tokens[index], "{") - _brace(tokens[index], "}")
        if depth < 0:
            return int(tokens[index].start)
    return None


def _mentions(body: str, names: frozenset[str]) -> bool:
    return any(t.kind == "VARIABLE" and t.text[1:] in names for t in lexer.code(body))


def _variables(node: Any) -> Iterable[str]:
    """Every mention of a variable under ``node`` (rdflib's ``_vars`` summaries left out)."""
    from rdflib.plugins.sparql.parserutils import CompValue
    from rdflib.term import Variable

    if isinstance(node, Variable):
        yield str(node)
    elif isinstance(node, CompValue):
        for key, value in node.items():
            if key != "_vars":
                yield from _variables(value)
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _variables(key)
            yield from _variables(value)
    elif isinstance(node, (list, tuple, set, frozenset)):
        for value in node:
            yield from _variables(value)


def _risky(node: Any, out: list[Pattern], everywhere: Counter[str]) -> None:
    """Record in ``out`` the patterns under ``node`` (a part of the group whose mentions of
    each variable ``everywhere`` counts) where an added triple may take a row away."""
    from rdflib.plugins.sparql.parserutils import CompValue

    if not isinstance(node, CompValue):
        return
    name = node.name
    if name in ("Group", "AggregateJoin", "Slice"):
        _walk(node, out, {}, frozenset(), _Within([]))
        return
    if name == "LeftJoin":
        here = Counter(_variables(node))
        left = _certain(node.p1)
        new = {v for v in _variables(node.p2) if v not in left}
        _risky(node.p1, out, everywhere)
        if any(everywhere[v] > here[v] for v in new):   # met again outside the OPTIONAL
            _walk(node.p2, out, {}, frozenset(), _Within([]))
        else:
            _risky(node.p2, out, everywhere)
        _walk(node.get("expr"), out, {}, frozenset(), _Within([]))
        return
    for key, value in node.items():
        if key in ("p", "p1", "p2") and not (name == "Minus" and key == "p2"):
            _risky(value, out, everywhere)
        elif key != "_vars":
            _walk(value, out, {}, frozenset(), _Within([]))


__all__ = ["Source", "Sources", "plan", "sources"]
