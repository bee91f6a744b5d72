"""Depth and length bounds on every language civicgraph reads, checked before any parser.

The parsers recurse: Oxigraph's SPARQL parser, its Turtle, JSON-LD and RDF/XML parsers and
rdflib's all follow the nesting of their input on the stack, and a few thousand levels end
the process (a segfault, not an exception). So the raw text is measured first, on tokens
(``graph.sparql.lexer``; a streaming scan for JSON and XML, never ``json.loads`` or a DOM of
the hostile text), and anything past a bound is refused with ``BoundExceeded`` (400) naming
the bound. The bounds sit well below the largest depth each parser was seen to survive
(``bench/RESULTS.md``, "Hostile input": Oxigraph's SPARQL parser survives 1,000 nested
groups and 3,000 nested parentheses or chained operators, and dies at 3,000 and 10,000).

- SPARQL query and update (``check_sparql``): the **depth** counts, along the path from the
  outside to each token, the open groups, brackets and parentheses *and* the operators
  chained at each level (``1+1+1``, ``!!!x``, ``-(-(-x))``, ``p/p/p``, ``p|p``, ``^^^p``):
  a chain of operators without brackets nests as deep in the parser as brackets do. A
  ``.``, ``;`` or ``,`` ends a chain. The **length** is the number of tokens.
- Turtle, TriG, N-Triples, N-Quads, N3 (``check_turtle``): the depth of blank-node property
  lists ``[ … ]``, collections ``( … )``, graphs and formulas ``{ … }`` and triple terms
  ``<< … >>``, nested in any mix.
- JSON-LD (``check_json``): the depth of objects and arrays.
- RDF/XML (``check_xml``): the depth of elements.

``check(data, syntax)`` picks the check from the syntax name (a ``pyoxigraph.RdfFormat``
name or a media type) and is what the write path calls (``graph.ingest.writing.bounds``).

>>> check_sparql("SELECT * WHERE { ?s ?p ?o FILTER(?o > 1 && ?o < 5) }")
>>> check_sparql("ASK { FILTER(1" + " + 1" * 300 + ") }")
Traceback (most recent call last):
...
graph.errors.BoundExceeded: the SPARQL query, line 1: depth (groups, brackets, parentheses \
and chained operators) is more than 256 (a bound of civicgraph for SPARQL, set below what \
its parsers survive)
"""

from __future__ import annotations

import re
from typing import Final

from graph.errors import BoundExceeded
from graph.sparql.lexer import code, line_of

#: the deepest a SPARQL query or update may nest (groups, brackets, parentheses and chained
#: operators together); Oxigraph's parser dies past 1,000 nested groups
SPARQL_DEPTH: Final = 256
#: the most "/" in one triple pattern (a property-path sequence; Oxigraph's planning time grows
#: with its cube: 0.8 s at 100 steps, 11 s at 250, over a minute at 1,000 on an empty store)
SPARQL_PATH_STEPS: Final = 64
#: the most tokens a SPARQL query or update may have
SPARQL_TOKENS: Final = 100_000
#: the deepest an RDF document may nest (Turtle family, JSON-LD, RDF/XML)
RDF_DEPTH: Final = 64
#: the deepest a JSON-LD document may nest its objects and arrays (a node nests in two:
#: the object and the array of a property's values, plus ``@graph``, ``@list``, …)
JSON_DEPTH: Final = 128
#: the deepest an RDF/XML document may nest its elements (a node element and its property
#: element make two levels per level of the graph)
XML_DEPTH: Final = 128

_OPEN: Final = frozenset("{([")
_CLOSE: Final = frozenset("})]")
#: operators that chain: binary and unary expression operators, property-path operators
_OPERATORS: Final = frozenset({"||", "&&", "=", "!=", "<", ">", "<=", ">=", "+", "-", "*", "/",
                               "!", "^", "|", "?"})
_TURTLE_OPEN: Final = frozenset("{([<")
_TURTLE_CLOSE: Final = frozenset("})]>")
_CHAIN_ENDS: Final = frozenset({".", ";", ","})
_DEPTH_BOUND = "depth (groups, brackets, parentheses and chained operators)"


def check_sparql(text: str, *, update: bool = False, depth: int = SPARQL_DEPTH,
                 path_steps: int = SPARQL_PATH_STEPS, length: int = SPARQL_TOKENS) -> None:
    """``BoundExceeded`` for a SPARQL query (or ``update``) deeper than ``depth``, with more
    than ``path_steps`` steps in one path, or longer than ``length`` tokens."""
    language = "SPARQL"
    what = "the SPARQL update" if update else "the SPARQL query"
    # one frame per open bracket: the operators chained in it so far
    chains: list[int] = [0]
    total = 0        # open brackets + every open frame's chain: the depth of the current token
    count = 0
    steps = 0        # "/" since the last "." / ";" / "," / "{" / "}"
    for kind, punct, start in code(text):
        count += 1
        if count > length:
            raise BoundExceeded(language, "length (tokens)", length, source=what,
                                line=line_of(text, start))
        if kind != "PUNCT":
            continue
        if punct in _OPEN:
            chains.append(0)
            total += 1
            steps = 0 if punct == "{" else steps
        elif punct in _CLOSE:
            if len(chains) > 1:
                total -= 1 + chains.pop()
            steps = 0 if punct == "}" else steps
        elif punct in _OPERATORS:
            chains[-1] += 1
            total += 1
            if punct == "/":
                steps += 1
                if steps > path_steps:
                    raise BoundExceeded(language, "property-path steps (/) in one pattern",
                                        path_steps, source=what, line=line_of(text, start))
        elif punct in _CHAIN_ENDS:
            total -= chains[-1]
            chains[-1] = 0
            steps = 0
        else:
            continue
        if total > depth:
            raise BoundExceeded(language, _DEPTH_BOUND, depth, source=what,
                                line=line_of(text, start))


def check_turtle(text: str, *, depth: int = RDF_DEPTH, source: str | None = None,
                 language: str = "Turtle") -> None:
    """``BoundExceeded`` for Turtle (TriG, N-Triples, N-Quads, N3) nesting ``[``, ``(``,
    ``{`` or ``<<`` more than ``depth`` deep (each ``<`` of a ``<<`` counts)."""
    if not any(opener in text for opener in "[({") and "<<" not in text:
        return   # N-Triples and most bulk data: nothing can nest (and no token is read)
    level = 0
    for kind, token, start in code(text):
        # IRIs are IRI tokens: a "<" or ">" of punctuation is half of a "<<" or ">>"
        if kind == "PUNCT" and token in _TURTLE_OPEN:
            level += 1
        elif kind == "PUNCT" and token in _TURTLE_CLOSE:
            level = max(0, level - 1)
        else:
            continue
        if level > depth:
            raise BoundExceeded(language, "nesting depth ([ ], ( ), { }, << >>)", depth,
                                source=source, line=line_of(text, start))


# JSON: strings are skipped whole (an unterminated one runs to the end: read once);
# only brackets count
_JSON: Final = re.compile(rb'"(?:[^"\\]++|\\[\s\S])*+(?:"|\Z)|[\[\]{}]')


def check_json(data: bytes, *, depth: int = JSON_DEPTH, source: str | None = None) -> None:
    """``BoundExceeded`` for JSON nesting objects and arrays more than ``depth`` deep, read
    by a streaming scan (the text is never given to a JSON parser here)."""
    if data.count(b"[") + data.count(b"{") <= depth:
        return
    level = 0
    for match in _JSON.finditer(data):
        char = match.group()[:1]
        if char in (b"[", b"{"):
            level += 1
            if level > depth:
                raise BoundExceeded("JSON-LD", "nesting depth of objects and arrays", depth,
                                    source=source,
                                    line=data.count(b"\n", 0, match.start()) + 1)
        elif char in (b"]", b"}"):
            level = max(0, level - 1)


# XML: comments, CDATA sections, processing instructions and declarations are skipped
# whole (each runs to its end or to the end of the text: read once); a tag stops at the next
# "<" so that a broken one is not read again from every later position
_XML: Final = re.compile(
    rb"<!--(?:[^-]++|-(?!->))*+(?:-->|\Z)"
    rb"|<!\[CDATA\[(?:[^\]]++|\](?!\]>))*+(?:\]\]>|\Z)"
    rb"|<\?(?:[^?]++|\?(?!>))*+(?:\?>|\Z)"
    rb"|<!(?:[^<>\"']++|\"[^\"<]*+\"|'[^'<]*+')*+>?"
    rb"|<(?P<close>/)?[^\s<>/\"']++(?:[^<>\"']++|\"[^\"<]*+\"|'[^'<]*+')*+>"
)


def check_xml(data: bytes, *, depth: int = XML_DEPTH, source: str | None = None) -> None:
    """``BoundExceeded`` for XML nesting elements more than ``depth`` deep."""
    if data.count(b"<") <= depth:
        return
    level = 0
    for match in _XML.finditer(data):
        tag = match.group()
        if tag.startswith((b"<!", b"<?")):
            continue
        if match.group("close"):
            level = max(0, level - 1)
        elif not tag.endswith(b"/>"):
            level += 1
            if level > depth:
                raise BoundExceeded("RDF/XML", "element depth", depth, source=source,
                                    line=data.count(b"\n", 0, match.start()) + 1)


_TURTLE_FAMILY: Final = {"turtle": "Turtle", "trig": "TriG", "n-triples": "N-Triples",
                         "n-quads": "N-Quads", "n3": "N3", "text/turtle": "Turtle",
                         "application/trig": "TriG", "application/n-triples": "N-Triples",
                         "application/n-quads": "N-Quads", "text/n3": "N3"}
_JSON_FAMILY: Final = frozenset({"json-ld", "streaming json-ld", "application/ld+json",
                                 "application/json"})
_XML_FAMILY: Final = frozenset({"rdf/xml", "application/rdf+xml", "application/xml",
                                "text/xml"})


def check(data: bytes, syntax: str, *, source: str = "input") -> None:
    """The bounds of ``syntax`` (a ``pyoxigraph.RdfFormat`` name such as ``"Turtle"`` or
    ``"JSON-LD"``, or a media type) on ``data``; ``BoundExceeded`` past one. A syntax that
    none of the checks knows is let through (its parser reports what it reports)."""
    name = syntax.split(";")[0].strip().lower()
    if name in _TURTLE_FAMILY:
        language = _TURTLE_FAMILY[name]
        if language in ("N-Triples", "N-Quads") and b"<<" not in data:
            return   # only a triple term nests in these line formats (a "(" is in a literal)
        opened = sum(data.count(opener) for opener in (b"[", b"(", b"{")) + \
            2 * data.count(b"<<")
        if opened <= RDF_DEPTH:
            return   # fewer openers in all than the bound: nothing can nest past it
        check_turtle(data.decode("utf-8", errors="replace"), source=source, language=language)
    elif name in _JSON_FAMILY:
        check_json(data, source=source)
    elif name in _XML_FAMILY:
        check_xml(data, source=source)


__all__ = ["JSON_DEPTH", "RDF_DEPTH", "SPARQL_DEPTH", "SPARQL_PATH_STEPS", "SPARQL_TOKENS",
           "XML_DEPTH", "check", "check_json", "check_sparql", "check_turtle", "check_xml"]
