"""Aggregates lifted out of projection expressions, for engines that cannot compile them.

``(COALESCE(MIN(STR(?a)), MIN(STR(?b))) AS ?label)`` — an aggregate inside an expression of
the SELECT clause — is standard SPARQL that Virtuoso 7.2 fails to compile in larger queries
("Bad dfe in sqlo_place_exp"). ``lift_aggregates`` rewrites such a query into the equivalent
form with a sub-query: the grouped query computes each aggregate under a fresh name, and an
outer query computes the expressions from them, then orders, slices and de-duplicates::

    SELECT ?s (COALESCE(?cg_agg1, ?cg_agg2) AS ?label)
    WHERE { { SELECT ?s (MIN(STR(?a)) AS ?cg_agg1) (MIN(STR(?b)) AS ?cg_agg2)
              WHERE { … } GROUP BY ?s HAVING … } }
    ORDER BY ?label LIMIT 10

Queries without such an expression are returned unchanged, as are those this module does not
read with confidence (``SELECT *``, no WHERE group): the engine then reports what it reports.
The text is read by the one lexer (``graph.sparql.lexer``) — strings, comments and IRIs are
never mistaken for syntax.

>>> lift_aggregates('SELECT ?s (COALESCE(MIN(?a), "") AS ?m) WHERE { ?s ?p ?a } GROUP BY ?s')
'SELECT ?s (COALESCE(?cg_agg1, "") AS ?m) WHERE { { SELECT ?s (MIN(?a) AS ?cg_agg1) WHERE \
{ ?s ?p ?a } GROUP BY ?s } }'
>>> lift_aggregates('SELECT ?s (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?s') == \\
...     'SELECT ?s (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?s'
True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from graph.sparql import lexer

_AGGREGATES: Final = ("COUNT", "SUM", "MIN", "MAX", "AVG", "SAMPLE", "GROUP_CONCAT")
PREFIX: Final = "cg_agg"


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    start: int
    end: int


_KINDS: Final = {"VARIABLE": "var", "WORD": "word", "PNAME": "word"}


def _tokens(query: str) -> list[_Token]:
    """The tokens of ``query`` without spaces and comments (``graph.sparql.lexer``)."""
    found: list[_Token] = []
    for kind, text, start in lexer.tokens(query, spaces=False):
        if kind == "COMMENT":
            continue
        if kind == "PUNCT" and text in "({":
            kind_name = "open"
        elif kind == "PUNCT" and text in ")}":
            kind_name = "close"
        else:
            kind_name = _KINDS.get(kind, "other")
        found.append(_Token(kind_name, text, start, start + len(text)))
    return found


def _closing(tokens: list[_Token], at: int) -> int:
    """The index of the token that closes the bracket opened at ``tokens[at]``."""
    depth = 0
    for index in range(at, len(tokens)):
        if tokens[index].kind == "open":
            depth += 1
        elif tokens[index].kind == "close":
            depth -= 1
            if depth == 0:
                return index
    raise ValueError("unbalanced brackets")


def _is(token: _Token, *words: str) -> bool:
    return token.kind == "word" and token.text.upper() in words


@dataclass
class _Item:
    """One projection item: ``?var``, or ``(expr AS ?var)`` with its aggregate calls."""

    variable: str
    expression: tuple[int, int] | None = None        # span of expr in the query
    aggregates: tuple[tuple[int, int], ...] = ()      # spans of the aggregate calls in expr
    whole: bool = False                               # expr is one aggregate call


def _items(query: str, tokens: list[_Token], first: int, last: int) -> list[_Item] | None:
    """The projection items of ``tokens[first:last]``, or None if it is ``*`` or unusual."""
    items: list[_Item] = []
    index = first
    while index < last:
        token = tokens[index]
        if token.kind == "var":
            items.append(_Item(token.text))
            index += 1
            continue
        if token.text != "(":
            return None
        close = _closing(tokens, index)
        inner = tokens[index + 1:close]
        if len(inner) < 3 or not _is(inner[-2], "AS") or inner[-1].kind != "var":
            return None
        body = inner[:-2]
        calls: list[tuple[int, int]] = []
        position = 0
        while position < len(body):
            if _is(body[position], *_AGGREGATES) and position + 1 < len(body) \
                    and body[position + 1].text == "(":
                end = _closing(body, position + 1)
                calls.append((body[position].start, body[end].end))
                position = end + 1
            else:
                position += 1
        span = (body[0].start, body[-1].end)
        items.append(_Item(inner[-1].text, span, tuple(calls),
                           whole=len(calls) == 1 and calls[0] == span))
        index = close + 1
    return items


def lift_aggregates(query: str) -> str:
    """``query`` with aggregates nested in SELECT expressions computed in a sub-query (see
    the module); unchanged when it has none, or when its brackets do not balance (the engine
    reports the error on the text as written)."""
    try:
        return _lifted(query)
    except ValueError:
        return query


def _lifted(query: str) -> str:
    tokens = _tokens(query)
    depth = 0
    select = None
    for index, token in enumerate(tokens):
        if token.kind == "open":
            depth += 1
        elif token.kind == "close":
            depth -= 1
        elif depth == 0 and _is(token, "SELECT"):
            select = index
            break
        elif depth == 0 and _is(token, "ASK", "CONSTRUCT", "DESCRIBE"):
            return query
    if select is None:
        return query
    start = select + 1
    modifier = ""
    if start < len(tokens) and _is(tokens[start], "DISTINCT", "REDUCED"):
        modifier = tokens[start].text + " "
        start += 1
    end = start
    while end < len(tokens) and not (_is(tokens[end], "WHERE", "FROM") or tokens[end].text == "{"):
        end = _closing(tokens, end) + 1 if tokens[end].text == "(" else end + 1
    items = _items(query, tokens, start, end)
    if not items or not any(i.aggregates and not i.whole for i in items) \
            or end == len(tokens) or _is(tokens[end], "FROM"):
        return query
    group = end
    while group < len(tokens) and tokens[group].text != "{":
        group += 1
    if group == len(tokens):
        return query
    closed = _closing(tokens, group)
    tail = closed + 1
    outer_from = next((i for i in range(tail, len(tokens))
                       if _is(tokens[i], "ORDER", "LIMIT", "OFFSET", "VALUES")), None)
    inner_end = tokens[outer_from].start if outer_from is not None else len(query)
    outer_tail = query[inner_end:].strip()

    inner: list[str] = []
    outer: list[str] = []
    defined: set[str] = set()      # the variables the sub-query projects
    lifted = {i.variable for i in items if i.aggregates and not i.whole}

    def keep(variable: str) -> None:
        if variable not in defined and variable not in lifted:
            inner.append(variable)
            defined.add(variable)

    counter = 0
    for item in items:
        if item.expression is None:
            keep(item.variable)
            outer.append(item.variable)
        elif not item.aggregates or item.whole:
            inner.append(f"({query[item.expression[0]:item.expression[1]]} AS {item.variable})")
            defined.add(item.variable)
            outer.append(item.variable)
        else:
            text = query[item.expression[0]:item.expression[1]]
            for call_start, call_end in reversed(item.aggregates):
                counter += 1
                name = f"?{PREFIX}{counter}"
                inner.append(f"({query[call_start:call_end]} AS {name})")
                offset = item.expression[0]
                text = text[:call_start - offset] + name + text[call_end - offset:]
            # variables of the expression outside its aggregates are group keys: keep them
            for variable in (t.text for t in lexer.code(text) if t.kind == "VARIABLE"):
                if not variable[1:].startswith(PREFIX):
                    keep(variable)
            outer.append(f"({text} AS {item.variable})")
    # sort keys that are not projected still have to reach the outer query
    if outer_from is not None:
        for token in tokens[outer_from:]:
            if token.kind == "var":
                keep(token.text)
    # up to the last token of the group: a comment after it would swallow the closing brackets
    last = tokens[outer_from - 1] if outer_from is not None else tokens[-1]
    body = query[tokens[end].start:last.end]
    prologue = query[:tokens[select].start]
    rewritten = (f"{prologue}SELECT {modifier}{' '.join(outer)} WHERE {{ "
                 f"{{ SELECT {' '.join(inner)} {body} }} }}")
    return f"{rewritten} {outer_tail}" if outer_tail else rewritten
